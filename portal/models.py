"""The clinic itself: one profile that brands every handout."""

from dataclasses import dataclass
from typing import Any, NoReturn

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator, RegexValidator
from django.db import models
from django.utils import timezone
from django.utils.text import capfirst
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords


def language_choices() -> list[tuple[str, str]]:
    """Each language under its own name ("English", "Español"). A callable, so changing
    LANGUAGES is configuration, not a migration."""
    return [(code, capfirst(name)) for code, name in settings.LANGUAGES]


class AppendOnlyModel(models.Model):
    """Rows the application writes once and never edits or deletes (records of events)."""

    class Meta:
        abstract = True

    def save(self, *args: Any, **kwargs: Any) -> None:
        if self.pk is not None:
            raise ValueError(f"{self._plural_name()} are never changed once written.")
        super().save(*args, **kwargs)

    def delete(self, *args: Any, **kwargs: Any) -> NoReturn:
        raise ValueError(f"{self._plural_name()} are never deleted.")

    def _plural_name(self) -> str:
        return str(self._meta.verbose_name_plural).capitalize()


# The name a fresh installation starts with; a handout carrying it would name no clinic.
PLACEHOLDER_CLINIC_NAME = "Your clinic"


@dataclass(frozen=True)
class ChecklistItem:
    """One line of the administrator's "Set up your clinic" list on the staff home page."""

    label: str
    done: bool
    hint: str


class PaperSize(models.TextChoices):
    A4 = "a4", _("A4")
    LETTER = "letter", _("Letter")


class ClinicProfile(models.Model):
    """There is exactly one; `ClinicProfile.load()` returns it, creating defaults if needed."""

    name = models.CharField(_("name"), max_length=200, default=PLACEHOLDER_CLINIC_NAME)
    address = models.TextField(
        _("address"), blank=True, help_text=_("As it should appear on the letterhead.")
    )
    phone = models.CharField(_("phone"), max_length=40, blank=True)
    after_hours_phone = models.CharField(
        _("after-hours phone"),
        max_length=40,
        blank=True,
        help_text=_("Printed in the handout's 'When to get help' box."),
    )
    emergency_number = models.CharField(
        _("emergency number"),
        max_length=20,
        blank=True,
        default="911",
        help_text=_(
            "Printed in the handout's 'When to get help' box as the number to call in an "
            "emergency: 911 in the US and Canada, 112 in the EU, 999 in the UK, 000 in "
            "Australia."
        ),
    )
    website = models.URLField(_("website"), blank=True)
    default_paper_size = models.CharField(
        _("default paper size"), max_length=10, choices=PaperSize.choices, default=PaperSize.A4
    )
    accent_colour = models.CharField(
        _("accent colour"),
        max_length=7,
        default="#1f5f8b",
        validators=[RegexValidator(r"^#[0-9a-fA-F]{6}$", _("Use a colour like #1f5f8b."))],
        help_text=_("Used for rules and borders on handouts; text stays dark for contrast."),
    )
    max_reading_grade = models.PositiveSmallIntegerField(
        _("maximum reading grade"),
        default=8,
        help_text=_(
            "US school grade articles should not exceed (Flesch-Kincaid; Spanish: the "
            "grade equivalent of Fernández-Huerta)."
        ),
    )
    review_interval_months = models.PositiveSmallIntegerField(
        _("review interval (months)"),
        default=24,
        validators=[MinValueValidator(1), MaxValueValidator(120)],
        help_text=_("When an article is approved, its next review falls due this long after."),
    )
    allow_self_approval = models.BooleanField(
        _("allow self-approval"),
        default=False,
        help_text=_(
            "Let a reviewer approve an article they changed themselves. Leave off unless "
            "the clinic has only one reviewer."
        ),
    )
    teach_back_call_after_days = models.PositiveSmallIntegerField(
        _("call about unanswered questions after (days)"),
        default=7,
        validators=[MinValueValidator(1), MaxValueValidator(90)],
        help_text=_(
            "The staff home lists patients with a link who have not answered their handout's "
            "check questions this many days after it was issued, so someone can call."
        ),
    )
    use_record_numbers = models.BooleanField(
        _("use record numbers"),
        default=False,
        help_text=_("Ask for the patient's record number when issuing a handout."),
    )
    # Kept in the database rather than on disk, so app servers hold no state of their own.
    logo = models.BinaryField(blank=True, default=b"", editable=False)
    logo_content_type = models.CharField(max_length=40, blank=True, editable=False)

    history = HistoricalRecords(excluded_fields=["logo"])

    class Meta:
        verbose_name = _("clinic profile")
        verbose_name_plural = _("clinic profiles")

    def __str__(self) -> str:
        return self.name

    def save(self, *args: Any, **kwargs: Any) -> None:
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
            blockers.append(
                gettext(
                    "The clinic profile has no clinic name, so handouts would "
                    "not say which clinic gave them."
                )
            )
        elif not self.has_clinic_name:
            blockers.append(
                gettext(
                    "The clinic profile still has the placeholder name "
                    "“%(placeholder)s”, so handouts would not say which clinic "
                    "gave them."
                )
                % {"placeholder": PLACEHOLDER_CLINIC_NAME}
            )
        if not self.phone.strip():
            blockers.append(
                gettext(
                    "The clinic profile has no phone number, so handouts could "
                    "not tell patients whom to call."
                )
            )
        if not self.emergency_number.strip():
            blockers.append(
                gettext(
                    "The clinic profile has no emergency number, so handouts "
                    "could not tell patients what to call in an emergency."
                )
            )
        return blockers

    def setup_checklist(self) -> list[ChecklistItem]:
        """Everything a complete profile has, done or not, with what to do next."""

        def set_to(value: str) -> str:
            return gettext("Set to %(value)s.") % {"value": value}

        return [
            ChecklistItem(
                gettext("Clinic name"),
                self.has_clinic_name,
                set_to(self.name)
                if self.has_clinic_name
                else gettext("Replace the placeholder with the name patients know the clinic by."),
            ),
            ChecklistItem(
                gettext("Phone number"),
                bool(self.phone.strip()),
                set_to(self.phone)
                if self.phone.strip()
                else gettext(
                    "Add the number patients call with questions; handouts cannot be "
                    "issued without it."
                ),
            ),
            ChecklistItem(
                gettext("After-hours phone number"),
                bool(self.after_hours_phone.strip()),
                set_to(self.after_hours_phone)
                if self.after_hours_phone.strip()
                else gettext("Add the number patients call when the clinic is closed."),
            ),
            ChecklistItem(
                gettext("Emergency number"),
                bool(self.emergency_number.strip()),
                gettext("Set to %(number)s: change it if your country uses another number.")
                % {"number": self.emergency_number}
                if self.emergency_number.strip()
                else gettext(
                    "Add your country's emergency number (911, 112, 999, 000, ...); "
                    "handouts cannot be issued without it."
                ),
            ),
            ChecklistItem(
                gettext("Logo"),
                self.has_logo,
                gettext("Uploaded.")
                if self.has_logo
                else gettext("Upload a PNG or SVG logo for the top of every handout."),
            ),
        ]


