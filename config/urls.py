from importlib.util import find_spec

from django.contrib import admin
from django.urls import include, path

urlpatterns = [
    path("i18n/", include("django.conf.urls.i18n")),
    path("accounts/", include("legend50.accounts.urls")),
    path("admin/", admin.site.urls),
    path("", include("legend50.core.urls")),
]

# Each bounded context mounts its own URLs under its prefix once it has any.
for _prefix, _module in [
    ("programs/", "legend50.programs.urls"),
    ("proposals/", "legend50.proposals.urls"),
    ("evaluation/", "legend50.evaluation.urls"),
    ("selection/", "legend50.selection.urls"),
    ("funding/", "legend50.funding.urls"),
    ("firms/", "legend50.firms.urls"),
    ("support/", "legend50.support.urls"),
    ("monitoring/", "legend50.monitoring.urls"),
    ("expo/", "legend50.events.urls"),
    ("activity/", "legend50.activity.urls"),
    ("registry/", "legend50.registry.urls"),
    ("api/", "legend50.api.urls"),
    ("open-data/", "legend50.opendata.urls"),
]:
    if find_spec(_module) is not None:
        urlpatterns.append(path(_prefix, include(_module)))
