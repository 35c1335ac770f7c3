"""Template helpers for handouts: pictograms and the handout's content as one include. Dates
come from portal's `dates` library."""

from django import template
from django.utils.safestring import SafeString

from handouts.pdf.pictograms import pictogram as pictogram_svg

register = template.Library()


@register.simple_tag
def pictogram(name: str, alt: str) -> SafeString:
    return pictogram_svg(name, alt)


@register.inclusion_tag("handouts/includes/handout_content.html")
def handout_content(context: dict) -> dict:
    """The handout's content from a context built by handouts.pdf.render.handout_context."""
    return context
