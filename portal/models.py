"""The clinic itself: one profile that brands every handout."""

from dataclasses import dataclass

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator, RegexValidator
from django.db import models
from django.utils import timezone
from simple_history.models import HistoricalRecords


class AppendOnlyModel(models.Model):
    """Rows the application writes once and never edits or deletes (records of events)."""

    class Meta:
        abstract = True

    def save(self, *args, **kwargs) -> None:
        if self.pk is not None:
            raise ValueError(f"{self._meta.verbose_name_plural.capitalize()} are never changed "
                             "once written.")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise ValueError(f"{self._meta.verbose_name_plural.capitalize()} are never deleted.")


# The name a fresh installation starts with; a handout carrying it would name no clinic.
PLACEHOLDER_CLINIC_NAME = "Your clinic"


@dataclass(frozen=True)
class ChecklistItem:
    """One line of the administrator's "Set up your clinic" list on the staff home page."""

    label: str
    done: bool
    hint: str


class PaperSize(models.TextChoices):
    A4 = "a4", "A4"
    LETTER = "letter", "Letter"


class ClinicProfile(models.Model):
    """There is exactly one; `ClinicProfile.load()` returns it, creating defaults if needed."""

    name = models.CharField(max_length=200, default=PLACEHOLDER_CLINIC_NAME)
    address = models.TextField(blank=True, help_text="As it should appear on the letterhead.")
    phone = models.CharField(max_length=40, blank=True)
    after_hours_phone = models.CharField(
        max_length=40, blank=True, help_text="Printed in the handout's 'When to get help' box."
    )
    emergency_number = models.CharField(
        max_length=20, blank=True, default="911",
        help_text="Printed in the handout's 'When to get help' box as the number to call in an "
        "emergency: 911 in the US and Canada, 112 in the EU, 999 in the UK, 000 in Australia.",
    )
    website = models.URLField(blank=True)
    default_paper_size = models.CharField(
        max_length=10, choices=PaperSize.choices, default=PaperSize.A4
    )
    accent_colour = models.CharField(
        max_length=7,
        default="#1f5f8b",
        validators=[RegexValidator(r"^#[0-9a-fA-F]{6}$", "Use a colour like #1f5f8b.")],
        help_text="Used for rules and borders on handouts; text stays dark for contrast.",
    )
    max_reading_grade = models.PositiveSmallIntegerField(
        "maximum reading grade", default=8,
        help_text="US school grade articles should not exceed (Flesch-Kincaid; Spanish: the "
        "grade equivalent of Fernández-Huerta).",
    )
    review_interval_months = models.PositiveSmallIntegerField(
        "review interval (months)", default=24,
        validators=[MinValueValidator(1), MaxValueValidator(120)],
        help_text="When an article is approved, its next review falls due this long after.",
    )
    allow_self_approval = models.BooleanField(
        default=False,
        help_text="Let a reviewer approve an article they changed themselves. Leave off unless "
        "the clinic has only one reviewer.",
    )
    use_record_numbers = models.BooleanField(
        default=False, help_text="Ask for the patient's record number when issuing a handout."
    )
    # Kept in the database rather than on disk, so app servers hold no state of their own.
    logo = models.BinaryField(blank=True, default=b"", editable=False)
    logo_content_type = models.CharField(max_length=40, blank=True, editable=False)

    history = HistoricalRecords(excluded_fields=["logo"])

    class Meta:
        verbose_name = "clinic profile"

    def __str__(self) -> str:
        return self.name

    def save(self, *args, **kwargs) -> None:
        self.pk = 1
        super().save(*args, **kwargs)

    @classmethod
    def load(cls) -> "ClinicProfile":
        profile, _ = cls.objects.get_or_create(pk=1)
        return profile

    @property
    def has_logo(self) -> bool:
        return bool(self.logo)

    @property
    def has_clinic_name(self) -> bool:
        return self.name.strip() not in ("", PLACEHOLDER_CLINIC_NAME)

    def handout_blockers(self) -> list[str]:
        """What stops a handout from being issued, in words an administrator can act on;
        empty when handouts may be issued."""
        blockers = []
        if not self.name.strip():
            blockers.append("The clinic profile has no clinic name, so handouts would not say "
                            "which clinic gave them.")
        elif not self.has_clinic_name:
            blockers.append(f"The clinic profile still has the placeholder name "
                            f"“{PLACEHOLDER_CLINIC_NAME}”, so handouts would not say "
                            "which clinic gave them.")
        if not self.phone.strip():
            blockers.append("The clinic profile has no phone number, so handouts could not tell "
                            "patients whom to call.")
        if not self.emergency_number.strip():
            blockers.append("The clinic profile has no emergency number, so handouts could not "
                            "tell patients what to call in an emergency.")
        return blockers

    def setup_checklist(self) -> list[ChecklistItem]:
        """Everything a complete profile has, done or not, with what to do next."""
        return [
            ChecklistItem(
                "Clinic name", self.has_clinic_name,
                f"Set to {self.name}." if self.has_clinic_name else
                "Replace the placeholder with the name patients know the clinic by.",
            ),
            ChecklistItem(
                "Phone number", bool(self.phone.strip()),
                f"Set to {self.phone}." if self.phone.strip() else
                "Add the number patients call with questions; handouts cannot be issued "
                "without it.",
            ),
            ChecklistItem(
                "After-hours phone number", bool(self.after_hours_phone.strip()),
                f"Set to {self.after_hours_phone}." if self.after_hours_phone.strip() else
                "Add the number patients call when the clinic is closed.",
            ),
            ChecklistItem(
                "Emergency number", bool(self.emergency_number.strip()),
                f"Set to {self.emergency_number}: change it if your country uses another "
                "number." if self.emergency_number.strip() else
                "Add your country's emergency number (911, 112, 999, 000, ...); handouts "
                "cannot be issued without it.",
            ),
            ChecklistItem(
                "Logo", self.has_logo,
                "Uploaded." if self.has_logo else "Upload a PNG or SVG logo for the top of "
                "every handout.",
            ),
        ]


