from django.http import HttpResponse
from django.utils.http import content_disposition_header


def pdf_response(pdf: bytes, filename: str, *, as_attachment: bool) -> HttpResponse:
    """A PDF that no cache may keep: it holds a patient's data."""
    response = HttpResponse(pdf, content_type="application/pdf")
    response["Content-Disposition"] = content_disposition_header(as_attachment, filename)
    response["Cache-Control"] = "no-store"
    return response
