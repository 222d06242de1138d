from django.urls import path

from . import views

app_name = "proposals"
urlpatterns = [
    path("", views.proposal_list, name="list"),
    path("export/", views.proposal_export, name="export"),
    path("new/", views.proposal_new, name="new"),
    path("workflow/", views.workflow_table, name="workflow"),
    path("<int:pk>/", views.proposal_detail, name="detail"),
    path("<int:pk>/print/", views.proposal_print, name="print"),
    path("<int:pk>/edit/", views.proposal_edit, name="edit"),
    path("<int:pk>/save/", views.proposal_save, name="save"),
    path("<int:pk>/consortium/", views.consortium_add, name="consortium_add"),
    path("<int:pk>/consortium/<int:member_id>/remove/", views.consortium_remove, name="consortium_remove"),
    path("<int:pk>/kpis/", views.kpis_save, name="kpis_save"),
    path("<int:pk>/budget/", views.budget_save, name="budget_save"),
    path("<int:pk>/firms/", views.firm_add, name="firm_add"),
    path("<int:pk>/firms/import/", views.firms_import, name="firms_import"),
    path("<int:pk>/firms/template.csv", views.firms_template, name="firms_template"),
    path("<int:pk>/firms/<int:link_id>/remove/", views.firm_remove, name="firm_remove"),
    path("<int:pk>/attachments/", views.attachment_add, name="attachment_add"),
    path("<int:pk>/attachments/<int:attachment_id>/", views.attachment_download, name="attachment_download"),
    path(
        "<int:pk>/attachments/<int:attachment_id>/remove/", views.attachment_remove, name="attachment_remove"
    ),
    path("<int:pk>/do/<slug:action>/", views.proposal_transition, name="transition"),
    path("<int:pk>/revision/", views.revision_request, name="revision_request"),
    path("<int:pk>/consultants/", views.consultant_assign, name="consultant_assign"),
    path(
        "<int:pk>/consultants/<int:assignment_id>/remove/",
        views.consultant_unassign,
        name="consultant_unassign",
    ),
    path("<int:pk>/feedback/", views.feedback_add, name="feedback_add"),
    path("<int:pk>/versions/compare/", views.version_compare, name="version_compare"),
    path("<int:pk>/versions/<int:number>/", views.version_detail, name="version_detail"),
]
