"""The FHIR R4 resources we serve, as JSON-ready dicts, built from deliveries.

Deterministic: the same delivery always gives the same resource, apart from
meta.lastUpdated. Built only from what the clinic may share with its EHR: never an access
code, a link token or an email address (none of them is even read here).
"""

import base64
import datetime
import uuid
from typing import Any

from django.utils import translation

from handouts.issuing import display_name
from handouts.models import Handout, HandoutEvent
from interop.fhir.deliveries import (
    Coding,
    PdfFacts,
    delivery_codes,
    delivery_title,
)
from portal.models import ClinicProfile

type Resource = dict[str, Any]

FHIR_VERSION = "4.0.1"
LOINC = "http://loinc.org"
# LOINC's document type for instructions given to the patient.
DOCUMENT_TYPE = Coding(LOINC, "69730-0", "Instructions")
# US Core's document category: a clinical note (the one category it defines).
DOCUMENT_CATEGORY = Coding(
    "http://hl7.org/fhir/us/core/CodeSystem/us-core-documentreference-category",
    "clinical-note",
    "Clinical Note",
)
COMMUNICATION_CATEGORY = Coding(
    "http://terminology.hl7.org/CodeSystem/communication-category", "instruction", "Instruction"
)
PARTICIPATION_MODE = "http://terminology.hl7.org/CodeSystem/v3-ParticipationMode"
WRITTEN = Coding(PARTICIPATION_MODE, "WRITTEN", "written")
ONLINE = Coding(PARTICIPATION_MODE, "ONLINEWRIT", "online written")
EMAIL = Coding(PARTICIPATION_MODE, "EMAILWRIT", "email")
ELECTRONIC = Coding(PARTICIPATION_MODE, "ELECTRONIC", "electronic data")
Kind = HandoutEvent.Kind
# How each way of reaching the patient travelled, and whether the patient did it (then the
# Communication was received at that moment) or staff did (then it was sent).
MEDIUM: dict[str, tuple[Coding, bool]] = {
    Kind.PRINTED: (WRITTEN, False),
    Kind.LINK_CREATED: (ONLINE, False),
    Kind.EMAIL_SENT: (EMAIL, False),
    Kind.LINK_OPENED: (ONLINE, True),
    Kind.PATIENT_VIEWED: (ONLINE, True),
    Kind.PATIENT_DOWNLOADED: (ELECTRONIC, True),
}
# Communication ids: the delivery's id, a dot, and a digest of the event, so they are stable,
# lead to their delivery, and tell nothing of how many events the portal holds.
COMMUNICATION_IDS = uuid.UUID("6f1d3c52-2b8e-4a7e-9c1e-5d0f6a8b9e21")


RECORD_NUMBER_SEARCH = "The patient's record number, as value or system|value."
LAST_UPDATED_SEARCH = "When the delivery was issued or last reached the patient."
EVERYTHING = "OperationDefinition/DocumentReference-everything"


def instant(moment: datetime.datetime) -> str:
    """A FHIR instant, in UTC to the microsecond, always written the same way."""
    return moment.astimezone(datetime.UTC).isoformat(timespec="microseconds").replace("+00:00", "Z")


def coding(code: Coding) -> dict[str, str]:
    return {"system": code.system, "code": code.code, "display": code.display}


def concept(*codes: Coding, text: str = "") -> dict[str, Any]:
    value: dict[str, Any] = {"coding": [coding(code) for code in codes]}
    if text:
        value["text"] = text
    return value


def patient_reference(handout: Handout, record_number_system: str) -> dict[str, Any]:
    """The patient as the EHR knows them: by record number (when the clinic records them)
    and name. We hold no Patient resource."""
    reference: dict[str, Any] = {"type": "Patient"}
    if handout.record_number:
        identifier = {"value": handout.record_number}
        if record_number_system:
            identifier = {"system": record_number_system, **identifier}
        reference["identifier"] = identifier
    reference["display"] = handout.patient_name
    return reference


def document_reference(
    handout: Handout,
    *,
    base: str,
    pdf: PdfFacts | None,
    clinic: ClinicProfile,
    record_number_system: str,
    last_updated: datetime.datetime,
    superseded: bool,
    replaces: uuid.UUID | None,
) -> Resource:
    title = delivery_title(handout)
    attachment: dict[str, Any] = {
        "contentType": "application/pdf",
        "language": handout.language,
        "url": f"{base}Binary/{handout.public_id}",
    }
    if pdf is not None:
        attachment |= {"size": pdf.size, "hash": pdf.sha1_base64}
    attachment |= {"title": title, "creation": instant(handout.issued_at)}
    resource: Resource = {
        "resourceType": "DocumentReference",
        "id": str(handout.public_id),
        "meta": {"lastUpdated": instant(last_updated)},
        "language": handout.language,
        "masterIdentifier": {"system": "urn:ietf:rfc:3986", "value": handout.public_id.urn},
        "status": "superseded" if superseded else "current",
        "docStatus": "final",
        "type": concept(DOCUMENT_TYPE),
        "category": [concept(DOCUMENT_CATEGORY)],
        "subject": patient_reference(handout, record_number_system),
        "date": instant(handout.issued_at),
        "author": [{"type": "Practitioner", "display": handout.issued_by_name}],
        "custodian": {"type": "Organization", "display": clinic.name},
        "description": title,
        "content": [{"attachment": attachment}],
        "context": {"period": {"start": handout.visit_date.isoformat()}},
    }
    if replaces is not None:
        resource["relatesTo"] = [
            {"code": "replaces", "target": {"reference": f"DocumentReference/{replaces}"}}
        ]
    return resource


