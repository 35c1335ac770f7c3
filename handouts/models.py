"""What we gave: one handout for one patient, frozen at the moment it was issued."""

import datetime
import hashlib
import uuid

from django.conf import settings
from django.db import models
from django.urls import reverse

from education.models import Article, RestGuidance
from handouts.snapshot import build_snapshot
from portal.models import PaperSize


class HandoutQuerySet(models.QuerySet):
    def search_patient(self, query: str) -> "HandoutQuerySet":
        return self.filter(patient_name__icontains=query.strip()) if query.strip() else self


class Handout(models.Model):
    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    # Sent with the builder form; a second submit of the same form finds the first handout.
    issue_token = models.UUIDField(unique=True, null=True, blank=True, editable=False)

    article = models.ForeignKey(Article, on_delete=models.PROTECT, related_name="handouts")
    language = models.CharField(max_length=10)
    snapshot = models.JSONField(help_text="The article content as it was when issued.")

    # Personal data: removed by retention purges.
    patient_name = models.CharField(max_length=100)
    record_number = models.CharField(max_length=40, blank=True)
    clinician_note = models.TextField(blank=True)

    # Personal choices.
    visit_date = models.DateField()
    rest_weeks = models.PositiveSmallIntegerField()
    crutches = models.BooleanField()
    weight_bearing = models.CharField(max_length=20, choices=RestGuidance.WeightBearing.choices)
    therapy_plan = models.JSONField(
        default=list, help_text='[{"key": ..., "times_per_week": n, "weeks": n}]'
    )
    prevention_tip_keys = models.JSONField(default=list)
    follow_up_date = models.DateField(null=True, blank=True)
    paper_size = models.CharField(max_length=10, choices=PaperSize.choices)
    large_print = models.BooleanField(default=False)

    issued_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="issued_handouts"
    )
    issued_by_name = models.CharField(max_length=150)
    issued_at = models.DateTimeField()

    pdf = models.BinaryField(editable=False)
    pdf_sha256 = models.CharField(max_length=64, editable=False)

    objects = HandoutQuerySet.as_manager()

    class Meta:
        ordering = ["-issued_at"]

    def __str__(self) -> str:
        return f"Handout {self.public_id}"

    def get_absolute_url(self) -> str:
        return reverse("handouts:detail", kwargs={"public_id": self.public_id})

    # --- Content ---------------------------------------------------------------------------

    @property
    def title(self) -> str:
        return self.snapshot["article"]["title"]

    @property
    def rest_until(self) -> datetime.date:
        return self.visit_date + datetime.timedelta(weeks=self.rest_weeks)

    def chosen_therapies(self) -> list[dict]:
        """The chosen therapies with their frozen text and the clinician's frequency."""
        by_key = {therapy["key"]: therapy for therapy in self.snapshot["therapies"]}
        return [
            {**by_key[plan["key"]], "times_per_week": plan["times_per_week"],
             "weeks": plan["weeks"]}
            for plan in self.therapy_plan
            if plan["key"] in by_key
        ]

    def chosen_prevention_tips(self) -> list[dict]:
        chosen = set(self.prevention_tip_keys)
        return [tip for tip in self.snapshot["prevention_tips"] if tip["key"] in chosen]

    def content_has_changed(self) -> bool:
        """True when the article now reads differently from what this handout was made from."""
        return build_snapshot(self.article)["version"] != self.snapshot["version"]

    # --- The stored PDF --------------------------------------------------------------------

    def store_pdf(self, pdf: bytes) -> None:
        self.pdf = pdf
        self.pdf_sha256 = hashlib.sha256(pdf).hexdigest()

    def verified_pdf(self) -> bytes | None:
        """The stored PDF, or None when it no longer matches the hash taken at issue."""
        pdf = bytes(self.pdf)
        return pdf if hashlib.sha256(pdf).hexdigest() == self.pdf_sha256 else None

    def pdf_filename(self) -> str:
        # Never the patient's name: filenames end up in download folders and mail attachments.
        return f"handout-{self.snapshot['condition']['slug']}-{self.visit_date.isoformat()}.pdf"
