from django.apps import AppConfig


class CustomersConfig(AppConfig):
    name = "everytouch.customers"
    label = "customers"
