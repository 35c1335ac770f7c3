"""Reports own no data: they read handouts and their events. This model exists only to own
the permission that opens them."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class Reports(models.Model):
    """No table (managed = False): the holder of the "view reports" permission."""

    class Meta:
        managed = False
        default_permissions = ()
        permissions = [("view_reports", _("Can view the engagement reports"))]
        verbose_name = _("reports")
        verbose_name_plural = _("reports")

    def __str__(self) -> str:
        return str(self._meta.verbose_name)
