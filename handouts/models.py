"""What we gave: one handout for one patient, frozen at the moment it was issued."""

import datetime
import hashlib
import uuid
from collections.abc import Iterable
from typing import Any, cast

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxLengthValidator
from django.db import models, transaction
from django.db.models.fields.json import KT
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.functional import cached_property
from django.utils.text import slugify
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext

from education.models import Article, Condition
from education.plan_blocks import PlanChoices, PlanError, PlanOffer
from education.search import normalize_for_search
from education.snapshot import content_fingerprint, plan_offer_of
from portal.models import AppendOnlyModel, PaperSize

# The limits of the patient's details, for the model and the builder's form alike.
MAX_PATIENT_NAME_LENGTH = 100
MAX_RECORD_NUMBER_LENGTH = 40
MAX_NOTE_LENGTH = 1000


class HandoutQuerySet(models.QuerySet["Handout"]):
    def for_lists(self) -> "HandoutQuerySet":
        """What a row of a handout list shows: its title (Handout.title), read from its
        conditions' snapshots in the same query, not their whole snapshots, which hold the
        articles' every section."""
        conditions = HandoutCondition.objects.filter(handout=models.OuterRef("pk")).order_by()
        return self.annotate(
            listed_title=models.Subquery(
                conditions.filter(position=0).values(title=KT("snapshot__article__title"))[:1]
            ),
            **{
                f"listed_name_{position}": models.Subquery(
                    conditions.filter(position=position).values(
                        name=KT("snapshot__condition__name")
                    )[:1]
                )
                for position in range(MAX_CONDITIONS)
            },
        )

    def with_conditions(self) -> "HandoutQuerySet":
        """Each handout with its conditions (and their articles and conditions) in one more
        query, however many there are: what every page showing a handout's content reads."""
        return self.prefetch_related(
            models.Prefetch(
                "conditions",
                queryset=HandoutCondition.objects.select_related("article__condition"),
            )
        )

    def search_patient(self, query: str) -> "HandoutQuerySet":
        """Every word of the query must appear in the patient's name, ignoring case and
        accents. Searches the normalized column: indexed by trigrams on PostgreSQL."""
        handouts = self
        for word in normalize_for_search(query).split():
            handouts = handouts.filter(patient_name_search__contains=word)
        return handouts

    def for_conditions(self, query: str) -> "HandoutQuerySet":
        """Handouts, in any language and version, for the conditions whose name, synonym or
        code matches the query (as the library's search does)."""
        if not query.strip():
            return self
        articles = Article.objects.filter(condition__in=Condition.objects.search(query))
        matching = HandoutCondition.objects.filter(
            handout=models.OuterRef("pk"), article__in=articles.values("pk")
        )
        return self.filter(models.Exists(matching))

    def issued_between(
        self, first_day: datetime.date | None, last_day: datetime.date | None
    ) -> "HandoutQuerySet":
        """Issued on or after the first day and on or before the last, in the clinic's time
        zone. Compared as times, not dates, so the issued_at indexes serve it."""
        handouts = self
        if first_day:
            handouts = handouts.filter(issued_at__gte=_start_of(first_day))
        if last_day:
            handouts = handouts.filter(issued_at__lt=_start_of(last_day + datetime.timedelta(1)))
        return handouts

    def past_retention(self, now: datetime.datetime, days: int) -> "HandoutQuerySet":
        """Not yet purged, issued more than `days` ago, and no link still inside `days`."""
        cutoff = now - datetime.timedelta(days=days)
        recent_links = ShareLink.objects.filter(
            handout=models.OuterRef("pk"), expires_at__gt=cutoff
        )
        return self.filter(purged_at__isnull=True, issued_at__lt=cutoff).exclude(
            models.Exists(recent_links)
        )

    def from_changed_content(self) -> "HandoutQuerySet":
        """Handouts (with patient data still held) with a condition whose article now has a
        published version that reads differently, and that no updated handout has replaced
        yet. Each is annotated with its first changed condition's position
        (`changed_position`)."""
        changed = HandoutCondition.objects.changed().filter(handout=models.OuterRef("pk"))
        replaced = Handout.objects.filter(replaces=models.OuterRef("pk"))
        return (
            self.filter(purged_at__isnull=True)
            .annotate(
                changed_position=models.Subquery(
                    changed.order_by("position").values("position")[:1]
                )
            )
            .filter(changed_position__isnull=False)
            .exclude(models.Exists(replaced))
        )


