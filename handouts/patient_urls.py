from django.urls import path

from handouts import patient_views

app_name = "patient"

urlpatterns = [
    path("<str:token>/", patient_views.open_link, name="open"),
    path("<str:token>/handout/", patient_views.read_handout, name="read"),
    path("<str:token>/check/", patient_views.check_handout, name="check"),
    path("<str:token>/handout.pdf", patient_views.download_handout, name="download"),
    path("<str:token>/logo", patient_views.clinic_logo, name="logo"),
]
