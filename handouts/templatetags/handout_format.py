"""Template helpers for handouts: dates in the handout's language, pictograms, and the
handout's content as one include."""

from django import template
from django.utils.safestring import SafeString

from handouts import dates
from handouts.pdf.pictograms import pictogram as pictogram_svg

register = template.Library()

register.filter("long_date", dates.long_date)
register.filter("plain_date", dates.plain_date)
register.filter("short_date", dates.short_date)


@register.simple_tag
def pictogram(name: str, alt: str) -> SafeString:
    return pictogram_svg(name, alt)


@register.inclusion_tag("handouts/includes/handout_content.html")
def handout_content(context: dict) -> dict:
    """The handout's content from a context built by handouts.pdf.render.handout_context."""
    return context
