from django.contrib import admin
from django.urls import include, path

urlpatterns = [
    path("admin/", admin.site.urls),
    path("api/ingest/", include("casetrail.evidence.api_urls")),
    path("api/", include("casetrail.api.urls")),
    path("uploads/", include("casetrail.evidence.urls")),
    path("backups/", include("casetrail.evidence.backup_urls")),
    path("", include("casetrail.documents.urls")),
    path("", include("casetrail.web.urls")),
]
