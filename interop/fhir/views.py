"""The FHIR R4 read API: /fhir/R4/...

Every view but `metadata` needs an API client's token with the `fhir.read` scope (refused
with a bare 401, as every API endpoint is: interop.api), is rate-limited per client, and is
recorded as an audit event naming the client, the resource type and how many resources it
returned, never which patient.

Deliveries purged by retention answer 410 Gone when read and are left out of searches.
"""

import datetime
import functools
import json
import uuid
from collections.abc import Callable
from dataclasses import dataclass

from django.conf import settings
from django.db.models import Q
from django.http import HttpRequest, HttpResponse
from django.urls import reverse
from django.views.decorators.http import require_http_methods

from handouts.models import Handout
from interop.api import api_endpoint, client_of
from interop.fhir import resources
from interop.fhir.deliveries import communicated_events, pdf_facts, readable_deliveries
from interop.fhir.search import CURSOR, FHIR_JSON_FORMATS, BadSearch, read_search
from interop.models import Scope
from portal.audit import Action, record_audit
from portal.models import ClinicProfile

FHIR_JSON = "application/fhir+json; charset=utf-8"
PDF = "application/pdf"
# When the CapabilityStatement last changed: its `date`, so the statement is the same bytes
# on every request.
CAPABILITIES_CHANGED = datetime.date(2026, 12, 8)
SOFTWARE_VERSION = "2026.12"


def fhir_json(resource: resources.Resource, status: int = 200) -> HttpResponse:
    body = json.dumps(resource, ensure_ascii=False, separators=(",", ":"))
    response = HttpResponse(body, status=status, content_type=FHIR_JSON)
    # Patient data: for the client that asked, never for a shared cache.
    response["Cache-Control"] = "no-store"
    return response


def outcome(status: int, code: str, diagnostics: str = "") -> HttpResponse:
    return fhir_json(resources.operation_outcome(code, diagnostics), status=status)


def fhir_base(request: HttpRequest) -> str:
    """The service base URL, ending in "/", as the client reached it."""
    return request.build_absolute_uri(reverse("interop:fhir_metadata").removesuffix("metadata"))


@dataclass(frozen=True)
class Answer:
    response: HttpResponse
    count: int  # how many resources it holds, for the audit event


def _always() -> bool:
    return True


def _never() -> bool:
    return False


def fhir_read(resource_type: str, interaction: str) -> Callable[[Callable[..., Answer]], Callable]:
    """A FHIR read for a client with `fhir.read`; each answer becomes one audit event."""

    def decorate(answer: Callable[..., Answer]) -> Callable[..., HttpResponse]:
        @require_http_methods(["GET", "OPTIONS"])
        @api_endpoint(Scope.FHIR_READ, require_token=_always)
        @functools.wraps(answer)
        def view(request: HttpRequest, **kwargs: object) -> HttpResponse:
            result = answer(request, **kwargs)
            client = client_of(request)
            assert client is not None  # api_endpoint let only clients through
            record_audit(
                None,
                Action.FHIR_READ,
                obj=client,
                username=client.name,
                detail=f"{resource_type} {interaction}: {result.count}",
            )
            return result.response

        return view

    return decorate


@require_http_methods(["GET", "OPTIONS"])
@api_endpoint(Scope.FHIR_READ, require_token=_never)
def metadata(request: HttpRequest) -> HttpResponse:
    """The CapabilityStatement: open to all, as the spec allows; it holds no patient data."""
    return fhir_json(
        resources.capability_statement(
            base=fhir_base(request),
            software_version=SOFTWARE_VERSION,
            published=CAPABILITIES_CHANGED,
            cors=bool(settings.API_CORS_ORIGINS),
        )
    )


def delivery_or_refusal(public_id: uuid.UUID) -> Handout | Answer:
    """The readable delivery with this id, or the answer that there is none: 404, or 410
    Gone when retention purged it (its id stays known; what it held does not)."""
    delivery = readable_deliveries().filter(public_id=public_id).first()
    if delivery is not None:
        return delivery
    if Handout.objects.filter(public_id=public_id).exists():
        return Answer(outcome(410, "deleted", "Removed at the end of its retention period."), 0)
    return Answer(outcome(404, "not-found"), 0)


def document_references(
    request: HttpRequest, deliveries: list[Handout]
) -> list[tuple[str, resources.Resource]]:
    """(fullUrl, DocumentReference) of each delivery, its PDF facts read in one go."""
    base = fhir_base(request)
    facts = pdf_facts(deliveries)
    clinic = ClinicProfile.load()
    return [
        (
            f"{base}DocumentReference/{delivery.public_id}",
            resources.document_reference(
                delivery,
                base=base,
                pdf=facts.get(delivery.pk),
                clinic=clinic,
                record_number_system=settings.FHIR_RECORD_NUMBER_SYSTEM,
                last_updated=delivery.last_updated,  # type: ignore[attr-defined]
                superseded=delivery.superseded,  # type: ignore[attr-defined]
                replaces=delivery.replaces_public_id,  # type: ignore[attr-defined]
            ),
        )
        for delivery in deliveries
    ]


