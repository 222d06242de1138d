from django.urls import path, re_path

from . import views

app_name = "monitoring"
urlpatterns = [
    path("", views.dashboard, name="dashboard"),
    re_path(r"^data/(?P<chart>[a-z0-9_-]+)\.(?P<fmt>csv|xlsx)$", views.download, name="download"),
    path("kpi/", views.kpi_progress, name="kpi"),
    path("outcomes/", views.outcomes, name="outcomes"),
    path("outcomes/new/", views.outcome_create, name="outcome_create"),
    path("outcomes/import/", views.outcome_import, name="outcome_import"),
    path("observations/", views.observations, name="observations"),
    path("observations/new/", views.observation_add, name="observation_add"),
    path("observations/import/", views.observation_import, name="observation_import"),
    path("observations/<int:pk>/delete/", views.observation_delete, name="observation_delete"),
    path("refresh/", views.refresh, name="refresh"),
    path("refresh/start/", views.refresh_start, name="refresh_start"),
    path("refresh/<int:pk>/", views.refresh_status, name="refresh_status"),
]
