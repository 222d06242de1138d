from django.urls import path

from . import views

app_name = "programs"
urlpatterns = [
    path("", views.program_list, name="list"),
    path("<slug:code>/", views.program_detail, name="detail"),
    path("<slug:code>/calls/new/", views.call_edit, name="call_new"),
    path("<slug:code>/calls/<slug:call_code>/", views.call_detail, name="call_detail"),
    path("<slug:code>/calls/<slug:call_code>/edit/", views.call_edit, name="call_edit"),
]
