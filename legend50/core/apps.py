from django.apps import AppConfig
from django.db.models.signals import post_migrate


class CoreConfig(AppConfig):
    name = "legend50.core"
    verbose_name = "공통"

    def ready(self):
        from django.core.signals import request_finished, request_started

        from . import pagecache

        post_migrate.connect(
            pagecache.install_version_triggers, sender=self, dispatch_uid="legend50-version-triggers"
        )
        request_started.connect(pagecache.request_started, dispatch_uid="legend50-request-versions")
        request_finished.connect(pagecache.request_finished, dispatch_uid="legend50-request-versions")
