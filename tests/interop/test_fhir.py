"""The FHIR R4 read API: each handout delivered at a visit as a DocumentReference, its PDF as
a Binary, each way it reached the patient as a Communication; searches, paging, the one-visit
export; tokens, audit, rate limit; what never appears."""

import base64
import datetime
import hashlib
import json

import pytest
from django.db import connection, transaction
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from handouts.events import record_event
from handouts.models import HandoutEvent
from handouts.retention import purge_handout
from handouts.sharing import share_handout
from interop.models import ApiClient
from portal.models import AuditEvent
from tests.interop.fhir_helpers import (
    BASE,
    fhir_get,
    fhir_token,
    validated,
    without_last_updated,
)

pytestmark = pytest.mark.django_db

Kind = HandoutEvent.Kind
PDF = "application/pdf"


@pytest.fixture
def token() -> str:
    return fhir_token()


@pytest.fixture
def delivery(issue, sample_article):
    """A handout for a patient with a record number, as the clinic records them."""
    return issue(sample_article, record_number="MRN-0042")


def stored_pdf(handout) -> bytes:
    pdf = handout.verified_pdf()
    assert pdf
    return pdf


# --- The CapabilityStatement -----------------------------------------------------------------


def test_metadata_needs_no_token_and_states_what_we_serve(client: Client) -> None:
    statement = validated(fhir_get(client, "metadata", token=""))
    assert statement["resourceType"] == "CapabilityStatement"
    assert statement["fhirVersion"] == "4.0.1"
    served = {r["type"]: r for r in statement["rest"][0]["resource"]}
    assert set(served) == {"DocumentReference", "Binary", "Communication"}
    assert {p["name"] for p in served["DocumentReference"]["searchParam"]} == {
        "patient.identifier",
        "date",
        "_lastUpdated",
        "_count",
    }
    assert (
        fhir_get(client, "metadata", token="").content
        == fhir_get(client, "metadata", token="").content
    )


# --- Tokens ----------------------------------------------------------------------------------


def refused(response) -> bool:
    return response.status_code == 401 and response.content == b""


def test_every_resource_but_metadata_needs_a_token_with_the_fhir_read_scope(
    client: Client, delivery, time_machine
) -> None:
    time_machine.move_to(timezone.now())
    paths = [
        "DocumentReference",
        f"DocumentReference/{delivery.public_id}",
        f"DocumentReference/{delivery.public_id}/$everything",
        f"Binary/{delivery.public_id}",
        f"Communication/{delivery.public_id}.0",
    ]
    infobutton_only = fhir_token("Infobutton only", scopes=("infobutton",))
    revoked = fhir_token("Revoked")
    ApiClient.objects.get(name="Revoked").revoke()
    expiring = fhir_token("Expiring")
    ApiClient.objects.filter(name="Expiring").update(
        expires_at=timezone.now() + datetime.timedelta(minutes=1)
    )
    valid = fhir_token()
    time_machine.shift(datetime.timedelta(minutes=2))
    for path in paths:
        assert refused(fhir_get(client, path, token=""))
        assert refused(fhir_get(client, path, token=valid[:-2] + "xx"))
        assert refused(fhir_get(client, path, token=infobutton_only))
        assert refused(fhir_get(client, path, token=revoked))
        assert refused(fhir_get(client, path, token=expiring))
        assert fhir_get(client, path, token=valid).status_code in {200, 404}
    audited = AuditEvent.objects.filter(action=AuditEvent.Action.FHIR_READ)
    assert set(audited.values_list("actor_username", flat=True)) == {"Clinic EHR"}


def test_requests_past_the_rate_limit_get_429(client: Client, token, settings) -> None:
    settings.API_RATE_LIMIT_PER_MINUTE = 2
    answers = [fhir_get(client, "DocumentReference", token).status_code for _ in range(3)]
    assert answers == [200, 200, 429]


# --- DocumentReference -----------------------------------------------------------------------


