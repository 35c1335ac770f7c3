"""The plan's pictograms come from the installed icon package, labelled for the PDF and
hidden from screen readers on web pages."""

import pytest

from handouts.pdf.pictograms import PICTOGRAM_DIR, PICTOGRAMS, pictogram


@pytest.mark.parametrize("name", PICTOGRAMS)
def test_every_pictogram_the_plan_uses_is_installed_and_labelled(name: str) -> None:
    assert (PICTOGRAM_DIR / f"{name}.svg").is_file()
    svg = pictogram(name, "Rest & recover")
    assert svg.startswith("<svg") and svg.endswith("</svg>")
    assert "<title>Rest &amp; recover</title>" in svg
    assert 'aria-hidden="true"' in svg
    assert "<path" in svg


def test_an_unknown_pictogram_is_refused() -> None:
    with pytest.raises(ValueError, match="Unknown pictogram"):
        pictogram("skull", "Danger")
