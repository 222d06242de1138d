from django.urls import path

from . import views

app_name = "support"
urlpatterns = [
    path("", views.instrument_list, name="instruments"),
    path("instruments/new/", views.instrument_create, name="instrument_create"),
    path("instruments/<slug:code>/", views.instrument_detail, name="instrument_detail"),
    path("instruments/<slug:code>/award/", views.award_new, name="award_new"),
    path("instruments/<slug:code>/budget/", views.instrument_budget, name="instrument_budget"),
    path("awards/", views.award_list, name="awards"),
    path("awards/<int:pk>/", views.award_detail, name="award_detail"),
    path("awards/<int:pk>/cancel/", views.award_cancel, name="award_cancel"),
    path("participation/", views.participation_list, name="participations"),
    path("participation/apply/", views.participation_apply, name="participation_apply"),
    path("participation/<int:pk>/", views.participation_detail, name="participation_detail"),
    path("report/", views.concentration, name="concentration"),
    path("report.xlsx", views.concentration_xlsx, name="concentration_xlsx"),
]
