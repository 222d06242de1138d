from django.apps import AppConfig


class AccountsConfig(AppConfig):
    name = "legend50.accounts"
    verbose_name = "계정"
