"""Resumable uploads (tus) and the recording upload page; mounted at ``uploads/``."""

from django.urls import path

from casetrail.web.uploads import tus, views

urlpatterns = [
    path("tus/", tus.collection, name="tus-collection"),
    path("tus/<uuid:upload_id>", tus.resource, name="tus-resource"),
    path("cases/<int:case_id>/recordings/new", views.recording_new, name="recording-new"),
]