def live_version_of_outer_condition() -> models.QuerySet[Article]:
    """For a subquery: the published version of the outer query's handout condition's
    article (its condition, in the handout's language). At most one, so unordered: the
    articles' default ordering would join their conditions for nothing."""
    return (
        Article.objects.published()
        .order_by()
        .filter(
            condition=models.OuterRef("article__condition"),
            language=models.OuterRef("handout__language"),
        )
    )


class HandoutConditionQuerySet(models.QuerySet["HandoutCondition"]):
    def changed(self) -> "HandoutConditionQuerySet":
        """The conditions whose article now has a published version that reads differently
        from their snapshot."""
        # A condition whose own version is still the published one reads as it does: only
        # conditions of versions archived since can have changed. Starting from those few
        # versions lets the database use the conditions' article index instead of reading
        # every one.
        superseded = Article.objects.exclude(state=Article.State.PUBLISHED).values("pk")
        live = live_version_of_outer_condition()
        return (
            self.filter(article__in=superseded)
            .annotate(live_fingerprint=models.Subquery(live.values("fingerprint")[:1]))
            .filter(live_fingerprint__isnull=False)
            .exclude(content_fingerprint=models.F("live_fingerprint"))
        )


def _start_of(day: datetime.date) -> datetime.datetime:
    """Midnight at the start of `day` in the current time zone."""
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time.min))


# A visit's packet holds one to this many conditions.
MAX_CONDITIONS = 3


