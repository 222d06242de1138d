from django.urls import path

from . import views

app_name = "registry"
urlpatterns = [
    path("regions/", views.region_list, name="regions"),
    path("organizations/", views.organization_list, name="organizations"),
    path("organizations/<int:pk>/", views.organization_detail, name="organization"),
]
