from django.urls import path

from interop import views
from interop.fhir import views as fhir

app_name = "interop"

urlpatterns = [
    path("infobutton/", views.infobutton, name="infobutton"),
    path("fhir/R4/metadata", fhir.metadata, name="fhir_metadata"),
    path(
        "fhir/R4/DocumentReference",
        fhir.document_reference_search,
        name="fhir_document_reference_search",
    ),
    path(
        "fhir/R4/DocumentReference/<uuid:public_id>",
        fhir.document_reference_read,
        name="fhir_document_reference",
    ),
    path(
        "fhir/R4/DocumentReference/<uuid:public_id>/$everything",
        fhir.document_reference_everything,
        name="fhir_document_reference_everything",
    ),
    path("fhir/R4/Binary/<uuid:public_id>", fhir.binary_read, name="fhir_binary"),
    path(
        "fhir/R4/Communication/<str:communication_id>",
        fhir.communication_read,
        name="fhir_communication",
    ),
]
