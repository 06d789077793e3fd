from __future__ import annotations

from django.apps import AppConfig


class OpsConfig(AppConfig):
    name = "everytouch.ops"
    label = "everytouch_ops"
    verbose_name = "Operations"

    def ready(self) -> None:
        from everytouch.ops import checks

        checks.register_all()