@fhir_read("DocumentReference", "search")
def document_reference_search(request: HttpRequest) -> Answer:
    """Every readable delivery matching the search, oldest first, a page at a time; the
    `next` link carries a cursor (the last delivery's id), so new deliveries never shift a
    page."""
    try:
        search = read_search(dict(request.GET.lists()))
        deliveries = search.apply(readable_deliveries())
        total = deliveries.count()
        page = deliveries.order_by("issued_at", "public_id")
        if search.cursor:
            page = page.filter(after_cursor(search.cursor))
    except BadSearch as error:
        return Answer(outcome(400, "invalid", str(error)), 0)
    found = list(page[: search.count + 1])
    shown = found[: search.count]
    base = fhir_base(request)
    links = {"self": request.build_absolute_uri()}
    if len(found) > search.count:
        params = request.GET.copy()
        params[CURSOR] = str(shown[-1].public_id)
        links["next"] = f"{base}DocumentReference?{params.urlencode()}"
    bundle = resources.bundle(
        "searchset", document_references(request, shown), total=total, links=links
    )
    return Answer(fhir_json(bundle), len(shown))


def after_cursor(cursor: str) -> Q:
    """The deliveries after the one the cursor names, in the search's order."""
    try:
        public_id = uuid.UUID(cursor)
    except ValueError:
        raise BadSearch(f"{CURSOR}: not a page of this search.") from None
    last = Handout.objects.filter(public_id=public_id).values("issued_at").first()
    if last is None:
        raise BadSearch(f"{CURSOR}: not a page of this search.")
    return Q(issued_at__gt=last["issued_at"]) | Q(
        issued_at=last["issued_at"], public_id__gt=public_id
    )


@fhir_read("DocumentReference", "read")
def document_reference_read(request: HttpRequest, public_id: uuid.UUID) -> Answer:
    delivery = delivery_or_refusal(public_id)
    if isinstance(delivery, Answer):
        return delivery
    [(_url, resource)] = document_references(request, [delivery])
    return Answer(fhir_json(resource), 1)


@fhir_read("DocumentReference", "$everything")
def document_reference_everything(request: HttpRequest, public_id: uuid.UUID) -> Answer:
    """One visit's delivery whole: its DocumentReference, its PDF as a Binary and a
    Communication for each way it reached the patient, as a collection Bundle."""
    delivery = delivery_or_refusal(public_id)
    if isinstance(delivery, Answer):
        return delivery
    base = fhir_base(request)
    entries = document_references(request, [delivery])
    pdf = delivery.verified_pdf()
    if pdf is not None:
        entries.append((f"{base}Binary/{delivery.public_id}", resources.binary(delivery, pdf)))
    entries += communication_entries(base, delivery)
    return Answer(fhir_json(resources.bundle("collection", entries)), len(entries))


def communication_entries(base: str, delivery: Handout) -> list[tuple[str, resources.Resource]]:
    system = settings.FHIR_RECORD_NUMBER_SYSTEM
    return [
        (
            f"{base}Communication/{resources.communication_id(delivery, event)}",
            resources.communication(delivery, event, record_number_system=system),
        )
        for event in communicated_events(delivery)
    ]


@fhir_read("Binary", "read")
def binary_read(request: HttpRequest, public_id: uuid.UUID) -> Answer:
    """The delivery's PDF: the PDF itself for a client that asks for a PDF or anything but
    FHIR (Accept or _format), a Binary resource for one that asks for FHIR JSON."""
    delivery = delivery_or_refusal(public_id)
    if isinstance(delivery, Answer):
        return delivery
    pdf = delivery.verified_pdf()
    if pdf is None:
        return Answer(outcome(404, "not-found", "No PDF is stored for this delivery."), 0)
    if wants_fhir(request):
        return Answer(fhir_json(resources.binary(delivery, pdf)), 1)
    response = HttpResponse(pdf, content_type=PDF)
    response["Content-Disposition"] = f'inline; filename="{delivery.pdf_filename()}"'
    response["Cache-Control"] = "no-store"
    return Answer(response, 1)


def wants_fhir(request: HttpRequest) -> bool:
    requested = request.GET.get("_format")
    if requested:
        return requested in FHIR_JSON_FORMATS
    preferred = request.get_preferred_type([PDF, "application/fhir+json", "application/json"])
    return preferred in {"application/fhir+json", "application/json"}


@fhir_read("Communication", "read")
def communication_read(request: HttpRequest, communication_id: str) -> Answer:
    delivery_id, _dot, _digest = communication_id.partition(".")
    try:
        public_id = uuid.UUID(delivery_id)
    except ValueError:
        return Answer(outcome(404, "not-found"), 0)
    delivery = delivery_or_refusal(public_id)
    if isinstance(delivery, Answer):
        return delivery
    for _url, resource in communication_entries(fhir_base(request), delivery):
        if resource["id"] == communication_id:
            return Answer(fhir_json(resource), 1)
    return Answer(outcome(404, "not-found"), 0)
