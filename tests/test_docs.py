"""The README stays short, and every relative link in the README and docs/ leads somewhere:
to a file that exists and, after a #, to a heading in it (as GitHub names its anchors)."""

import re
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
README = ROOT / "README.md"
DOCS = [README, *sorted((ROOT / "docs").glob("*.md"))]
README_LIMIT = 12 * 1024

FENCE = re.compile(r"^(```|~~~)")
INLINE_CODE = re.compile(r"`[^`]*`")
LINK = re.compile(r"\[[^\]]*\]\(([^)\s]+)\)")
HEADING = re.compile(r"^#{1,6}\s+(.*?)\s*#*\s*$")


def lines_outside_code_blocks(path: Path) -> list[str]:
    lines, in_fence = [], False
    for line in path.read_text(encoding="utf-8").splitlines():
        if FENCE.match(line.strip()):
            in_fence = not in_fence
        elif not in_fence:
            lines.append(line)
    return lines


def anchor(heading: str) -> str:
    """GitHub's anchor for a heading: lower case, punctuation dropped, spaces as hyphens."""
    return re.sub(r"[^\w\- ]", "", heading.lower()).replace(" ", "-")


def anchors(path: Path) -> set[str]:
    """Every heading's anchor; a repeated heading gets -1, -2, ... as on GitHub."""
    found: set[str] = set()
    for line in lines_outside_code_blocks(path):
        if match := HEADING.match(line):
            name = numbered = anchor(match.group(1))
            n = 0
            while numbered in found:
                n += 1
                numbered = f"{name}-{n}"
            found.add(numbered)
    return found


def relative_links(path: Path) -> list[str]:
    """Link targets outside code, leaving out those with a scheme (https:, mailto:)."""
    return [
        target
        for line in lines_outside_code_blocks(path)
        for target in LINK.findall(INLINE_CODE.sub("", line))
        if not re.match(r"^[a-z][a-z0-9+.-]*:", target)
    ]


def test_the_readme_is_at_most_12_kb() -> None:
    size = len(README.read_bytes())
    assert size <= README_LIMIT, (
        f"README.md is {size} bytes; keep it to what a newcomer needs ({README_LIMIT} at most) "
        "and move the rest to docs/using.md, docs/operating.md or docs/developing.md."
    )


def test_the_readme_links_to_every_manual() -> None:
    linked = {target.split("#")[0] for target in relative_links(README)}
    assert {"docs/using.md", "docs/operating.md", "docs/developing.md"} <= linked


def broken_links(path: Path) -> list[str]:
    broken = []
    for target in relative_links(path):
        file_part, _, fragment = target.partition("#")
        linked = (path.parent / file_part).resolve() if file_part else path
        if not linked.exists():
            broken.append(f"{target}: no file {file_part}")
        elif fragment and linked.suffix == ".md" and fragment not in anchors(linked):
            broken.append(f"{target}: no heading #{fragment} in {linked.name}")
    return broken


@pytest.mark.parametrize("path", DOCS, ids=lambda path: str(path.relative_to(ROOT)))
def test_every_relative_link_leads_to_a_file_and_heading(path: Path) -> None:
    broken = broken_links(path)
    assert not broken, f"{path.relative_to(ROOT)} has broken links:\n" + "\n".join(broken)


def test_a_link_to_a_missing_file_or_heading_is_found(tmp_path: Path) -> None:
    (tmp_path / "other.md").write_text("# Other\n\n## `make demo` and more\n", encoding="utf-8")
    page = tmp_path / "page.md"
    page.write_text(
        "# A page\n\n## The patient's side\n\n## The patient's side\n\n"
        "[fine](#the-patients-side-1) [gone](#nowhere) [there](other.md#make-demo-and-more)\n"
        "`[in code](#ignored)` [missing](gone.md) [web](https://example.org/#x)\n"
        "```\n[fenced](#ignored)\n# not a heading\n```\n[wrong](other.md#other-1)\n",
        encoding="utf-8",
    )
    assert broken_links(page) == [
        "#nowhere: no heading #nowhere in page.md",
        "gone.md: no file gone.md",
        "other.md#other-1: no heading #other-1 in other.md",
    ]