class Handout(models.Model):
    """The record of one visit: what one clinician gave one patient on one visit date, in one
    language, frozen at the moment it was issued. It holds one condition or several (a
    packet: HandoutCondition, each with its own article snapshot and plan choices) and owns
    everything shared by them: the patient's details, the one PDF, the access link and code,
    the events, the retention purge, the clinician's note and how it is printed."""

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    # Sent with the builder form; a second submit of the same form finds the first handout.
    issue_token = models.UUIDField(unique=True, null=True, blank=True, editable=False)

    language = models.CharField(max_length=10)
    replaces = models.ForeignKey(
        "self",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        editable=False,
        related_name="replacements",
        help_text=_("The handout this one updates, made from an earlier version of the article."),
    )

    # Personal data: removed by retention purges.
    patient_name = models.CharField(max_length=MAX_PATIENT_NAME_LENGTH)
    # The name as searched (education.search.normalize_for_search), kept by
    # refresh_derived_fields(): lower-case and accent-free, so an index can serve the search.
    patient_name_search = models.TextField(editable=False, default="")
    record_number = models.CharField(max_length=MAX_RECORD_NUMBER_LENGTH, blank=True)
    clinician_note = models.TextField(blank=True, validators=[MaxLengthValidator(MAX_NOTE_LENGTH)])
    # The note is printed as written, in whatever language the clinician wrote it; tagged with
    # this language where it differs from the handout's, so screen readers switch voice.
    note_language = models.CharField(max_length=10, blank=True)

    # Personal choices shared by the visit's conditions (each condition's are its own).
    visit_date = models.DateField()
    paper_size = models.CharField(max_length=10, choices=PaperSize.choices)
    large_print = models.BooleanField(default=False)

    # Indexed together with issued_at (Meta.indexes), which serves lookups by issuer alone.
    issued_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="issued_handouts",
        db_index=False,
    )
    issued_by_name = models.CharField(max_length=150)
    issued_at = models.DateTimeField()

    # The PDF's bytes live in HandoutPdf, loaded only to send them; their hash stays here,
    # apart from them, so the bytes are checked against what was taken at issue.
    pdf_sha256 = models.CharField(max_length=64, editable=False)
    # Set when retention removed the patient's data; the rest of the record stays.
    purged_at = models.DateTimeField(null=True, blank=True, editable=False)

    objects = HandoutQuerySet.as_manager()

    class Meta:
        ordering = ["-issued_at"]
        # What the lists filter and sort by: newest first, by issuer (the changed list's
        # "only mine"). By condition: HandoutCondition's article index.
        indexes = [
            models.Index(fields=["issued_at"], name="handout_issued_at"),
            models.Index(fields=["issued_by", "issued_at"], name="handout_issuer_issued_at"),
            # The engagement reports (reports.engagement) group a period's handouts by what
            # this holds, read from the index alone, never from the wide rows.
            models.Index(
                fields=["issued_at", "issued_by", "language", "id"],
                name="handout_issued_for_reports",
            ),
        ]

    def __str__(self) -> str:
        return f"Handout {self.public_id}"

    def save(self, *args: Any, **kwargs: Any) -> None:
        self.refresh_derived_fields()
        super().save(*args, **kwargs)

    def get_absolute_url(self) -> str:
        return reverse("handouts:detail", kwargs={"public_id": self.public_id})

    def clean(self) -> None:
        """Each condition's plan must fit the offer of the article version it was made for."""
        problems: list[str] = []
        for condition in self.condition_list:
            try:
                condition.clean()
            except ValidationError as error:
                problems += error.message_dict.get("plan", [])
        if problems:
            raise ValidationError({"plan": problems})

    def refresh_derived_fields(self) -> None:
        """Set the fields computed from others. save() calls it; so must whatever writes
        handouts without save() (bulk_create)."""
        self.patient_name_search = normalize_for_search(self.patient_name)

    # --- The visit's conditions ------------------------------------------------------------

    @cached_property
    def condition_list(self) -> list["HandoutCondition"]:
        """The visit's conditions in their order: as built (an unsaved handout: the builder's
        preview, the command line), else as saved (prefetched by with_conditions())."""
        conditions = list(self.conditions.all())
        for condition in conditions:
            condition.handout = self  # each condition reads the visit's date and language
        return conditions

    def set_conditions(self, conditions: list["HandoutCondition"]) -> None:
        """Attach the (unsaved) conditions of a handout being built, in their order."""
        for position, condition in enumerate(conditions):
            condition.handout, condition.position = self, position
        self.condition_list = conditions

    def save_conditions(self) -> None:
        """Save the conditions attached by set_conditions(), after the handout itself."""
        for condition in self.condition_list:
            condition.handout = self
            condition.save()

    @property
    def is_packet(self) -> bool:
        return len(self.condition_list) > 1

    @property
    def title(self) -> str:
        """The article's title, as issued; a packet's conditions' names: "Ankle sprain + Low
        back pain"."""
        if "listed_title" in self.__dict__:  # a list's row (HandoutQuerySet.for_lists)
            listed = [self.__dict__.get(f"listed_name_{n}") for n in range(MAX_CONDITIONS)]
            names = [str(name) for name in listed if name]
            return " + ".join(names) if len(names) > 1 else self.__dict__["listed_title"]
        if self.is_packet:
            return " + ".join(condition.name for condition in self.condition_list)
        return self.condition_list[0].title

    @property
    def note_language_if_different(self) -> str:
        """The note's language when it is not the handout's (for `lang` attributes), else ""."""
        if self.note_language and self.note_language != self.language:
            return self.note_language
        return ""

    # --- The stored PDF --------------------------------------------------------------------

    def store_pdf(self, pdf: bytes) -> "HandoutPdf":
        """Take the PDF's hash and return its (unsaved) row: saved after the handout."""
        self.pdf_sha256 = hashlib.sha256(pdf).hexdigest()
        return HandoutPdf(handout=self, pdf=pdf)

    def verified_pdf(self) -> bytes | None:
        """The stored PDF, or None when it is gone or no longer matches the hash taken at
        issue. The only read of the PDF's bytes."""
        stored = HandoutPdf.objects.filter(handout=self).values_list("pdf", flat=True).first()
        if stored is None:
            return None
        pdf = bytes(stored)
        return pdf if hashlib.sha256(pdf).hexdigest() == self.pdf_sha256 else None

    def pdf_filename(self) -> str:
        # Never the patient's name: filenames end up in download folders and mail attachments.
        with translation.override(self.language):
            prefix = slugify(pgettext("the start of a PDF's file name", "handout"))
        slugs = "-".join(c.snapshot["condition"]["slug"] for c in self.condition_list)
        return f"{prefix}-{slugs}-{self.visit_date.isoformat()}.pdf"