def test_a_delivery_is_a_document_reference_whose_attachment_is_its_pdf(
    client: Client, token, delivery, clinic, settings
) -> None:
    settings.FHIR_RECORD_NUMBER_SYSTEM = "urn:oid:1.2.36.146.595.217.0.1"
    document = validated(fhir_get(client, f"DocumentReference/{delivery.public_id}", token))
    pdf = stored_pdf(delivery)
    assert document["id"] == str(delivery.public_id)
    assert (document["status"], document["docStatus"]) == ("current", "final")
    assert document["type"]["coding"][0]["system"] == "http://loinc.org"
    assert document["type"]["coding"][0]["code"] == "69730-0"
    assert document["category"][0]["coding"][0]["code"] == "clinical-note"
    assert document["subject"] == {
        "type": "Patient",
        "identifier": {"system": "urn:oid:1.2.36.146.595.217.0.1", "value": "MRN-0042"},
        "display": "Zoë Núñez-O'Brien",
    }
    assert document["date"] == delivery.issued_at.astimezone(datetime.UTC).isoformat(
        timespec="microseconds"
    ).replace("+00:00", "Z")
    assert document["author"] == [{"type": "Practitioner", "display": delivery.issued_by_name}]
    assert document["custodian"]["display"] == "Riverside Sports Clinic"
    assert document["language"] == "en"
    attachment = document["content"][0]["attachment"]
    assert attachment["contentType"] == PDF
    assert attachment["size"] == len(pdf)
    assert base64.b64decode(attachment["hash"]) == hashlib.sha1(pdf).digest()  # noqa: S324  (FHIR says SHA-1)
    assert attachment["title"] == delivery.title
    assert attachment["url"] == f"http://testserver{BASE}Binary/{delivery.public_id}"
    assert document["context"]["period"]["start"] == "2027-02-02"


def test_unknown_and_purged_deliveries(client: Client, token, delivery) -> None:
    missing = "00000000-0000-4000-8000-000000000000"
    assert validated(fhir_get(client, f"DocumentReference/{missing}", token), 404)
    with transaction.atomic():
        purge_handout(delivery, timezone.now())
    for path in [
        f"DocumentReference/{delivery.public_id}",
        f"DocumentReference/{delivery.public_id}/$everything",
        f"Binary/{delivery.public_id}",
    ]:
        gone = validated(fhir_get(client, path, token), 410)
        assert gone["issue"][0]["code"] == "deleted"
    assert validated(fhir_get(client, "DocumentReference", token))["total"] == 0


def test_a_replaced_delivery_is_superseded_and_its_replacement_says_so(
    client: Client, token, issue, sample_article, delivery
) -> None:
    newer = issue(sample_article, replaces=delivery)
    old = validated(fhir_get(client, f"DocumentReference/{delivery.public_id}", token))
    new = validated(fhir_get(client, f"DocumentReference/{newer.public_id}", token))
    assert (old["status"], new["status"]) == ("superseded", "current")
    assert new["relatesTo"] == [
        {"code": "replaces", "target": {"reference": f"DocumentReference/{delivery.public_id}"}}
    ]


# --- Binary ----------------------------------------------------------------------------------


def test_binary_answers_with_the_pdf_or_a_binary_resource_as_asked(
    client: Client, token, delivery
) -> None:
    pdf = stored_pdf(delivery)
    path = f"Binary/{delivery.public_id}"
    for accept in [PDF, "*/*", "text/html"]:
        response = fhir_get(client, path, token, accept=accept)
        assert response.status_code == 200
        assert response["Content-Type"] == PDF
        assert response.content == pdf
    for accept in ["application/fhir+json", "application/json"]:
        resource = validated(fhir_get(client, path, token, accept=accept))
        assert resource["contentType"] == PDF
        assert base64.b64decode(resource["data"]) == pdf
    assert validated(fhir_get(client, path, token, accept=PDF, _format="json"))["id"]


# --- Communications and the one-visit export -------------------------------------------------


@pytest.fixture
def reached(delivery, clinician):
    """The delivery printed, shared by link and email, then opened, read and downloaded by the
    patient: returns the link's token and code and the address."""
    record_event(delivery, Kind.PRINTED, staff=clinician)
    shared = share_handout(
        delivery,
        staff=clinician,
        days=30,
        email="zoe.patient@example.org",
        url_for=lambda token: f"http://testserver/p/{token}",
    )
    link = shared.new_link.link
    record_event(delivery, Kind.EMAIL_SENT, share_link=link)
    for kind in [Kind.LINK_OPENED, Kind.CODE_FAILED, Kind.PATIENT_VIEWED, Kind.PATIENT_DOWNLOADED]:
        record_event(delivery, kind, share_link=link, device=HandoutEvent.Device.PHONE)
    return shared.new_link.token, shared.new_link.code, "zoe.patient@example.org"


