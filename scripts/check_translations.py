#!/usr/bin/env python
"""Fail when a translation catalog is stale or incomplete.

Stale: extracting the marked strings from the code now (makemessages, in a scratch copy of the
checkout, so nothing here is rewritten) gives a different set of messages than the committed
.po file. Incomplete: an entry has no translation, a missing plural form, or is marked fuzzy.
Run by `make test`; `make messages` refreshes the catalogs.
"""

import os
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

import polib

ROOT = Path(__file__).resolve().parent.parent
SOURCES = [
    "manage.py",
    "portal",
    "education",
    "handouts",
    "interop",
    "reports",
    "benchmarks",
    "templates",
    "locale",
]
# What `make messages` passes to makemessages; the check must extract the same way.
MAKEMESSAGES_ARGS = ["--add-location=file", "--no-obsolete"]
IGNORED = shutil.ignore_patterns("__pycache__", "*.pyc", "*.mo", "content_packs")

MessageId = tuple[str | None, str, str]


def message_ids(catalog: polib.POFile) -> set[MessageId]:
    return {
        (entry.msgctxt, entry.msgid, entry.msgid_plural) for entry in catalog if not entry.obsolete
    }


def extracted_catalogs(languages: list[str]) -> dict[str, polib.POFile]:
    """The catalogs makemessages would write for the code as it is now."""
    with tempfile.TemporaryDirectory() as scratch:
        for name in SOURCES:
            source, target = ROOT / name, Path(scratch) / name
            if source.is_dir():
                shutil.copytree(source, target, ignore=IGNORED)
            else:
                shutil.copy2(source, target)
        command = [
            sys.executable,
            "manage.py",
            "makemessages",
            "--verbosity=0",
            *MAKEMESSAGES_ARGS,
            *(f"--locale={code}" for code in languages),
        ]
        # Our own manage.py, with arguments we wrote.
        subprocess.run(command, cwd=scratch, check=True, env=os.environ | {"DEBUG": "1"})  # noqa: S603
        return {code: polib.pofile(str(Path(scratch) / catalog_path(code))) for code in languages}


def catalog_path(language: str) -> Path:
    return Path("locale") / language / "LC_MESSAGES" / "django.po"


def problems(language: str, committed: polib.POFile, extracted: polib.POFile) -> list[str]:
    found = []
    committed_ids, extracted_ids = message_ids(committed), message_ids(extracted)
    for _context, msgid, _plural in sorted(extracted_ids - committed_ids, key=str):
        found.append(f"{language}: new in the code, missing from the catalog: {msgid!r}")
    for _context, msgid, _plural in sorted(committed_ids - extracted_ids, key=str):
        found.append(f"{language}: in the catalog, no longer in the code: {msgid!r}")
    for entry in committed:
        if entry.obsolete:
            continue
        if "fuzzy" in entry.flags:
            found.append(
                f"{language}: marked fuzzy (check it, then remove the flag): {entry.msgid!r}"
            )
        elif not entry.translated():
            found.append(f"{language}: not translated: {entry.msgid!r}")
    return found


def main() -> int:
    languages = sorted(
        path.name
        for path in (ROOT / "locale").iterdir()
        if (path / "LC_MESSAGES" / "django.po").exists()
    )
    if not languages:
        print("No catalogs under locale/.")
        return 1
    extracted = extracted_catalogs(languages)
    found = []
    for code in languages:
        found += problems(code, polib.pofile(str(ROOT / catalog_path(code))), extracted[code])
    for line in found:
        print(line)
    if found:
        print(
            f"\n{len(found)} translation problem(s). Run `make messages`, translate what is "
            "new or fuzzy in locale/<language>/LC_MESSAGES/django.po, and commit it."
        )
        return 1
    print(f"Translations complete and current: {', '.join(languages)}.")
    return 0


if __name__ == "__main__":
    sys.exit(main())
