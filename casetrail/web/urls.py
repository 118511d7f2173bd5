from django.contrib.auth import views as auth_views
from django.urls import path

from casetrail.web import views

urlpatterns = [
    path("login/", auth_views.LoginView.as_view(template_name="web/login.html"), name="login"),
    path("logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("", views.case_list, name="case-list"),
    path("cases/new/", views.case_open, name="case-open"),
    path("cases/<int:case_id>/", views.case_detail, name="case-detail"),
    path("cases/<int:case_id>/filing/", views.case_filing_decision, name="case-filing"),
    path(
        "cases/<int:case_id>/acts/<int:entry_id>/proof.json",
        views.case_act_proof,
        name="case-act-proof",
    ),
    path("agencies/<int:agency_id>/", views.agency_detail, name="agency-detail"),
]
