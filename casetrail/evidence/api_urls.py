"""The ingest-station API, mounted at ``api/ingest/`` (see `casetrail.evidence.api`)."""

from django.urls import path

from casetrail.evidence import api

urlpatterns = [
    path("recordings", api.register_recording, name="ingest-recordings"),
    path("whoami", api.whoami, name="ingest-whoami"),
]
