from django.apps import AppConfig


class StaffConfig(AppConfig):
    name = "everytouch.staff"
    label = "staff"

    def ready(self) -> None:
        from django.db.models import Q

        from everytouch import ownership, sweeps
        from everytouch.staff import tasks
        from everytouch.staff.models import MessageStatus, TakenMessage

        sweeps.register("messages escalated", tasks.sweep_due_messages)
        sweeps.register("notice e-mails sent", tasks.sweep_unsent_emails)

        ownership.register(
            ownership.OwnedKind(
                "message",
                TakenMessage,
                open_filter=~Q(status=MessageStatus.DONE),
                customer_field="customer",
            )
        )
