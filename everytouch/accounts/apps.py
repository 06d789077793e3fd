from django.apps import AppConfig


class AccountsConfig(AppConfig):
    name = "everytouch.accounts"
    label = "accounts"

    def ready(self) -> None:
        from everytouch import sweeps
        from everytouch.accounts import sessions

        # Housekeeping rather than a lost job: the session list prunes its own rows, but the
        # rows of someone who never opens it would otherwise stay forever.
        sweeps.register("expired login sessions forgotten", sessions.forget_expired)
