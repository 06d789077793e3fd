from django.apps import AppConfig


class InteractionsConfig(AppConfig):
    name = "everytouch.interactions"
    label = "interactions"