# The choices (HandoutCondition's fields) that belong to each condition of a visit; the
# builder's other choices are the visit's (Handout's).
CONDITION_CHOICES = (
    "plan",
    "therapy_plan",
    "prevention_tip_keys",
    "background_section_keys",
    "follow_up_date",
)


class HandoutCondition(models.Model):
    """One condition of a visit's handout: the article as it was when issued (its snapshot)
    and the clinician's choices for it. A handout has one to MAX_CONDITIONS of them, in the
    order the clinician added them (`position`, from 0)."""

    handout = models.ForeignKey(Handout, on_delete=models.CASCADE, related_name="conditions")
    # The same column seen from the handout's engagement row (no column, no constraint of its
    # own): the engagement reports join a visit's conditions to its row directly, without
    # reading the handout's wide row.
    engagement = models.ForeignObject(
        "HandoutEngagement",
        on_delete=models.DO_NOTHING,
        from_fields=["handout"],
        to_fields=["handout"],
        related_name="conditions",
    )
    position = models.PositiveSmallIntegerField(default=0)
    # Indexed (a foreign key's index): the lists' search by condition, the changed list.
    article = models.ForeignKey(
        Article, on_delete=models.PROTECT, related_name="handout_conditions"
    )
    # An education.snapshot.Snapshot (typed, with its format); the choices below name its
    # parts by their keys, which are the parts' lineages.
    snapshot = models.JSONField(help_text=_("The article content as it was when issued."))
    # education.snapshot.content_fingerprint of the snapshot: compared with the live version's
    # to find handouts made from content that has since changed.
    content_fingerprint = models.CharField(max_length=12, editable=False, default="")

    # The plan's blocks as the clinician chose them, within the snapshot's offer:
    # education.plan_blocks.PlanChoices.to_json(). The plan's sentences are made from these.
    plan = models.JSONField(default=dict)
    therapy_plan = models.JSONField(
        default=list, help_text='[{"key": ..., "times_per_week": n, "weeks": n}]'
    )
    prevention_tip_keys = models.JSONField(default=list)
    # The article sections printed as background. None on handouts issued before the
    # clinician chose them: those printed every section.
    background_section_keys = models.JSONField(null=True, blank=True)
    follow_up_date = models.DateField(null=True, blank=True)

    objects = HandoutConditionQuerySet.as_manager()

    class Meta:
        ordering = ["position"]
        constraints = [
            models.UniqueConstraint(
                fields=["handout", "position"], name="one_condition_per_handout_position"
            ),
        ]
        indexes = [
            # The engagement reports' conditions: a handout's conditions' articles from the
            # index alone (reports.engagement.CONDITION).
            models.Index(fields=["handout", "article"], name="handout_condition_article"),
        ]

    def __str__(self) -> str:
        return f"Condition {self.position} of {self.handout_id}"

    def save(self, *args: Any, **kwargs: Any) -> None:
        self.refresh_derived_fields()
        super().save(*args, **kwargs)

    def clean(self) -> None:
        """The plan's choices must fit the offer of the article version they were made for."""
        try:
            problems = self.plan_choices.problems(self.plan_offer)
        except PlanError as error:
            problems = [error]
        if problems:
            raise ValidationError({"plan": [str(problem) for problem in problems]})

    def refresh_derived_fields(self) -> None:
        """Set the fields computed from others. save() calls it; so must whatever writes
        conditions without save() (bulk_create)."""
        self.content_fingerprint = content_fingerprint(self.snapshot)

    # --- What the plan reads from the visit ------------------------------------------------

    @property
    def visit_date(self) -> datetime.date:
        return self.handout.visit_date

    @property
    def language(self) -> str:
        return self.handout.language

    # --- Content ---------------------------------------------------------------------------

    @property
    def title(self) -> str:
        return self.snapshot["article"]["title"]

    @property
    def name(self) -> str:
        """The condition's name as the article version named it, in its language."""
        return self.snapshot["condition"]["name"]

    @property
    def slug(self) -> str:
        return self.snapshot["condition"]["slug"]

    @property
    def anchor(self) -> str:
        """What this condition's anchors in the handout end with: nothing for the first (a
        one-condition handout's), "-2" for the second."""
        return f"-{self.position + 1}" if self.position else ""

    # Read once per condition object: every sentence of the plan reads them, and a
    # condition's snapshot and plan do not change once it is built.
    @cached_property
    def plan_offer(self) -> PlanOffer:
        """The plan blocks the article version offered."""
        return plan_offer_of(self.snapshot)

    @cached_property
    def plan_choices(self) -> PlanChoices:
        return PlanChoices.from_json(self.plan)

    @property
    def rest_weeks(self) -> int:
        """Weeks of rest from sport and heavy work: 0 without a set rest period."""
        return self.plan_choices.rest_weeks

    @property
    def last_rest_day(self) -> datetime.date | None:
        """What "rest until …" names: the last day of rest, the day the week-by-week table's
        rest rows end. None without a set rest period."""
        return self.plan_choices.rest_until(self.visit_date)

    def chosen_therapies(self) -> list[dict]:
        """The chosen therapies with their frozen text and the clinician's frequency."""
        by_key = {therapy["key"]: therapy for therapy in self.snapshot["therapies"]}
        return [
            {
                **by_key[plan["key"]],
                "times_per_week": plan["times_per_week"],
                "weeks": plan["weeks"],
            }
            for plan in self.therapy_plan
            if plan["key"] in by_key
        ]

    def chosen_prevention_tips(self) -> list[dict]:
        chosen = set(self.prevention_tip_keys)
        return [tip for tip in self.snapshot["prevention_tips"] if tip["key"] in chosen]

    def background_sections(self) -> list[dict]:
        """The article sections printed as general information, in the article's order."""
        sections = self.snapshot["sections"]
        if self.background_section_keys is None:
            return sections
        chosen = set(self.background_section_keys)
        return [section for section in sections if section.get("key") in chosen]

    def reads_differently_from(self, article: Article) -> bool:
        return article.fingerprint != self.content_fingerprint


