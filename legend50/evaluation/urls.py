from django.urls import path

from . import views

app_name = "evaluation"
urlpatterns = [
    path("", views.home, name="home"),
    path("experts/", views.expert_list, name="expert_list"),
    path("experts/new/", views.expert_create, name="expert_create"),
    path("experts/import/", views.expert_import, name="expert_import"),
    path("experts/import/template.xlsx", views.expert_import_template, name="expert_import_template"),
    path("experts/<int:pk>/", views.expert_detail, name="expert_detail"),
    path("experts/<int:pk>/edit/", views.expert_edit, name="expert_edit"),
    path("me/", views.me, name="me"),
    path("calls/<slug:code>/", views.call_overview, name="call"),
    path("calls/<slug:code>/chair/", views.set_chair, name="set_chair"),
    path("calls/<slug:code>/pledge/", views.pledge, name="pledge"),
    path("calls/<slug:code>/mine/", views.my_assignments, name="my_assignments"),
    path("calls/<slug:code>/bids/", views.bids, name="bids"),
    path("calls/<slug:code>/conflicts/", views.conflicts, name="conflicts"),
    path("calls/<slug:code>/assignment/", views.assignment, name="assignment"),
    path("calls/<slug:code>/assignment/runs/<int:run_pk>/", views.run_detail, name="run"),
    path("calls/<slug:code>/assignment/report/", views.assignment_report, name="assignment_report"),
    path(
        "calls/<slug:code>/assignment/report.xlsx",
        views.assignment_report,
        {"fmt": "xlsx"},
        name="assignment_report_xlsx",
    ),
    path("calls/<slug:code>/fees/", views.fees, name="fees"),
    path("calls/<slug:code>/panel/", views.panel, name="panel"),
    path("calls/<slug:code>/panel.xlsx", views.panel, {"fmt": "xlsx"}, name="panel_xlsx"),
    path("calls/<slug:code>/panel/finalize/", views.finalize, name="finalize"),
    path("proposals/<int:pk>/review/", views.review, name="review"),
    path("proposals/<int:pk>/review/print/", views.review_print, name="review_print"),
    path("proposals/<int:pk>/review.xlsx", views.review_xlsx, name="review_xlsx"),
    path(
        "proposals/<int:pk>/attachments/<int:attachment_pk>/",
        views.review_attachment,
        name="review_attachment",
    ),
    path("proposals/<int:pk>/conflict/", views.declare_conflict, name="declare_conflict"),
    path("proposals/<int:pk>/summary/", views.proposal_summary, name="summary"),
    path("proposals/<int:pk>/summary/print/", views.proposal_summary, {"fmt": "print"}, name="summary_print"),
    path("proposals/<int:pk>/summary.xlsx", views.proposal_summary, {"fmt": "xlsx"}, name="summary_xlsx"),
    path("proposals/<int:pk>/consensus/", views.consensus, name="consensus"),
    path("reviews/<int:review_pk>/reopen/", views.reopen, name="reopen"),
]
