"""A canary patient name goes through the whole handout life; it must never appear in logs,
URLs, response headers, email or PDF metadata."""

import io
import logging
from typing import cast

import pytest
from django.contrib.auth.models import User
from django.core import mail
from django.test import Client
from django.urls import reverse
from pypdf import PdfReader
from pypdf.generic import StreamObject

from education.models import Article
from handouts.models import Handout
from portal.models import ClinicProfile
from tests.handouts.helpers import run_worker
from tests.helpers import TestResponse, pdf_text, present

# The worker sends the link email, and runs outside a test's transaction.
pytestmark = pytest.mark.django_db(transaction=True)
CANARY = "Canaryname Zzyzx-Quill"
CANARY_RECORD = "MRN-73519-QX"
CANARY_PARTS = ["Canaryname", "Zzyzx", "Quill", CANARY_RECORD]


class Everything(logging.Handler):
    def __init__(self) -> None:
        super().__init__(level=logging.DEBUG)
        self.lines: list[str] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.lines.append(self.format(record) + str(record.__dict__))


@pytest.mark.usefixtures("visit_day")  # the data describes a visit on 2 February 2027
def test_canary_patient_name_never_leaks(
    client: Client, clinician: User, sample_article: Article, clinic: ClinicProfile
) -> None:
    handler = Everything()
    root = logging.getLogger()
    previous_level = root.level
    root.addHandler(handler)
    root.setLevel(logging.DEBUG)
    seen_urls: list[str] = []
    seen_headers: list[str] = []

    def track(response: TestResponse) -> TestResponse:
        seen_urls.append(
            response.request["PATH_INFO"] + "?" + response.request.get("QUERY_STRING", "")
        )
        seen_headers.append(str(sorted(response.headers.items())))
        if "Location" in response:
            seen_urls.append(response["Location"])
        return response

    clinic.use_record_numbers = True
    clinic.save()
    try:
        client.force_login(clinician)
        builder = reverse("handouts:new", args=["bone-marrow-edema", "en"])
        form = client.get(builder).context["form"]
        data = {
            "issue_token": str(form.initial["issue_token"]),
            "patient_name": CANARY,
            "record_number": CANARY_RECORD,
            "visit_date": "2027-02-02",
            "site": "knee",
            "activity": "rest",
            "rest_weeks": "6",
            "load": "partial",
            "paper_size": "a4",
            "clinician_note": "Note",
            "action": "issue",
        }
        track(client.post(builder, {**data, "action": "preview"}))
        issued = track(client.post(builder, data))
        handout = Handout.objects.get()
        track(client.get(issued["Location"]))
        track(client.get(reverse("handouts:pdf", args=[handout.public_id])))
        track(client.post(reverse("handouts:list"), {"patient": "Canaryname"}))
        shared = track(
            client.post(
                reverse("handouts:share", args=[handout.public_id]),
                {"days": "30", "email": "patient@example.org"},
            )
        )
        run_worker()
        result = shared.context["result"]
        patient = Client()
        track(patient.get(result.url))
        track(patient.post(result.url, {"code": "WRONGCODE"}))
        track(patient.post(result.url, {"code": result.new_link.code}))
        track(patient.get(result.url + "handout/"))
        downloaded = track(patient.get(result.url + "handout.pdf"))
        # Requests that log (404s), so the scan has log lines to read.
        track(patient.get(reverse("patient:open", args=["no-such-token-00000000"])))
        track(client.get(reverse("handouts:detail", args=["00000000-0000-4000-8000-000000000000"])))
    finally:
        root.removeHandler(handler)
        root.setLevel(previous_level)

    assert CANARY in pdf_text(downloaded.content)  # the name really went through
    assert len(mail.outbox) == 1  # and the email went out
    assert CANARY_RECORD in pdf_text(downloaded.content)
    for part in CANARY_PARTS:
        assert not any(part in line for line in handler.lines), part
        assert not any(part in url for url in seen_urls), part
        assert not any(part in headers for headers in seen_headers), part
        assert all(part not in str(m.subject) + str(m.body) + str(m.to) for m in mail.outbox), part
    reader = PdfReader(io.BytesIO(bytes(handout.stored_pdf.pdf)))
    metadata = (
        str(dict(present(reader.metadata)))
        + cast(StreamObject, reader.root_object["/Metadata"]).get_data().decode()
    )
    for part in CANARY_PARTS:
        assert part not in metadata, part
    assert sum("Not Found" in line for line in handler.lines) >= 2  # the scan saw the log
