from django.apps import AppConfig


class AccountsConfig(AppConfig):
    name = "everytouch.accounts"
    label = "accounts"

    def ready(self) -> None:
        # The lowest app connects the one redaction pass, so it covers every app's models.
        from everytouch import redaction

        redaction.connect()

        from everytouch import sweeps
        from everytouch.accounts import sessions

        # Housekeeping rather than a lost job: the session list prunes its own rows, but the
        # rows of someone who never opens it would otherwise stay forever.
        sweeps.register("expired login sessions forgotten", sessions.forget_expired)
