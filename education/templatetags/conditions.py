"""{{ condition|terms_in:LANGUAGE_CODE }}: a condition's published name and codes, in the staff
member's language where it has them (Condition.terms_in)."""

from django import template

from education.models import Condition, ConditionTerms

register = template.Library()


@register.filter
def terms_in(condition: Condition, language: str) -> ConditionTerms:
    return condition.terms_in(language)
