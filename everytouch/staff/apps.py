from django.apps import AppConfig


class StaffConfig(AppConfig):
    name = "everytouch.staff"
    label = "staff"

    def ready(self) -> None:
        from django.db.models import Q

        from everytouch import ownership
        from everytouch.staff.models import MessageStatus, TakenMessage

        ownership.register(
            ownership.OwnedKind(
                "message",
                TakenMessage,
                open_filter=~Q(status=MessageStatus.DONE),
                customer_field="customer",
            )
        )
