from django.http import HttpResponse
from django.utils.http import content_disposition_header


def pdf_response(pdf: bytes, filename: str, *, as_attachment: bool) -> HttpResponse:
    """A PDF that no cache may keep: it holds a patient's data."""
    response = HttpResponse(pdf, content_type="application/pdf")
    disposition = content_disposition_header(as_attachment, filename)
    if disposition:  # None only for an inline response without a filename
        response["Content-Disposition"] = disposition
    response["Cache-Control"] = "no-store"
    return response
