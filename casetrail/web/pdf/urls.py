from django.urls import path

from casetrail.web.pdf import views

urlpatterns = [
    path("documents/<int:document_id>.pdf", views.document_pdf, name="document-pdf"),
    path(
        "cases/<int:case_id>/blank/<slug:kind>.pdf",
        views.blank_form_pdf,
        name="document-blank-pdf",
    ),
    path("v/", views.verify_lookup, name="verify-lookup"),
    path("v/<str:code>", views.verify_document, name="verify-document"),
]
