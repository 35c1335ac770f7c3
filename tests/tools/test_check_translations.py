"""The translation check that `make test` runs: it reports what is missing, fuzzy or stale."""

import importlib.util
from pathlib import Path

import polib

from tests.helpers import present

ROOT = Path(__file__).resolve().parents[2]
spec = importlib.util.spec_from_file_location(
    "check_translations", ROOT / "scripts" / "check_translations.py"
)
check = importlib.util.module_from_spec(present(spec))
present(present(spec).loader).exec_module(check)


def catalog(*entries: polib.POEntry) -> polib.POFile:
    po = polib.POFile()
    for entry in entries:
        po.append(entry)
    return po


def test_a_complete_current_catalog_has_no_problems() -> None:
    rest = polib.POEntry(msgid="Rest", msgstr="Reposo")
    assert check.problems("es", catalog(rest), catalog(polib.POEntry(msgid="Rest"))) == []


def test_untranslated_fuzzy_new_and_gone_messages_are_each_reported() -> None:
    committed = catalog(
        polib.POEntry(msgid="Rest", msgstr=""),
        polib.POEntry(msgid="Crutches", msgstr="Muletas", flags=["fuzzy"]),
        polib.POEntry(
            msgid="%(n)s week", msgid_plural="%(n)s weeks", msgstr_plural={0: "%(n)s semana", 1: ""}
        ),
        polib.POEntry(msgid="Old message", msgstr="Mensaje viejo"),
    )
    extracted = catalog(
        *(polib.POEntry(msgid=m) for m in ["Rest", "Crutches", "New message"]),
        polib.POEntry(msgid="%(n)s week", msgid_plural="%(n)s weeks"),
    )
    found = "\n".join(check.problems("es", committed, extracted))
    assert "not translated: 'Rest'" in found
    assert "marked fuzzy (check it, then remove the flag): 'Crutches'" in found
    assert "not translated: '%(n)s week'" in found  # a plural form is missing
    assert "new in the code, missing from the catalog: 'New message'" in found
    assert "in the catalog, no longer in the code: 'Old message'" in found


def test_the_spanish_catalog_in_the_repository_is_complete() -> None:
    po = polib.pofile(str(ROOT / "locale" / "es" / "LC_MESSAGES" / "django.po"))
    assert po.percent_translated() == 100 and not po.fuzzy_entries()
