from django.apps import AppConfig


class PrivacyConfig(AppConfig):
    name = "everytouch.privacy"
    label = "privacy"

    def ready(self) -> None:
        from everytouch import sweeps
        from everytouch.accounts.idempotency import delete_expired

        # Stored answers are copies of customers' data; keeping them past their use is keeping
        # personal data without a reason, so expiring them is a data-protection rule.
        sweeps.register("expired idempotency keys", delete_expired)
