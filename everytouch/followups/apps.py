from django.apps import AppConfig


class FollowupsConfig(AppConfig):
    name = "everytouch.followups"
    label = "followups"

    def ready(self) -> None:
        from django.db.models import Q

        from everytouch import ownership
        from everytouch.followups.models import Commitment, CommitmentStatus

        # A missed promise still needs someone to make it right, so it stays owned.
        ownership.register(
            ownership.OwnedKind(
                "commitment",
                Commitment,
                open_filter=Q(status__in=[CommitmentStatus.OPEN, CommitmentStatus.MISSED]),
                customer_field="customer",
            )
        )
