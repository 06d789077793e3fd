from django.apps import AppConfig


class AccountsConfig(AppConfig):
    name = "everytouch.accounts"
    label = "accounts"

    def ready(self) -> None:
        # The lowest app connects the one redaction pass, so it covers every app's models.
        from everytouch import redaction

        redaction.connect()
