from django.apps import AppConfig


class OutboxConfig(AppConfig):
    name = "everytouch.outbox"
    label = "outbox"

    def ready(self) -> None:
        from everytouch import sweeps
        from everytouch.outbox import workers

        sweeps.register("tasks of stopped workers failed", workers.fail_orphaned_tasks)
        sweeps.register("old worker heartbeats removed", workers.forget_old_heartbeats)
