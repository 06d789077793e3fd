from django.apps import AppConfig


class LeadsConfig(AppConfig):
    name = "everytouch.leads"
    label = "leads"

    def ready(self) -> None:
        from django.db.models import Q

        from everytouch import ownership, sweeps
        from everytouch.interactions.hooks import interaction_logged
        from everytouch.leads import capture, tasks
        from everytouch.leads.models import OPEN_STAGES, Lead

        ownership.register(
            ownership.OwnedKind(
                "lead", Lead, open_filter=Q(stage__in=OPEN_STAGES), customer_field="customer"
            )
        )
        interaction_logged.connect(tasks.capture_later)
        sweeps.register("lead webhooks re-queued", tasks.sweep_lost_deliveries)
        sweeps.register("interactions analysed late", capture.analyse_lost)
