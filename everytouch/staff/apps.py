from django.apps import AppConfig


class StaffConfig(AppConfig):
    name = "everytouch.staff"
    label = "staff"

    def ready(self) -> None:
        from django.db.models import Q

        from everytouch import ownership, sweeps
        from everytouch.accounts.hooks import role_given
        from everytouch.customers.models import Customer
        from everytouch.staff import tasks
        from everytouch.staff.directory import actions
        from everytouch.staff.models import MessageStatus, TakenMessage

        role_given.connect(actions.ensure_staff)
        sweeps.register("directory entries made", actions.ensure_directory)
        sweeps.register("messages escalated", tasks.sweep_due_messages)
        sweeps.register("notice e-mails sent", tasks.sweep_unsent_emails)

        # Customers sit below ownership in the layers, so their kind is registered here.
        # Merged-away records are pointers, not customers: only live ones need an owner.
        ownership.register(
            ownership.OwnedKind("customer", Customer, open_filter=Q(merged_into__isnull=True))
        )
        ownership.register(
            ownership.OwnedKind(
                "message",
                TakenMessage,
                open_filter=~Q(status=MessageStatus.DONE),
                customer_field="customer",
            )
        )