class HandoutPdf(models.Model):
    """The PDF as issued, in its own table so that nothing but a download reads its bytes.
    Removed with the patient's data when retention purges the handout."""

    handout = models.OneToOneField(
        Handout, on_delete=models.CASCADE, primary_key=True, related_name="stored_pdf"
    )
    pdf = models.BinaryField()

    def __str__(self) -> str:
        return f"PDF of {self.handout_id}"


# Wrong access codes a link takes (handouts.sharing.try_code): after LOCK_AFTER it locks for
# LOCK_FOR, refusing even the right code meanwhile; after REVOKE_AFTER it is revoked.
LOCK_AFTER = 5
LOCK_FOR = datetime.timedelta(minutes=15)
REVOKE_AFTER = 10


class ShareLinkQuerySet(models.QuerySet):
    def active(self) -> "ShareLinkQuerySet":
        return self.filter(revoked_at__isnull=True)


class ShareLink(models.Model):
    """A patient's way back to their handout: a link holding a random token, and a short
    access code given separately. Only hashes of both are stored."""

    class RevokedBecause(models.TextChoices):
        STAFF = "staff", _("Revoked by staff")
        REPLACED = "replaced", _("Replaced by a new link")
        TOO_MANY_ATTEMPTS = "too_many_attempts", _("Too many wrong codes")

    handout = models.ForeignKey(Handout, on_delete=models.CASCADE, related_name="share_links")
    token_hash = models.CharField(max_length=64, unique=True)
    code_hash = models.CharField(max_length=200)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField()
    expires_at = models.DateTimeField()
    failed_attempts = models.PositiveSmallIntegerField(default=0)
    locked_until = models.DateTimeField(null=True, blank=True)
    revoked_at = models.DateTimeField(null=True, blank=True)
    revoked_because = models.CharField(max_length=30, choices=RevokedBecause.choices, blank=True)

    objects = ShareLinkQuerySet.as_manager()

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["handout"],
                condition=models.Q(revoked_at__isnull=True),
                name="one_active_share_link_per_handout",
            ),
        ]

    def __str__(self) -> str:
        return f"Share link {self.pk} of {self.handout}"

    def is_open(self, now: datetime.datetime) -> bool:
        """Whether a patient may try a code now: not revoked, expired or locked."""
        return (
            self.revoked_at is None
            and now < self.expires_at
            and not (self.locked_until and now < self.locked_until)
        )

    def is_locked(self, now: datetime.datetime) -> bool:
        return bool(self.locked_until and now < self.locked_until)

    @property
    def link_email(self) -> "LinkEmail | None":
        """The email that sends this link to the patient, if one was asked for."""
        try:
            return self.email
        except LinkEmail.DoesNotExist:
            return None

    def has_ended(self, now: datetime.datetime) -> bool:
        """Revoked or expired: unlike a lock, for good."""
        return self.revoked_at is not None or now >= self.expires_at


