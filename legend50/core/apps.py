from django.apps import AppConfig
from django.db.models.signals import post_migrate


class CoreConfig(AppConfig):
    name = "legend50.core"
    verbose_name = "공통"

    def ready(self):
        from .pagecache import install_version_triggers

        post_migrate.connect(install_version_triggers, sender=self, dispatch_uid="legend50-version-triggers")
