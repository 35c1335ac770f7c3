from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.urls import include, path

from portal import language, views

urlpatterns = [
    # The staff home (the library's front page) belongs to education.
    path("", include("education.home_urls")),
    path("login/", auth_views.LoginView.as_view(redirect_authenticated_user=True), name="login"),
    path("logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("language/", language.set_language, name="set_language"),
    path("two-factor/", views.mfa_recovery_codes, name="mfa_status"),
    path("two-factor/set-up/", views.mfa_setup, name="mfa_setup"),
    path("two-factor/verify/", views.mfa_verify, name="mfa_verify"),
    path("library/", include("education.urls")),
    path("handouts/", include("handouts.urls")),
    path("reports/", include("reports.urls")),
    # Patients' links: short, since they are printed and typed. Their headers come from
    # portal.middleware.PatientPageHeadersMiddleware (PATIENT_PAGES).
    path("p/", include("handouts.patient_urls")),
    # The EHR's way in; MedlinePlus Connect's clients are configured with a base URL.
    path("", include("interop.urls")),
    path("clinic/logo/", views.clinic_logo, name="clinic_logo"),
    path("admin/", admin.site.urls),
]

# A database out of reach gets a 503 page that says so; any other failure, the 500 page.
handler500 = "portal.database_outage.server_error"
