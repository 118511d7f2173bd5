"""The off-site backup page; mounted at ``backups/``."""

from django.urls import path

from casetrail.web.backups import views as backup_views

urlpatterns = [
    path("", backup_views.backup_list, name="backup-list"),
]
