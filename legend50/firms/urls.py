from django.urls import path

from . import views

app_name = "firms"
urlpatterns = [
    path("", views.firm_list, name="list"),
    path("new/", views.firm_create, name="create"),
    path("<int:pk>/", views.firm_detail, name="detail"),
    path("<int:pk>/edit/", views.firm_edit, name="edit"),
    path("<int:pk>/financials/", views.financial_save, name="financial_save"),
    path("<int:pk>/certificates/", views.certificate_upload, name="certificate_upload"),
    path("<int:pk>/certificates/<int:cert_pk>/", views.certificate_download, name="certificate_download"),
    path("import/", views.import_new, name="import"),
    path("import/template.csv", views.import_template, name="import_template"),
    path("import/<int:pk>/", views.import_detail, name="import_detail"),
    path("import/<int:pk>/progress/", views.import_progress, name="import_progress"),
    path("import/<int:pk>/errors.csv", views.import_report, name="import_report"),
]