class AuditEvent(AppendOnlyModel):
    """What staff did, for the clinic's security reviews. Append-only: the application never
    edits or deletes a row. No patient data: objects are named by type and id only."""

    class Action(models.TextChoices):
        SIGN_IN = "sign_in", "Signed in"
        SIGN_IN_FAILED = "sign_in_failed", "Sign-in failed"
        LOCKED_OUT = "locked_out", "Locked out after failed sign-ins"
        SIGN_OUT = "sign_out", "Signed out"
        MFA_ENABLED = "mfa_enabled", "Two-factor sign-in set up"
        MFA_VERIFIED = "mfa_verified", "Two-factor code accepted"
        MFA_FAILED = "mfa_failed", "Two-factor code refused"
        MFA_RECOVERY_CODES = "mfa_recovery_codes", "Recovery codes replaced"
        SESSIONS_ENDED = "sessions_ended", "Sessions ended"
        CREATED = "created", "Created"
        CHANGED = "changed", "Changed"
        PUBLISHED = "published", "Published"
        DELETED = "deleted", "Deleted"
        HANDOUT_ISSUED = "handout_issued", "Handout issued"
        HANDOUT_VIEWED = "handout_viewed", "Handout viewed"
        HANDOUT_DOWNLOADED = "handout_downloaded", "Handout downloaded"

    class Outcome(models.TextChoices):
        SUCCESS = "success", "Success"
        FAILURE = "failure", "Failure"

    at = models.DateTimeField(default=timezone.now, db_index=True)
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True,
                              blank=True, related_name="+")
    # Kept as typed, so the row still says who it was if the account is renamed or removed.
    actor_username = models.CharField(max_length=150, blank=True)
    action = models.CharField(max_length=30, choices=Action.choices, db_index=True)
    object_type = models.CharField(max_length=60, blank=True)
    object_id = models.CharField(max_length=64, blank=True)
    outcome = models.CharField(max_length=10, choices=Outcome.choices, default=Outcome.SUCCESS)
    detail = models.CharField(max_length=300, blank=True,
                              help_text="Field names and similar; never patient data.")

    class Meta:
        ordering = ["-at", "-id"]

    def __str__(self) -> str:
        return f"{self.at:%Y-%m-%d %H:%M} {self.actor_username} {self.action}"
