from django.urls import path

from . import views

app_name = "opendata"
urlpatterns = [
    path("", views.index, name="index"),
    path("360giving.json", views.grants_360giving, name="360giving"),
    path("<slug:name>.<slug:fmt>", views.download, name="download"),
]