class LinkEmailQuerySet(models.QuerySet):
    def finish(self, status: str, now: datetime.datetime) -> int:
        """Sent, failed or cancelled: the address and link are no longer needed, so erased.
        Only emails still pending change; returns how many did."""
        return self.filter(status=LinkEmail.Status.PENDING).update(
            status=status, sealed="", finished_at=now, next_attempt_at=None
        )


class LinkEmail(models.Model):
    """Sending one patient link by email, through the task queue (handouts.emails).

    The address and the link (with its token) are needed until the mail server takes the
    message, and no longer: they are kept sealed (encrypted) here, never in the queue, and
    cleared once the email is sent, fails for good or is cancelled."""

    class Status(models.TextChoices):
        PENDING = "pending", _("Waiting to be sent")
        SENT = "sent", _("Sent")
        FAILED = "failed", _("Not delivered")
        CANCELLED = "cancelled", _("Not sent: the link stopped working first")

    share_link = models.OneToOneField(ShareLink, on_delete=models.CASCADE, related_name="email")
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.PENDING)
    sealed = models.TextField(blank=True, editable=False)
    attempts = models.PositiveSmallIntegerField(default=0)
    # When the worker tries again while pending; when it was sent or given up otherwise.
    next_attempt_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)
    # The mail server refused the address, or the message, for good (a 5xx reply): retrying
    # would not help, a new address might.
    refused = models.BooleanField(default=False)
    # The exception's class name and the mail server's reply codes ("SMTPDataError 550"), never
    # its message, which may quote the address.
    last_error = models.CharField(max_length=100, blank=True)

    objects = LinkEmailQuerySet.as_manager()

    def __str__(self) -> str:
        return f"Email of {self.share_link}"

    @property
    def message_refusal_code(self) -> str:
        """The 5xx reply code with which the mail server turned down the message itself (at
        DATA, after taking the address), or ""."""
        error, _, codes = self.last_error.partition(" ")
        return codes if self.refused and error == "SMTPDataError" else ""


class HandoutEvent(AppendOnlyModel):
    """What happened to a handout. Written in the same transaction as the action, never
    edited or deleted by the application, and free of patient data."""

    class Kind(models.TextChoices):
        ISSUED = "issued", _("Issued")
        STAFF_DOWNLOADED = "staff_downloaded", _("PDF downloaded by staff")
        PRINTED = "printed", _("Opened for printing")
        LINK_CREATED = "link_created", _("Patient link created")
        SLIP_PRINTED = "slip_printed", _("Access slip printed")
        EMAIL_SENT = "email_sent", _("Link emailed to the patient")
        EMAIL_FAILED = "email_failed", _("Link email not delivered")
        LINK_OPENED = "link_opened", _("Link opened")
        CODE_FAILED = "code_failed", _("Wrong access code")
        # The timeline (handouts.events) adds how long, from LOCK_FOR.
        LINK_LOCKED = "link_locked", _("Link locked")
        CODE_ACCEPTED = "code_accepted", _("Access code accepted")
        PATIENT_VIEWED = "patient_viewed", _("Read by the patient")
        PATIENT_DOWNLOADED = "patient_downloaded", _("PDF downloaded by the patient")
        LINK_REVOKED = "link_revoked", _("Patient link revoked")
        PURGED = "purged", _("Personal data removed (retention)")
        # Teach-back (handouts.teach_back): what was chosen is kept apart, in CheckAnswer.
        ANSWERED = "answered", _("Check question answered")
        OWN_WORDS = "own_words", _("Patient wrote what they will do")

    class Device(models.TextChoices):
        PHONE = "phone", _("a phone")
        TABLET = "tablet", _("a tablet")
        COMPUTER = "computer", _("a computer")

    handout = models.ForeignKey(Handout, on_delete=models.PROTECT, related_name="events")
    share_link = models.ForeignKey(
        ShareLink, on_delete=models.SET_NULL, null=True, blank=True, related_name="events"
    )
    kind = models.CharField(max_length=30, choices=Kind.choices)
    at = models.DateTimeField(default=timezone.now)
    staff = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    device = models.CharField(max_length=10, choices=Device.choices, blank=True)

    class Meta:
        ordering = ["at", "id"]
        indexes = [
            models.Index(fields=["handout", "at"]),
            # For the engagement reports (reports.engagement): the handouts with an event of a
            # kind since a day, read from the index alone; and a handout's earlier events of
            # a kind (its first open).
            models.Index(fields=["kind", "at", "handout"], name="handoutevent_kind_at"),
            models.Index(fields=["handout", "kind", "at"], name="handoutevent_handout_kind_at"),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} at {self.at:%Y-%m-%d %H:%M}"


