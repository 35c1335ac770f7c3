"""Template filters for portal.dates: `{{ handout.visit_date|long_date }}`. A datetime is shown
in the current time zone, as Django's `date` filter shows it."""

from django import template

from portal import dates

register = template.Library()

for _function in (
    dates.long_date,
    dates.plain_date,
    dates.plain_datetime,
    dates.short_date,
    dates.short_datetime,
):
    register.filter(_function.__name__, _function, expects_localtime=True)
