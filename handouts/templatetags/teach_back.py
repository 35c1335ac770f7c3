"""The staff home's list of patients worth a call about their check questions. A template tag,
so the home page (education, which knows nothing of handouts) shows it with one line."""

from django import template
from django.utils import timezone

from handouts.teach_back import handouts_to_call
from portal.models import ClinicProfile

register = template.Library()

# The home shows the first few; the handouts' own pages say the rest.
LISTED = 10


@register.inclusion_tag("handouts/includes/patients_to_call.html", takes_context=True)
def patients_to_call(context: template.Context) -> dict:
    """Only for staff who may see handouts (every such role sees the clinic's handouts)."""
    user = context["request"].user
    if not user.has_perm("handouts.view_handout"):
        return {"shown": False}
    days = ClinicProfile.load().teach_back_call_after_days
    handouts = handouts_to_call(timezone.now(), days)
    listed = list(handouts[: LISTED + 1])
    return {
        "shown": True,
        "handouts": listed[:LISTED],
        "more": len(listed) > LISTED,
        "days": days,
    }