class DeliveryWay(models.TextChoices):
    """How the handout reached the patient: on paper only, with a patient link (shown or on
    its printed slip), or with the link emailed (sent, or tried and not delivered)."""

    PRINT_ONLY = "print", _("Print only")
    LINK = "link", _("Patient link")
    EMAIL = "email", _("Link by email")


# The events that make or change a handout's HandoutEngagement: its issue (the row is made
# with the handout), and those that say what reached the patient. No other event does.
EMAILED = [HandoutEvent.Kind.EMAIL_SENT, HandoutEvent.Kind.EMAIL_FAILED]
ENGAGEMENT_KINDS = frozenset(
    [
        HandoutEvent.Kind.ISSUED,
        *EMAILED,
        HandoutEvent.Kind.LINK_CREATED,
        HandoutEvent.Kind.CODE_ACCEPTED,
        HandoutEvent.Kind.PATIENT_DOWNLOADED,
    ]
)
REFRESH_BATCH = 1000
# What a HandoutEngagement row copies of its handout's issue (frozen, as the handout is), so
# the reports group and filter one narrow table: its field, and where the handout holds it.
# Then what it says reached the patient.
ISSUE_FACTS = {
    "issued_at": "issued_at",
    "issued_by_id": "issued_by_id",
    "language": "language",
}
REACH_FACTS = ("delivery", "link_created", "downloaded", "first_opened_at")


class HandoutEngagementQuerySet(models.QuerySet["HandoutEngagement"]):
    def refresh(self, handout_ids: Iterable[int]) -> None:
        """State what reached the patients of these handouts, from their events: the one home
        of the rule, for record_event (one handout, as each event is recorded) and for events
        written in bulk (the data migration, the demo, the benchmarks). Idempotent: whatever
        the order events came in, the row says what all of them say.

        Takes the handouts' rows first (no key update: events, which only reference them,
        still get in), so two refreshes of a handout at once run one after the other, the
        second seeing the first's event. Reads the models through this one's relations, so
        the data migration can run it on the historical models."""
        handout = cast(type[models.Model], self.model._meta.get_field("handout").related_model)
        events = cast(type[HandoutEvent], handout._meta.get_field("events").related_model)
        ids = sorted(set(handout_ids))  # locked in one order, so two refreshes never deadlock
        with transaction.atomic(savepoint=False):  # the caller's, else its own
            for start in range(0, len(ids), REFRESH_BATCH):
                self._refresh_batch(handout, events, ids[start : start + REFRESH_BATCH])

    def _refresh_batch(
        self, handout: type[models.Model], events: type["HandoutEvent"], batch: list[int]
    ) -> None:
        """refresh() of up to REFRESH_BATCH handouts: three queries."""
        Kind = HandoutEvent.Kind
        issued = (
            handout.objects.select_for_update(no_key=True)  # type: ignore[attr-defined]
            .filter(pk__in=batch)
            .order_by("pk")
            .values_list("pk", *ISSUE_FACTS.values())
        )
        issues = {pk: dict(zip(ISSUE_FACTS, values, strict=True)) for pk, *values in issued}
        facts: dict[int, dict[str, Any]] = {
            row["handout_id"]: dict(row)
            for row in events.objects.filter(handout_id__in=batch, kind__in=ENGAGEMENT_KINDS)
            .order_by()
            .values("handout_id")
            .annotate(
                first_opened_at=models.Min("at", filter=models.Q(kind=Kind.CODE_ACCEPTED)),
                emailed=models.Count("pk", filter=models.Q(kind__in=EMAILED)),
                linked=models.Count("pk", filter=models.Q(kind=Kind.LINK_CREATED)),
                downloads=models.Count("pk", filter=models.Q(kind=Kind.PATIENT_DOWNLOADED)),
            )
        }
        self.bulk_create(
            [
                self.model(handout_id=pk, **issue, **_engagement(facts.get(pk)))
                for pk, issue in issues.items()
            ],
            update_conflicts=True,
            unique_fields=["handout"],
            update_fields=[*ISSUE_FACTS, *REACH_FACTS],
        )


