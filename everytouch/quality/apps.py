from django.apps import AppConfig


class QualityConfig(AppConfig):
    name = "everytouch.quality"
    label = "quality"

    def ready(self) -> None:
        from everytouch import sweeps
        from everytouch.interactions.hooks import interaction_logged
        from everytouch.quality import tasks

        interaction_logged.connect(tasks.score_later)
        # `everytouch sweep` scores the touches whose scoring job was lost.
        sweeps.register("interactions scored late", tasks.sweep_unscored)