class AuditEvent(AppendOnlyModel):
    """What staff did, for the clinic's security reviews. Append-only: the application never
    edits or deletes a row. No patient data: objects are named by type and id only."""

    class Action(models.TextChoices):
        SIGN_IN = "sign_in", _("Signed in")
        SIGN_IN_FAILED = "sign_in_failed", _("Sign-in failed")
        LOCKED_OUT = "locked_out", _("Locked out after failed sign-ins")
        SIGN_IN_UNLOCKED = "sign_in_unlocked", _("Sign-in lock cleared")
        SIGN_OUT = "sign_out", _("Signed out")
        MFA_ENABLED = "mfa_enabled", _("Two-factor sign-in set up")
        MFA_VERIFIED = "mfa_verified", _("Two-factor code accepted")
        MFA_FAILED = "mfa_failed", _("Two-factor code refused")
        MFA_RECOVERY_CODES = "mfa_recovery_codes", _("Recovery codes replaced")
        MFA_RESET = "mfa_reset", _("Two-factor device reset")
        SESSIONS_ENDED = "sessions_ended", _("Sessions ended")
        # Something the admin does not allow this person, tried anyway (a crafted request).
        REFUSED = "refused", _("Refused: not allowed")
        CREATED = "created", _("Created")
        CHANGED = "changed", _("Changed")
        PUBLISHED = "published", _("Published")
        DELETED = "deleted", _("Deleted")
        HANDOUT_ISSUED = "handout_issued", _("Handout issued")
        HANDOUT_VIEWED = "handout_viewed", _("Handout viewed")
        HANDOUT_DOWNLOADED = "handout_downloaded", _("Handout downloaded")
        API_CLIENT_REVOKED = "api_client_revoked", _("API client's token revoked")
        # An API client read FHIR resources; the detail says which type and how many.
        FHIR_READ = "fhir_read", _("FHIR resources read")

    class Outcome(models.TextChoices):
        SUCCESS = "success", _("Success")
        FAILURE = "failure", _("Failure")

    at = models.DateTimeField(_("at"), default=timezone.now, db_index=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("actor"),
    )
    # Kept as typed, so the row still says who it was if the account is renamed or removed.
    actor_username = models.CharField(_("actor username"), max_length=150, blank=True)
    action = models.CharField(_("action"), max_length=30, choices=Action.choices, db_index=True)
    object_type = models.CharField(_("object type"), max_length=60, blank=True)
    object_id = models.CharField(_("object id"), max_length=64, blank=True)
    outcome = models.CharField(
        _("outcome"), max_length=10, choices=Outcome.choices, default=Outcome.SUCCESS
    )
    detail = models.CharField(
        _("detail"),
        max_length=300,
        blank=True,
        help_text=_("Field names and similar; never patient data."),
    )

    class Meta:
        ordering = ["-at", "-id"]
        verbose_name = _("audit event")
        verbose_name_plural = _("audit events")

    def __str__(self) -> str:
        return f"{self.at:%Y-%m-%d %H:%M} {self.actor_username} {self.action}"


class StaffPreference(models.Model):
    """A staff member's own settings. The interface language follows the browser's until they
    choose one (portal.language applies it on every staff page, the admin included)."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="preference",
        verbose_name=_("user"),
    )
    language = models.CharField(
        _("interface language"),
        max_length=10,
        blank=True,
        choices=language_choices,
        help_text=_("Empty: the language the browser asks for."),
    )

    class Meta:
        verbose_name = _("staff preference")
        verbose_name_plural = _("staff preferences")

    def __str__(self) -> str:
        return str(self.user)
