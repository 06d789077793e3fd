from django.apps import AppConfig


class AccountsConfig(AppConfig):
    name = "everytouch.accounts"
    label = "accounts"
