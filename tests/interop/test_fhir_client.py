"""A real FHIR client (fhirclient, whose models are FHIR R4 4.0.1's and refuse what R4 does
not allow) reads the deliveries from the running server, as an EHR would."""

import base64
import hashlib

import pytest
from fhirclient.models.binary import Binary
from fhirclient.models.bundle import Bundle
from fhirclient.models.documentreference import DocumentReference
from fhirclient.server import FHIRServer

from handouts.events import record_event
from handouts.models import HandoutEvent
from tests.interop.fhir_helpers import BASE, fhir_token

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def issued(issue, sample_article, clinician) -> list:
    """Issued before the live server starts: a render forks, best done with one thread. The
    second was printed and opened by the patient."""
    handouts = [issue(sample_article, record_number=f"MRN-{n}") for n in range(3)]
    record_event(handouts[1], HandoutEvent.Kind.PRINTED, staff=clinician)
    record_event(handouts[1], HandoutEvent.Kind.LINK_OPENED, device=HandoutEvent.Device.PHONE)
    return handouts


def test_an_ehr_lists_the_deliveries_and_fetches_each_pdf_whose_hash_matches(
    issued, live_server
) -> None:
    server = FHIRServer(None, base_uri=live_server.url + BASE)
    server.session.headers["Authorization"] = f"Bearer {fhir_token()}"
    try:
        reads_deliveries(server, issued)
    finally:
        # Its connections end before the live server stops, not in the middle of a request.
        server.session.close()


def reads_deliveries(server: FHIRServer, issued: list) -> None:
    statement = server.capabilityStatement
    assert statement.fhirVersion == "4.0.1"

    search = DocumentReference.where(struct={"_count": "2"})
    documents = list(search.perform_resources_iter(server))  # follows the `next` links
    assert [d.id for d in documents] == [str(h.public_id) for h in issued]

    [mine] = DocumentReference.where(struct={"patient.identifier": "MRN-1"}).perform_resources_iter(
        server
    )
    assert mine.subject.identifier.value == "MRN-1"
    attachment = mine.content[0].attachment
    assert attachment.contentType == "application/pdf"

    binary = Binary.read(mine.id, server)
    pdf = base64.b64decode(binary.data)
    assert pdf == server.request_data(attachment.url, headers={"Accept": "application/pdf"})
    assert pdf.startswith(b"%PDF-")
    assert base64.b64decode(attachment.hash) == hashlib.sha1(pdf).digest()  # noqa: S324  (FHIR says SHA-1)
    assert attachment.size == len(pdf)

    everything = Bundle.read_from(f"DocumentReference/{mine.id}/$everything", server)
    assert [entry.resource.resource_type for entry in everything.entry] == [
        "DocumentReference",
        "Binary",
        "Communication",
        "Communication",
    ]
    assert [c.resource.medium[0].coding[0].code for c in everything.entry[2:]] == [
        "WRITTEN",
        "ONLINEWRIT",
    ]
