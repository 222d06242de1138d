from django.urls import path

from . import views

app_name = "events"
urlpatterns = [
    path("", views.event_list, name="list"),
    path("agreements/<int:pk>/document/", views.agreement_document, name="agreement_document"),
    path("<slug:slug>/", views.event_detail, name="detail"),
    path("<slug:slug>/schedule/", views.schedule, name="schedule"),
    path("<slug:slug>/schedule.ics", views.schedule_ics, name="schedule_ics"),
    path("<slug:slug>/schedule/<int:pk>/delete/", views.session_delete, name="session_delete"),
    path("<slug:slug>/awards/", views.recipients, name="recipients"),
    path("<slug:slug>/awards/print/", views.recipients, {"printable": True}, name="recipients_print"),
    path("<slug:slug>/awards/publish/", views.recipients_publish, name="recipients_publish"),
    path("<slug:slug>/nominations/", views.nomination_list, name="nominations"),
    path("<slug:slug>/nominations/new/", views.nomination_new, name="nomination_new"),
    path("<slug:slug>/nominations/<int:pk>/", views.nomination_detail, name="nomination"),
    path("<slug:slug>/nominations/<int:pk>/screen/", views.nomination_screen, name="nomination_screen"),
    path("<slug:slug>/nominations/<int:pk>/review/", views.nomination_review, name="nomination_review"),
    path("<slug:slug>/nominations/<int:pk>/decide/", views.nomination_decide, name="nomination_decide"),
    path("<slug:slug>/nominations/<int:pk>/attachments/", views.nomination_attach, name="nomination_attach"),
    path(
        "<slug:slug>/nominations/<int:pk>/attachments/<int:attachment_pk>/",
        views.attachment_download,
        name="attachment",
    ),
    path("<slug:slug>/nominations/<int:pk>/withdraw/", views.nomination_withdraw, name="nomination_withdraw"),
    path("<slug:slug>/exhibitors/", views.exhibitor_directory, name="exhibitors"),
    path("<slug:slug>/exhibitors/apply/", views.exhibitor_apply, name="exhibitor_apply"),
    path("<slug:slug>/exhibitors/manage/", views.exhibitor_manage, name="exhibitor_manage"),
    path("<slug:slug>/exhibitors/publish/", views.exhibitors_publish, name="exhibitors_publish"),
    path("<slug:slug>/exhibitors/<int:pk>/", views.exhibitor_detail, name="exhibitor"),
    path("<slug:slug>/exhibitors/<int:pk>/review/", views.exhibitor_review, name="exhibitor_review"),
    path("<slug:slug>/exhibitors/<int:pk>/booth/", views.exhibitor_booth, name="exhibitor_booth"),
    path("<slug:slug>/agreements/", views.agreements, name="agreements"),
    path("<slug:slug>/stats/", views.statistics, name="stats"),
]
