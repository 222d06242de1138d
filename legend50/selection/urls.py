from django.urls import path

from . import views

app_name = "selection"
urlpatterns = [
    path("", views.index, name="index"),
    path("results/", views.latest_results, name="latest_results"),
    path("calls/<slug:code>/round/", views.round_view, name="round"),
    path("calls/<slug:code>/propose/", views.decision_propose, name="propose"),
    path("calls/<slug:code>/results/", views.results, name="results"),
    path("calls/<slug:code>/my-results/", views.my_results, name="my_results"),
    path("decisions/<int:pk>/", views.decision_detail, name="decision"),
    path("decisions/<int:pk>/approve/", views.decision_approve, name="approve"),
    path("decisions/<int:pk>/reject/", views.decision_reject, name="reject"),
    path("decisions/<int:pk>/withdraw/", views.decision_withdraw, name="withdraw"),
    path("items/<int:pk>/", views.decision_item_update, name="item_update"),
    path("items/<int:item_pk>/objection/", views.objection_file, name="objection_file"),
    path("objections/<int:pk>/", views.objection_detail, name="objection"),
]
