from django.apps import AppConfig


class FollowupsConfig(AppConfig):
    name = "everytouch.followups"
    label = "followups"

    def ready(self) -> None:
        from django.db.models import Q

        from everytouch import ownership, sweeps
        from everytouch.followups import actions, tasks
        from everytouch.followups.models import Commitment, CommitmentStatus
        from everytouch.leads.hooks import lead_won

        # A missed promise still needs someone to make it right, so it stays owned.
        ownership.register(
            ownership.OwnedKind(
                "commitment",
                Commitment,
                open_filter=Q(status__in=[CommitmentStatus.OPEN, CommitmentStatus.MISSED]),
                customer_field="customer",
            )
        )
        lead_won.connect(actions.start_cadence)
        # `everytouch sweep` (run every minute by the demo) re-does what lost jobs left undone.
        sweeps.register("follow-up reminders sent", tasks.sweep_reminders)
        sweeps.register("promises escalated as missed", tasks.sweep_missed)
