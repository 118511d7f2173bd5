"""The ingest-station API, mounted at ``api/ingest/`` (see `casetrail.api.ingest`)."""

from django.urls import path

from casetrail.api import ingest as api

urlpatterns = [
    path("recordings", api.register_recording, name="ingest-recordings"),
    path("whoami", api.whoami, name="ingest-whoami"),
]