def binary(handout: Handout, pdf: bytes) -> Resource:
    return {
        "resourceType": "Binary",
        "id": str(handout.public_id),
        "meta": {"lastUpdated": instant(handout.issued_at)},
        "contentType": "application/pdf",
        "securityContext": {"reference": f"DocumentReference/{handout.public_id}"},
        "data": base64.b64encode(pdf).decode(),
    }


def communication_id(handout: Handout, event: HandoutEvent) -> str:
    digest = uuid.uuid5(COMMUNICATION_IDS, f"{handout.public_id}/{event.pk}").hex[:16]
    return f"{handout.public_id}.{digest}"


def communication(handout: Handout, event: HandoutEvent, *, record_number_system: str) -> Resource:
    medium, by_patient = MEDIUM[event.kind]
    with translation.override("en"):
        what = str(event.get_kind_display())
    patient = patient_reference(handout, record_number_system)
    resource: Resource = {
        "resourceType": "Communication",
        "id": communication_id(handout, event),
        "meta": {"lastUpdated": instant(event.at)},
        "language": handout.language,
        "status": "completed",
        "category": [concept(COMMUNICATION_CATEGORY)],
        "medium": [concept(medium)],
        "subject": patient,
        "topic": {"text": what},
    }
    if by_patient:
        resource |= {"received": instant(event.at), "recipient": [patient]}
    else:
        resource |= {"sent": instant(event.at), "recipient": [patient]}
        if event.staff is not None:
            resource["sender"] = {"type": "Practitioner", "display": display_name(event.staff)}
    codes = delivery_codes(handout)
    if codes:
        resource["reasonCode"] = [concept(code) for code in codes]
    resource["payload"] = [
        {
            "contentReference": {
                "reference": f"DocumentReference/{handout.public_id}",
                "display": delivery_title(handout),
            }
        }
    ]
    return resource


def operation_outcome(code: str, diagnostics: str = "") -> Resource:
    """An error the client can read. `diagnostics` never holds patient data."""
    issue: dict[str, str] = {"severity": "error", "code": code}
    if diagnostics:
        issue["diagnostics"] = diagnostics
    return {"resourceType": "OperationOutcome", "issue": [issue]}


def bundle(
    kind: str,
    entries: list[tuple[str, Resource]],
    *,
    total: int | None = None,
    links: dict[str, str] | None = None,
) -> Resource:
    """A Bundle of (fullUrl, resource) entries: a searchset (with its total and page links)
    or a collection."""
    result: Resource = {"resourceType": "Bundle", "type": kind}
    if total is not None:
        result["total"] = total
    if links:
        result["link"] = [{"relation": relation, "url": url} for relation, url in links.items()]
    result["entry"] = [
        {"fullUrl": full_url, "resource": resource}
        | ({"search": {"mode": "match"}} if kind == "searchset" else {})
        for full_url, resource in entries
    ]
    return result


def capability_statement(
    *, base: str, software_version: str, published: datetime.date, cors: bool
) -> Resource:
    """What we serve: read-only DocumentReference (read, search), Binary and Communication
    (read), and the one-visit export."""
    bearer = {
        "coding": [
            {
                "system": "http://terminology.hl7.org/CodeSystem/restful-security-service",
                "code": "OAuth",
                "display": "OAuth",
            }
        ],
        "text": "Bearer token of an API client with the fhir.read scope",
    }
    date_param = "http://hl7.org/fhir/SearchParameter/"
    return {
        "resourceType": "CapabilityStatement",
        "status": "active",
        "date": published.isoformat(),
        "publisher": "Patient education portal",
        "kind": "instance",
        "software": {"name": "Patient education portal", "version": software_version},
        "implementation": {"description": "Patient education deliveries", "url": base},
        "fhirVersion": FHIR_VERSION,
        "format": ["application/fhir+json", "json"],
        "rest": [
            {
                "mode": "server",
                "documentation": (
                    "One DocumentReference per handout delivered at a visit, its PDF as a "
                    "Binary, and one Communication per way it reached the patient. "
                    "DocumentReference/[id]/$everything returns all three in one Bundle."
                ),
                "security": {"cors": cors, "service": [bearer]},
                "resource": [
                    {
                        "type": "DocumentReference",
                        "interaction": [{"code": "read"}, {"code": "search-type"}],
                        "searchParam": [
                            {
                                "name": "patient.identifier",
                                "type": "token",
                                "documentation": RECORD_NUMBER_SEARCH,
                            },
                            {
                                "name": "date",
                                "definition": f"{date_param}DocumentReference-date",
                                "type": "date",
                            },
                            {
                                "name": "_lastUpdated",
                                "definition": f"{date_param}Resource-lastUpdated",
                                "type": "date",
                                "documentation": LAST_UPDATED_SEARCH,
                            },
                            {
                                "name": "_count",
                                "type": "number",
                                "documentation": "Results per page, 1 to 100 (default 20).",
                            },
                        ],
                        "operation": [
                            {
                                "name": "everything",
                                "definition": f"{base}{EVERYTHING}",
                                "documentation": "The delivery, its PDF and its Communications.",
                            }
                        ],
                    },
                    {"type": "Binary", "interaction": [{"code": "read"}]},
                    {"type": "Communication", "interaction": [{"code": "read"}]},
                ],
            }
        ],
    }
