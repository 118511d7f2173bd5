from django.contrib import admin
from django.templatetags.static import static
from django.urls import include, path
from django.views.generic.base import RedirectView

urlpatterns = [
    path("admin/", admin.site.urls),
    # Browsers ask for /favicon.ico on every page, the verification page and PDFs included.
    path(
        "favicon.ico",
        RedirectView.as_view(url=static("casetrail/favicon.svg"), permanent=True),
        name="favicon",
    ),
    path("api/ingest/", include("casetrail.api.ingest_urls")),
    path("api/", include("casetrail.api.urls")),
    path("uploads/", include("casetrail.web.uploads.urls")),
    path("backups/", include("casetrail.web.backups.urls")),
    path("", include("casetrail.web.pdf.urls")),
    path("", include("casetrail.web.urls")),
]

# Error pages in zh-Hans with a way back (casetrail/web/errors.py).
handler400 = "casetrail.web.errors.bad_request"
handler403 = "casetrail.web.errors.permission_denied"
handler404 = "casetrail.web.errors.page_not_found"
handler500 = "casetrail.web.errors.server_error"
