"""A form renderer that draws the common widgets in Python, for forms on hot pages.

Django renders every widget through its own templates (an <input> is input.html including
attrs.html; a <select> is one template per option), which costs far more than the markup is
worth on a page with dozens of fields: the handout builder. FastWidgetRenderer draws the
widgets below from the very context Django's templates get (widget.get_context(): name, value,
attrs, options), with the same markup, byte for byte (tests/portal/test_form_renderer.py
compares the two). Any other template goes to Django's templates as usual.
"""

import html
from collections.abc import Callable, Mapping
from typing import Any

from django.forms.renderers import DjangoTemplates
from django.http import HttpRequest
from django.template.base import render_value_in_context
from django.template.context import Context
from django.utils.safestring import SafeData

WidgetContext = Mapping[str, Any]
# What {{ value }} does to a value (local time, number format, escaping), for the few values
# the templates print without |stringformat:'s'.
AUTOESCAPED = Context(autoescape=True)


def escaped(text: str) -> str:
    """Django's conditional_escape (the same five characters), without its lazy-string
    wrapper, which costs more than the escaping."""
    return text if isinstance(text, SafeData) else html.escape(text)


def shown(value: object) -> str:
    """{{ value }}. A string (the common case) is only escaped: there is nothing to format."""
    if isinstance(value, str):
        return escaped(value)
    return render_value_in_context(value, AUTOESCAPED)


def as_string(value: object) -> str:
    """{{ value|stringformat:'s' }}."""
    return escaped(str(value))


def attributes(attrs: Mapping[str, Any]) -> str:
    """attrs.html: ` name="value"`, a bare ` name` for True, nothing for False."""
    return "".join(
        f" {shown(name)}" if value is True else f' {shown(name)}="{as_string(value)}"'
        for name, value in attrs.items()
        if value is not False
    )


def input_html(widget: WidgetContext) -> str:
    """input.html, which every <input> widget (text, number, date, hidden, checkbox) and each
    radio or checkbox option rendered on its own (BoundWidget.tag) include."""
    value = widget["value"]
    given = "" if value is None else f' value="{as_string(value)}"'
    return (
        f'<input type="{shown(widget["type"])}" '
        f'name="{shown(widget["name"])}"{given}{attributes(widget["attrs"])}>'
    )


def option_html(option: WidgetContext) -> str:
    """select_option.html."""
    return (
        f'<option value="{as_string(option["value"])}"'
        f"{attributes(option['attrs'])}>{shown(option['label'])}</option>"
    )


def select_html(widget: WidgetContext) -> str:
    """select.html, its options drawn by option_html."""
    parts = [f'<select name="{shown(widget["name"])}"{attributes(widget["attrs"])}>']
    for group_name, options, _index in widget["optgroups"]:
        if group_name:
            parts.append(f'\n  <optgroup label="{shown(group_name)}">')
        # The option's template ends in a newline, which the include keeps.
        parts.extend(f"\n  {option_html(option)}\n" for option in options)
        if group_name:
            parts.append("\n  </optgroup>")
    parts.append("\n</select>")
    return "".join(parts)


def textarea_html(widget: WidgetContext) -> str:
    """textarea.html."""
    value = widget["value"]
    return (
        f'<textarea name="{shown(widget["name"])}"{attributes(widget["attrs"])}>\n'
        f"{shown(value) if value else ''}</textarea>"
    )


# Django's widget templates that include input.html and nothing else.
INPUT_TEMPLATES = (
    "input",
    "text",
    "number",
    "email",
    "url",
    "password",
    "hidden",
    "date",
    "checkbox",
)
DRAWN: dict[str, Callable[[WidgetContext], str]] = {
    **{f"django/forms/widgets/{name}.html": input_html for name in INPUT_TEMPLATES},
    "django/forms/widgets/select.html": select_html,
    "django/forms/widgets/select_option.html": option_html,
    "django/forms/widgets/textarea.html": textarea_html,
}
# Options of radio buttons and checkbox lists: input.html, unless wrapped in their label.
OPTION_TEMPLATES = {
    "django/forms/widgets/radio_option.html",
    "django/forms/widgets/checkbox_option.html",
    "django/forms/widgets/input_option.html",
}


class FastWidgetRenderer(DjangoTemplates):
    """Django's template renderer, drawing the widgets in DRAWN without a template."""

    def render(
        self, template_name: str, context: dict[str, Any], request: HttpRequest | None = None
    ) -> str:
        widget = context.get("widget")
        if widget is not None:
            draw = DRAWN.get(template_name)
            if draw is None and template_name in OPTION_TEMPLATES and not widget["wrap_label"]:
                draw = input_html
            if draw is not None:
                return draw(widget)
        return super().render(template_name, context, request)


# One instance for every form that uses it: its template engine (for what it does not draw)
# is made once.
FAST_WIDGETS = FastWidgetRenderer()
