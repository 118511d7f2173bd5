from django.contrib.auth import views as auth_views
from django.urls import path

from casetrail.web import (
    views,
    views_activation,
    views_agencies,
    views_approvals,
    views_calendar,
    views_deadlines,
    views_documents,
    views_officers,
    views_performance,
    views_recordings,
    views_service,
)

urlpatterns = [
    path("login/", auth_views.LoginView.as_view(template_name="web/login.html"), name="login"),
    path("logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("activate/", views_activation.activate, name="activate"),
    path("", views.case_list, name="case-list"),
    path("home/", views.home, name="home"),
    path("cases/new/", views.case_open, name="case-open"),
    path("cases/<int:case_id>/", views.case_detail, name="case-detail"),
    path("cases/<int:case_id>/filing/", views.case_filing_decision, name="case-filing"),
    path(
        "cases/<int:case_id>/acts/<int:entry_id>/proof.json",
        views.case_act_proof,
        name="case-act-proof",
    ),
    path("agencies/", views_agencies.agency_list, name="agency-list"),
    path("agencies/new/", views_agencies.agency_new, name="agency-new"),
    path("agencies/<int:agency_id>/", views.agency_detail, name="agency-detail"),
    path("agencies/<int:agency_id>/edit/", views_agencies.agency_edit, name="agency-edit"),
    path("agencies/<int:agency_id>/audit/", views_agencies.agency_audit, name="agency-audit"),
    path("agencies/<int:agency_id>/officers/", views_officers.officer_list, name="officer-list"),
    path("agencies/<int:agency_id>/officers/new/", views_officers.officer_new, name="officer-new"),
    path(
        "agencies/<int:agency_id>/officers/import/",
        views_officers.officer_import,
        name="officer-import",
    ),
    path(
        "agencies/<int:agency_id>/officers/template.xlsx",
        views_officers.officer_template,
        name="officer-template",
    ),
    path(
        "agencies/<int:agency_id>/officers/<int:officer_id>/",
        views_officers.officer_detail,
        name="officer-detail",
    ),
    path(
        "agencies/<int:agency_id>/officers/<int:officer_id>/code/",
        views_officers.officer_new_code,
        name="officer-new-code",
    ),
    path(
        "agencies/<int:agency_id>/officers/<int:officer_id>/deactivate/",
        views_officers.officer_deactivate,
        name="officer-deactivate",
    ),
    path("approvals/", views_approvals.approval_inbox, name="approval-inbox"),
    path(
        "cases/<int:case_id>/close-investigation/",
        views_approvals.case_close_investigation,
        name="case-close-investigation",
    ),
    path("cases/<int:case_id>/gates/", views_approvals.case_gates, name="case-gates"),
    path("cases/<int:case_id>/extension/", views_approvals.case_extension, name="case-extension"),
    path("cases/<int:case_id>/documents/new/", views_documents.document_new, name="document-new"),
    path(
        "cases/<int:case_id>/documents/new/<slug:kind>/",
        views_documents.document_create,
        name="document-create",
    ),
    path(
        "cases/<int:case_id>/documents/<int:document_id>/",
        views_documents.document_detail,
        name="document-detail",
    ),
    path(
        "cases/<int:case_id>/documents/<int:document_id>/edit/",
        views_documents.document_edit,
        name="document-edit",
    ),
    path(
        "cases/<int:case_id>/documents/<int:document_id>/sign/",
        views_documents.document_sign,
        name="document-sign",
    ),
    path(
        "cases/<int:case_id>/documents/<int:document_id>/signature/<slug:method>/",
        views_documents.document_signature,
        name="document-signature",
    ),
    path(
        "cases/<int:case_id>/documents/<int:document_id>/refusal/",
        views_documents.document_refusal,
        name="document-refusal",
    ),
    path(
        "cases/<int:case_id>/documents/<int:document_id>/finalise/",
        views_documents.document_finalise,
        name="document-finalise",
    ),
    path(
        "cases/<int:case_id>/documents/<int:document_id>/service/",
        views_service.document_service,
        name="document-service",
    ),
    path(
        "cases/<int:case_id>/documents/<int:document_id>/services/<int:service_id>/<slug:name>",
        views_service.service_proof,
        name="service-proof",
    ),
    path(
        "cases/<int:case_id>/performance/",
        views_performance.case_performance,
        name="case-performance",
    ),
    path("cases/<int:case_id>/close/", views_performance.case_close, name="case-close"),
    path(
        "cases/<int:case_id>/recordings/<int:recording_id>/",
        views_recordings.recording_detail,
        name="recording-detail",
    ),
    path(
        "cases/<int:case_id>/recordings/<int:recording_id>/file",
        views_recordings.recording_file,
        name="recording-file",
    ),
    path("deadlines/", views_deadlines.deadline_list, name="deadline-list"),
    path("calendar/<int:year>/", views_calendar.calendar_year, name="calendar-year"),
    path(
        "cases/<int:case_id>/documents/<int:document_id>/propose/",
        views_documents.document_propose,
        name="document-propose",
    ),
    path(
        "cases/<int:case_id>/documents/<int:document_id>/signatures/<int:signature_id>/image",
        views_documents.signature_image,
        name="signature-image",
    ),
]
