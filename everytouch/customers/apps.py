from django.apps import AppConfig


class CustomersConfig(AppConfig):
    name = "everytouch.customers"
    label = "customers"

    def ready(self) -> None:
        from django.db.models import Q

        from everytouch import ownership
        from everytouch.customers.models import Customer

        # Merged-away records are pointers, not customers: only live ones need an owner.
        ownership.register(
            ownership.OwnedKind("customer", Customer, open_filter=Q(merged_into__isnull=True))
        )