def test_everything_exports_the_visit_with_a_communication_per_way_it_reached_the_patient(
    client: Client, token, delivery, reached
) -> None:
    everything = validated(
        fhir_get(client, f"DocumentReference/{delivery.public_id}/$everything", token)
    )
    assert everything["type"] == "collection"
    kinds = [entry["resource"]["resourceType"] for entry in everything["entry"]]
    assert kinds == ["DocumentReference", "Binary"] + ["Communication"] * 6
    communications = [entry["resource"] for entry in everything["entry"][2:]]
    assert [c["topic"]["text"] for c in communications] == [
        "Opened for printing",
        "Patient link created",
        "Link emailed to the patient",
        "Link opened",
        "Read by the patient",
        "PDF downloaded by the patient",
    ]
    assert [c["medium"][0]["coding"][0]["code"] for c in communications] == [
        "WRITTEN",
        "ONLINEWRIT",
        "EMAILWRIT",
        "ONLINEWRIT",
        "ONLINEWRIT",
        "ELECTRONIC",
    ]
    assert all("sent" in c for c in communications[:3])
    assert all("received" in c for c in communications[3:])
    for communication in communications:
        assert communication["payload"][0]["contentReference"]["reference"] == (
            f"DocumentReference/{delivery.public_id}"
        )
        assert communication["reasonCode"][0]["coding"][0]["code"].startswith("M")
        read = validated(fhir_get(client, f"Communication/{communication['id']}", token))
        assert read == communication
    assert validated(fhir_get(client, f"Communication/{delivery.public_id}.0", token), 404)


def test_no_access_code_link_token_or_email_address_ever_appears(
    client: Client, token, delivery, reached
) -> None:
    link_token, code, address = reached
    bodies = [
        fhir_get(client, f"DocumentReference/{delivery.public_id}/$everything", token).content,
        fhir_get(client, "DocumentReference", token).content,
        fhir_get(client, f"Binary/{delivery.public_id}", token).content,
    ]
    for body in bodies:
        text = body.decode("utf-8", errors="replace")
        for secret in [link_token, code, code.replace("-", ""), address, "@"]:
            assert secret not in text


def test_the_same_delivery_gives_the_same_json_apart_from_last_updated(
    client: Client, token, delivery, clinician, time_machine
) -> None:
    time_machine.move_to(timezone.now())
    path = f"DocumentReference/{delivery.public_id}/$everything"
    record_event(delivery, Kind.PRINTED, staff=clinician)
    first = fhir_get(client, path, token).content
    assert fhir_get(client, path, token).content == first
    time_machine.shift(datetime.timedelta(days=3))
    record_event(delivery, Kind.LINK_OPENED, device=HandoutEvent.Device.PHONE)
    later = json.loads(fhir_get(client, path, token).content)
    earlier = json.loads(first)
    assert later["entry"][0]["resource"]["meta"] != earlier["entry"][0]["resource"]["meta"]
    assert without_last_updated(later)["entry"][:3] == without_last_updated(earlier)["entry"]


# --- Search ----------------------------------------------------------------------------------


@pytest.fixture
def three_visits(issue, sample_article, time_machine):
    """Deliveries issued on 1, 2 and 3 February 2027, the second for another patient."""
    made = []
    for day, record_number in [(1, "MRN-1"), (2, "MRN-2"), (3, "MRN-1")]:
        time_machine.move_to(datetime.datetime(2027, 2, day, 10, tzinfo=datetime.UTC))
        made.append(issue(sample_article, record_number=record_number))
    return made


def ids(bundle: dict) -> list[str]:
    return [entry["resource"]["id"] for entry in bundle.get("entry", [])]


def test_a_bare_search_lists_every_delivery_oldest_first(
    client: Client, token, three_visits
) -> None:
    bundle = validated(fhir_get(client, "DocumentReference", token))
    assert bundle["type"] == "searchset"
    assert bundle["total"] == 3
    assert ids(bundle) == [str(h.public_id) for h in three_visits]