def _engagement(facts: dict[str, Any] | None) -> dict[str, Any]:
    """The row's REACH_FACTS from a handout's counted events (None: it has none that count).
    Email wins over a link, a link over print only."""
    if facts is None:
        facts = {"emailed": 0, "linked": 0, "downloads": 0, "first_opened_at": None}
    if facts["emailed"]:
        delivery = DeliveryWay.EMAIL
    elif facts["linked"]:
        delivery = DeliveryWay.LINK
    else:
        delivery = DeliveryWay.PRINT_ONLY
    return {
        "delivery": delivery,
        "link_created": bool(facts["linked"]),
        "downloaded": bool(facts["downloads"]),
        "first_opened_at": facts["first_opened_at"],
    }


class HandoutEngagement(models.Model):
    """What reached the patient of one handout, as its events say: how it was delivered,
    whether a patient link was made, when the patient first opened it (entered the access
    code), whether they downloaded it; next to the facts of its issue the reports group by
    (when, by whom, in which language: copied, frozen like the handout; its one to
    MAX_CONDITIONS conditions are the visit's HandoutCondition rows). Made when the handout
    is issued and kept by HandoutEngagementQuerySet.refresh in the transaction that records
    each event, so the engagement reports count these narrow rows, one per handout, instead
    of reading every event and the handouts' wide rows."""

    handout = models.OneToOneField(
        Handout, on_delete=models.CASCADE, primary_key=True, related_name="engagement"
    )
    issued_at = models.DateTimeField()
    issued_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", db_index=False
    )
    language = models.CharField(max_length=10)
    delivery = models.CharField(
        max_length=10, choices=DeliveryWay.choices, default=DeliveryWay.PRINT_ONLY
    )
    link_created = models.BooleanField(default=False)
    downloaded = models.BooleanField(default=False)
    first_opened_at = models.DateTimeField(null=True, blank=True)

    objects = HandoutEngagementQuerySet.as_manager()

    class Meta:
        indexes = [
            # The reports' one index: a period's rows, and all they count, from the index alone
            # (every column a key: SQLite has no INCLUDE).
            models.Index(
                fields=["issued_at", "issued_by", "language", *REACH_FACTS],
                name="engagement_issued_covering",
            )
        ]

    def __str__(self) -> str:
        return f"Engagement of handout {self.handout_id}"


class CheckAnswer(AppendOnlyModel):
    """One teach-back answer (handouts.teach_back): which options of which question were
    chosen and whether that was right. Kept apart from its event, which holds only that an
    answer was given; never logged."""

    event = models.OneToOneField(
        HandoutEvent, on_delete=models.PROTECT, related_name="check_answer"
    )
    handout = models.ForeignKey(Handout, on_delete=models.PROTECT, related_name="check_answers")
    # The question's key within the handout (handouts.teach_back.Question.key).
    question_key = models.CharField(max_length=100)
    # The indices of the options chosen, in the order the question shows them.
    chosen = models.JSONField(default=list)
    right = models.BooleanField()
    # How many questions the handout asked when this was answered (all its conditions'): the
    # engagement report counts a handout understood once that many were answered right.
    asked = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["id"]
        indexes = [models.Index(fields=["handout", "question_key"])]

    def __str__(self) -> str:
        return f"Answer to {self.question_key} of {self.handout_id}"


class OwnWords(models.Model):
    """The patient's answer to "In your own words, what will you do this week?": never
    scored. Patient data: retention removes it with the patient's name."""

    handout = models.OneToOneField(Handout, on_delete=models.CASCADE, related_name="own_words")
    text = models.TextField(validators=[MaxLengthValidator(MAX_NOTE_LENGTH)])
    written_at = models.DateTimeField()

    def __str__(self) -> str:
        return f"Own words of {self.handout_id}"
