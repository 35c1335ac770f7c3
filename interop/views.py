from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.utils import translation
from django.views.decorators.http import require_http_methods

from interop.api import api_endpoint
from interop.infobutton import (
    JSON,
    BadParameter,
    atom_feed,
    entries,
    find_entries,
    json_feed,
    read_request,
)
from interop.models import Scope


def _require_token() -> bool:
    return settings.INFOBUTTON_REQUIRE_TOKEN


@require_http_methods(["GET", "POST", "OPTIONS"])
@api_endpoint(Scope.INFOBUTTON, require_token=_require_token)
def infobutton(request: HttpRequest) -> HttpResponse:
    """An HL7 Infobutton knowledge request (URL-based, by GET, or form-encoded by POST),
    answered in MedlinePlus Connect's Atom or JSON. Published education only: no patient
    data goes in or out."""
    try:
        knowledge = read_request(request.POST if request.method == "POST" else request.GET)
    except BadParameter as error:
        return HttpResponse(str(error), status=400, content_type="text/plain; charset=utf-8")
    with translation.override(knowledge.language):
        items = entries(request, knowledge, find_entries(knowledge))
        if knowledge.response_type == JSON:
            response = HttpResponse(json_feed(request, knowledge, items), content_type=JSON)
        else:
            response = HttpResponse(
                atom_feed(request, knowledge, items), content_type="text/xml; charset=utf-8"
            )
    response["Content-Language"] = knowledge.language
    return response
