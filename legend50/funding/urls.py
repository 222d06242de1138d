from django.urls import path

from . import views

app_name = "funding"
urlpatterns = [
    path("", views.project_list, name="list"),
    path("board/", views.board, name="board"),
    path("board/export.xlsx", views.board_export, name="board_export"),
    path("projects/<int:pk>/", views.project_detail, name="project"),
    path("projects/<int:pk>/agreement/", views.agreement_edit, name="agreement"),
    path("projects/<int:pk>/disburse/", views.project_disburse, name="project_disburse"),
    path("projects/<int:pk>/spending/", views.spending_submit, name="spending"),
    path("projects/<int:pk>/plan-change/", views.plan_change_request, name="plan_change"),
    path("projects/<int:pk>/settlement/<int:year>/", views.settlement_submit, name="settlement"),
    path("projects/<int:pk>/settlement/<int:year>/close/", views.settlement_close, name="settlement_close"),
    path("projects/<int:pk>/kpi/", views.kpi_record, name="kpi"),
    path("projects/<int:pk>/review/", views.annual_review, name="review"),
    path("allocations/<int:pk>/disburse/", views.disburse, name="disburse"),
    path("reports/<int:pk>/review/", views.spending_review, name="report_review"),
    path("evidence/<int:pk>/", views.evidence_download, name="evidence"),
    path("plan-changes/<int:pk>/decide/", views.plan_change_decide, name="plan_change_decide"),
]
