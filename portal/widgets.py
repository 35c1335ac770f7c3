"""Form widgets shared by every app."""

from typing import Any

from django import forms


class NativeDateInput(forms.DateInput):
    """The browser's own date picker. Its value is always ISO 8601 (YYYY-MM-DD), whatever the
    page's language: a localized value ("25/11/2026" in Spanish) is invalid for
    <input type="date">, which browsers then show empty."""

    input_type = "date"

    def __init__(self, attrs: dict[str, Any] | None = None) -> None:
        super().__init__(attrs=attrs, format="%Y-%m-%d")