def test_search_by_record_number_and_date(client: Client, token, three_visits, settings) -> None:
    first, second, third = (str(h.public_id) for h in three_visits)

    def search(**params: str) -> list[str]:
        return ids(validated(fhir_get(client, "DocumentReference", token, **params)))

    assert search(**{"patient.identifier": "MRN-1"}) == [first, third]
    assert search(**{"patient.identifier": "|MRN-2"}) == [second]
    assert search(**{"patient.identifier": "MRN-3"}) == []
    settings.FHIR_RECORD_NUMBER_SYSTEM = "urn:oid:1.2.3"
    assert search(**{"patient.identifier": "urn:oid:1.2.3|MRN-2"}) == [second]
    assert search(**{"patient.identifier": "urn:oid:9.9|MRN-2"}) == []
    assert search(date="ge2027-02-02") == [second, third]
    assert search(date="2027-02-02") == [second]
    assert search(date="lt2027-02-02") == [first]
    assert search(date="gt2027-02") == []
    assert search(date="2027") == [first, second, third]
    assert search(date="le2027-02-01T10:00:00Z") == [first]
    assert search(date="lt2027-02-01T10:00:00Z") == []
    assert search(date="ge2027-02-03T10:00Z") == [third]


def test_last_updated_finds_deliveries_that_reached_the_patient_since(
    client: Client, token, three_visits, time_machine
) -> None:
    time_machine.move_to(datetime.datetime(2027, 2, 10, 8, tzinfo=datetime.UTC))
    record_event(three_visits[0], Kind.PATIENT_VIEWED, device=HandoutEvent.Device.PHONE)
    since = "gt2027-02-05T00:00:00Z"
    bundle = validated(fhir_get(client, "DocumentReference", token, _lastUpdated=since))
    assert ids(bundle) == [str(three_visits[0].public_id)]
    assert bundle["entry"][0]["resource"]["meta"]["lastUpdated"] == "2027-02-10T08:00:00.000000Z"


def test_a_page_costs_the_same_queries_however_many_deliveries_it_holds(
    client: Client, token, three_visits
) -> None:
    def queries(count: str) -> int:
        with CaptureQueriesContext(connection) as captured:
            page = validated(fhir_get(client, "DocumentReference", token, _count=count))
        assert len(page["entry"]) == int(count)
        return len(captured)

    queries("3")  # the PDFs' facts are read once, then kept in the cache
    assert queries("1") == queries("3")


def test_searches_come_in_pages_linked_by_next(client: Client, token, three_visits) -> None:
    seen = []
    page = validated(fhir_get(client, "DocumentReference", token, _count="2"))
    while True:
        assert page["total"] == 3
        seen += ids(page)
        following = [link["url"] for link in page["link"] if link["relation"] == "next"]
        if not following:
            break
        page = validated(client.get(following[0], headers={"Authorization": f"Bearer {token}"}))
    assert seen == [str(h.public_id) for h in three_visits]


@pytest.mark.parametrize(
    ("params", "named"),
    [
        ({"patient": "Patient/1"}, "patient"),
        ({"date": "2027-02-30"}, "date"),
        ({"date": "sa2027"}, "date"),
        ({"_count": "0"}, "_count"),
        ({"_cursor": "nonsense"}, "_cursor"),
        ({"_format": "xml"}, "_format"),
    ],
)
def test_a_search_we_cannot_answer_gets_400_naming_the_parameter(
    client: Client, token, params: dict, named: str
) -> None:
    outcome = validated(fhir_get(client, "DocumentReference", token, **params), 400)
    assert outcome["issue"][0]["diagnostics"].startswith(f"{named}:")


# --- Audit -----------------------------------------------------------------------------------


def test_every_read_is_an_audit_event_naming_the_client_type_and_count_only(
    client: Client, token, delivery
) -> None:
    fhir_get(client, "DocumentReference", token, **{"patient.identifier": "MRN-0042"})
    fhir_get(client, f"Binary/{delivery.public_id}", token)
    fhir_get(client, "DocumentReference/00000000-0000-4000-8000-000000000000", token)
    fhir_get(client, "metadata", token="")
    api_client = ApiClient.objects.get()
    events = AuditEvent.objects.filter(action=AuditEvent.Action.FHIR_READ).order_by("id")
    assert [(e.object_id, e.actor_username, e.detail) for e in events] == [
        (str(api_client.public_id), "Clinic EHR", "DocumentReference search: 1"),
        (str(api_client.public_id), "Clinic EHR", "Binary read: 1"),
        (str(api_client.public_id), "Clinic EHR", "DocumentReference read: 0"),
    ]
