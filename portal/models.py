"""The clinic itself: one profile that brands every handout."""

from django.core.validators import RegexValidator
from django.db import models
from simple_history.models import HistoricalRecords


class PaperSize(models.TextChoices):
    A4 = "a4", "A4"
    LETTER = "letter", "Letter"


class ClinicProfile(models.Model):
    """There is exactly one; `ClinicProfile.load()` returns it, creating defaults if needed."""

    name = models.CharField(max_length=200, default="Your clinic")
    address = models.TextField(blank=True, help_text="As it should appear on the letterhead.")
    phone = models.CharField(max_length=40, blank=True)
    after_hours_phone = models.CharField(
        max_length=40, blank=True, help_text="Printed in the handout's 'When to get help' box."
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
