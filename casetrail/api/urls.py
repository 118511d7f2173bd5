from django.urls import path

from casetrail.api import views

urlpatterns = [
    path("ledger/<slug:code>/", views.log_info, name="api-log"),
    path("ledger/<slug:code>/checkpoint", views.checkpoint_note, name="api-checkpoint"),
    path("ledger/<slug:code>/checkpoints", views.checkpoint_list, name="api-checkpoints"),
    path("ledger/<slug:code>/proof/inclusion", views.inclusion_proof, name="api-inclusion"),
    path("ledger/<slug:code>/proof/consistency", views.consistency_proof, name="api-consistency"),
]
