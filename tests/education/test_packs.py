"""Content packs: the shipped library loads through the same import editors use; a pack is
checked whole before anything is written, imports as drafts for review, and round-trips."""

import io
import json
import re
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from django.contrib.auth.models import User
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.core.management.base import CommandError
from django.test import Client
from django.urls import reverse

from education.diff import compare_articles
from education.models import Article, CheckQuestion, Condition, Section, condition_terms
from education.packs import (
    SCHEMA_PATH,
    SHIPPED_DIR,
    PackInvalid,
    load_shipped,
    pack_text,
    read_pack,
    read_packs,
)
from education.plan_blocks import Aid, PhysioStart, Site
from education.readability import MIN_PATIENT_INFLESZ, article_readability
from education.snapshot import build_snapshot, content_fingerprint
from tests.database_faults import FAILURES
from tests.helpers import article_form

BME = "bone-marrow-edema"
SHIPPED = sorted(SHIPPED_DIR.glob("*.json"))
IMPORT_URL = reverse("admin:education_article_import")


def shipped(slug: str = BME) -> dict[str, Any]:
    return json.loads((SHIPPED_DIR / f"{slug}.json").read_text(encoding="utf-8"))


def write(directory: Path, data: dict[str, Any], name: str | None = None) -> Path:
    path = directory / (name or f"{data['condition']['slug']}.json")
    path.write_text(pack_text(data), encoding="utf-8")
    return path


def import_content(*args: object) -> str:
    out = io.StringIO()
    call_command("import_content", *[str(a) for a in args], stdout=out)
    return out.getvalue()


# --- The schema, and the shipped library ---------------------------------------------------


def schema_problems(
    value: Any, schema: dict[str, Any], root: dict[str, Any], path: str
) -> list[str]:
    """The schema keywords the pack schema uses, checked as JSON Schema 2020-12 defines them
    (the portal does not depend on a JSON Schema library: packs are checked in code)."""
    if "$ref" in schema:
        schema = root["$defs"][schema["$ref"].rsplit("/", 1)[1]]
    problems: list[str] = []
    types = schema.get("type")
    if types is not None:
        kinds = {
            "object": dict,
            "array": list,
            "string": str,
            "boolean": bool,
            "null": type(None),
            "integer": int,
        }
        allowed = [types] if isinstance(types, str) else types
        if not any(
            isinstance(value, kinds[t]) and not (t == "integer" and isinstance(value, bool))
            for t in allowed
        ):
            return [f"{path}: not {types}"]
    if "const" in schema and value != schema["const"]:
        problems.append(f"{path}: not {schema['const']}")
    if "enum" in schema and value not in schema["enum"]:
        problems.append(f"{path}: {value!r} not in enum")
    if isinstance(value, str):
        if "pattern" in schema and not re.search(schema["pattern"], value):
            problems.append(f"{path}: does not match {schema['pattern']}")
        if len(value) < schema.get("minLength", 0) or len(value) > schema.get("maxLength", 10**9):
            problems.append(f"{path}: length")
    if isinstance(value, int) and not isinstance(value, bool):
        low, high = schema.get("minimum", -(10**9)), schema.get("maximum", 10**9)
        if not low <= value <= high:
            problems.append(f"{path}: out of range")
    if isinstance(value, list):
        if not schema.get("minItems", 0) <= len(value) <= schema.get("maxItems", 10**9):
            problems.append(f"{path}: item count")
        if schema.get("uniqueItems") and len({json.dumps(v) for v in value}) != len(value):
            problems.append(f"{path}: items not unique")
        for index, item in enumerate(value):
            problems += schema_problems(item, schema.get("items", {}), root, f"{path}[{index}]")
    if isinstance(value, dict):
        if len(value) < schema.get("minProperties", 0):
            problems.append(f"{path}: too few properties")
        for name in schema.get("required", []):
            if name not in value:
                problems.append(f"{path}.{name}: missing")
        properties = schema.get("properties", {})
        for name, item in value.items():
            if "propertyNames" in schema:
                problems += schema_problems(name, schema["propertyNames"], root, f"{path}.{name}")
            if name in properties:
                problems += schema_problems(item, properties[name], root, f"{path}.{name}")
            elif schema.get("additionalProperties") is False:
                problems.append(f"{path}.{name}: not allowed")
            elif isinstance(schema.get("additionalProperties"), dict):
                problems += schema_problems(
                    item, schema["additionalProperties"], root, f"{path}.{name}"
                )
    return problems


def test_the_schema_is_json_schema_2020_12_and_every_shipped_pack_matches_it() -> None:
    schema = json.loads(SCHEMA_PATH.read_text(encoding="utf-8"))
    assert schema["$schema"] == "https://json-schema.org/draft/2020-12/schema"
    assert len(SHIPPED) == 13
    for path in SHIPPED:
        data = json.loads(path.read_text(encoding="utf-8"))
        assert schema_problems(data, schema, schema, path.name) == []


def test_the_schema_refuses_what_the_format_does_not_allow() -> None:
    schema = json.loads(SCHEMA_PATH.read_text(encoding="utf-8"))
    data = shipped()
    data["articles"]["en"]["warning_signs"][0]["urgency"] = "later"
    data["articles"]["en"]["color"] = "red"
    problems = schema_problems(data, schema, schema, "pack")
    assert "pack.articles.en.warning_signs[0].urgency: 'later' not in enum" in problems
    assert "pack.articles.en.color: not allowed" in problems


def test_every_shipped_pack_reads_without_a_problem_and_is_written_as_export_writes_it() -> None:
    for pack in read_packs([SHIPPED_DIR]):
        assert pack.text() == (SHIPPED_DIR / pack.file).read_text(encoding="utf-8"), pack.file


@pytest.mark.django_db
def test_the_shipped_library_loads_published_and_flagged_for_clinical_review() -> None:
    output = import_content("--publish-unreviewed", SHIPPED_DIR)

    assert "Imported 13 pack(s): 0 draft(s), 26 published, 0 unchanged, 0 refused." in output
    assert Condition.objects.count() == 13
    articles = Article.objects.all()
    assert articles.count() == 26
    assert all(a.is_published and a.needs_clinical_review for a in articles)
    assert CheckQuestion.objects.filter(article__condition__slug="ankle-sprain").count() > 0
    back = Article.objects.get(condition__slug="low-back-pain", language="es")
    assert back.plan_offer().load is None  # no weight, no crutches for a back


@pytest.mark.django_db
def test_loading_the_library_again_changes_nothing() -> None:
    import_content("--publish-unreviewed", SHIPPED_DIR)
    sections = list(Section.objects.values_list("pk", "lineage"))
    history = Section.history.count()

    output = import_content("--publish-unreviewed", SHIPPED_DIR)

    assert "0 published, 26 unchanged, 0 refused." in output
    assert Article.objects.count() == 26
    assert list(Section.objects.values_list("pk", "lineage")) == sections
    assert Section.history.count() == history


@pytest.mark.django_db
@pytest.mark.parametrize("language", ["en", "es"])
def test_bone_marrow_edema_is_the_sample_it_was_with_its_plan(language: str) -> None:
    load_shipped(BME, [language])
    article = Article.objects.get(language=language)
    assert article.is_published and article.needs_clinical_review
    assert list(article.sections.values_list("kind", flat=True)) == [
        "overview",
        "causes",
        "symptoms",
        "diagnosis",
        "treatment",
        "physiotherapy",
        "prevention",
    ]
    assert article.therapies.count() == 4
    assert article.sources.count() == 5
    assert {"call_clinic", "emergency"} == set(
        article.warning_signs.values_list("urgency", flat=True)
    )
    assert "M89.8X6" in condition_terms(article).icd10_codes
    offer = article.plan_offer()
    assert offer.activity is not None and offer.activity.rest_weeks == 4
    assert offer.load is not None and offer.load.default == "partial"
    assert [(a.kind, a.selected) for a in offer.aids] == [(Aid.CRUTCHES, True)]
    assert offer.physiotherapy is not None and offer.physiotherapy.start == PhysioStart.AFTER_REST
    assert offer.site is not None and offer.site.sided
    assert offer.site.sites == (Site.KNEE, Site.HEEL, Site.FOOT, Site.ANKLE, Site.HIP)


@pytest.mark.django_db
def test_the_spanish_sample_reads_fairly_easy_or_easier_on_the_inflesz_scale() -> None:
    load_shipped(BME, ["es"])
    whole, sections = article_readability(Article.objects.get(language="es"))
    assert whole.inflesz is not None and whole.inflesz >= MIN_PATIENT_INFLESZ, whole
    for heading, figures in sections:
        assert figures.inflesz is not None and figures.inflesz >= MIN_PATIENT_INFLESZ, heading


# --- Export and import round trip ----------------------------------------------------------


@pytest.mark.django_db
def test_export_import_export_gives_identical_files(tmp_path: Path) -> None:
    import_content("--publish-unreviewed", SHIPPED_DIR)
    call_command("export_content", "--output", str(tmp_path / "first"), stdout=None)
    first = sorted((tmp_path / "first").glob("*.json"))
    assert [p.name for p in first] == [p.name for p in SHIPPED]

    output = import_content(tmp_path / "first")
    call_command("export_content", "--output", str(tmp_path / "second"), stdout=None)

    assert "0 draft(s), 0 published, 26 unchanged" in output
    for path in first:
        again = (tmp_path / "second" / path.name).read_text(encoding="utf-8")
        assert again == path.read_text(encoding="utf-8")
        assert again == (SHIPPED_DIR / path.name).read_text(encoding="utf-8")


@pytest.mark.django_db
def test_a_pack_imported_as_drafts_into_another_portal_exports_as_the_same_file(
    tmp_path: Path,
) -> None:
    import_content(SHIPPED_DIR / "tennis-elbow.json")
    assert set(Article.objects.values_list("state", flat=True)) == {"draft"}

    call_command("export_content", "tennis-elbow", "--output", str(tmp_path), stdout=None)

    assert (tmp_path / "tennis-elbow.json").read_bytes() == (
        SHIPPED_DIR / "tennis-elbow.json"
    ).read_bytes()


@pytest.mark.django_db
def test_parts_written_in_the_admin_are_named_by_lineage_and_round_trip(
    tmp_path: Path, approve: Callable[..., Article]
) -> None:
    version = approve(
        change=lambda draft: Section.objects.create(
            article=draft, kind="other", body="Written by the clinic.", position=9
        )
    )
    written = version.sections.get(position=9)
    call_command("export_content", BME, "--output", str(tmp_path / "a"), stdout=None)
    first = (tmp_path / "a" / f"{BME}.json").read_text(encoding="utf-8")
    keys = [s["key"] for s in json.loads(first)["articles"]["en"]["sections"]]
    assert keys[-1] == f"section-{written.lineage.hex[:8]}"

    output = import_content(tmp_path / "a" / f"{BME}.json")
    call_command("export_content", BME, "--output", str(tmp_path / "b"), stdout=None)

    assert "[en]: unchanged" in output
    assert (tmp_path / "b" / f"{BME}.json").read_text(encoding="utf-8") == first


@pytest.mark.django_db
def test_dry_run_reports_what_would_happen_and_writes_nothing() -> None:
    output = import_content("--dry-run", SHIPPED_DIR / "ankle-sprain.json")

    assert "ankle-sprain.json [en]: draft" in output
    assert "Would import 1 pack(s): 2 draft(s)" in output
    assert not Condition.objects.exists() and not Article.objects.exists()


# --- Drafts beside the live version --------------------------------------------------------


@pytest.mark.django_db
def test_a_changed_pack_becomes_a_draft_beside_the_live_version_for_the_reviewer(
    tmp_path: Path, sample_article: Article
) -> None:
    data = shipped()
    del data["articles"]["es"], data["condition"]["names"]["es"]
    english = data["articles"]["en"]
    english["title"] = "Bone marrow edema: fluid inside a bone"
    english["therapies"][0]["weeks"] = 8
    english["prevention_tips"].append(
        {"key": "sleep-well", "text": "Sleep well.", "selected_by_default": False}
    )

    output = import_content(write(tmp_path, data))

    assert "[en]: draft (title; therapies: 1 changed; prevention_tips: 1 added)" in output
    live = Article.objects.get(pk=sample_article.pk)
    assert live.is_published and live.title == sample_article.title
    draft = Article.objects.get(state="draft")
    assert draft.based_on == live and draft.title == english["title"]
    assert [t.lineage for t in draft.therapies.all()] == [t.lineage for t in live.therapies.all()]
    changes = compare_articles(live, draft)
    assert changes.has_changes
    statuses = {
        (str(group.name), change.status) for group in changes.groups for change in group.changes
    }
    assert statuses == {
        ("Title and summary", "changed"),
        ("Therapies", "changed"),
        ("Prevention tips", "added"),
    }


@pytest.mark.django_db
def test_the_publish_option_is_refused_for_a_condition_with_a_live_version(
    tmp_path: Path, sample_article: Article
) -> None:
    data = shipped()
    data["articles"]["en"]["summary"] = "Changed."

    with pytest.raises(CommandError, match="refused"):
        import_content("--publish-unreviewed", write(tmp_path, data))

    assert Article.objects.count() == 1  # neither the changed English nor the Spanish


@pytest.mark.django_db
def test_a_language_that_has_a_draft_already_is_refused_and_the_draft_kept(
    tmp_path: Path, draft: Article
) -> None:
    draft.title = "The clinic's own draft"
    draft.save()

    with pytest.raises(CommandError, match="1 refused"):
        import_content(SHIPPED_DIR / f"{BME}.json")

    assert Article.objects.get(pk=draft.pk).title == "The clinic's own draft"
    assert Article.objects.filter(language="es", state="draft").count() == 1


# --- Problems name file, field path and what is allowed ------------------------------------


@pytest.mark.django_db
def test_every_problem_names_the_file_the_field_path_and_what_is_allowed(tmp_path: Path) -> None:
    data = shipped("ankle-sprain")
    english = data["articles"]["en"]
    english["warning_signs"][1]["urgency"] = "soon"
    english["therapies"][0]["weeks"] = "six"
    english["plan"]["load"]["default"] = "light"
    english["check_questions"][0]["options"][1]["correct"] = True
    english["colour"] = "blue"
    data["condition"]["codes"][0]["code"] = "XX"
    bad = write(tmp_path, data, "bad.json")
    good = write(tmp_path, shipped("neck-pain"))

    with pytest.raises(CommandError, match="nothing was imported"):
        call_command(
            "import_content", str(bad), str(good), stdout=None, stderr=(err := io.StringIO())
        )

    lines = err.getvalue().splitlines()
    assert (
        "bad.json: articles.en.warning_signs[1].urgency: must be one of: call_clinic, emergency"
        in lines
    )
    assert "bad.json: articles.en.therapies[0].weeks: must be a whole number" in lines
    assert (
        "bad.json: articles.en.plan.load.default: must be one of: none, partial, as_tolerated, full"
        in lines
    )
    assert any(
        line.startswith("bad.json: articles.en.check_questions[0].options: ") for line in lines
    )
    assert any(
        line.startswith("bad.json: articles.en.colour: is not a field here") for line in lines
    )
    assert any(
        line.startswith("bad.json: condition.codes[0].code: Not an ICD-10-CM code")
        for line in lines
    )
    assert not Condition.objects.exists()  # not even the good file's


def test_a_file_that_is_not_json_is_named() -> None:
    with pytest.raises(PackInvalid) as invalid:
        read_pack("notes.txt", b"Dear editor")
    assert str(invalid.value.problems[0]).startswith("notes.txt: (file): is not UTF-8 JSON")


def test_check_questions_come_two_to_five_with_one_right_answer_when_single() -> None:
    data = shipped("ankle-sprain")
    questions = data["articles"]["es"]["check_questions"]
    del questions[1:]
    with pytest.raises(PackInvalid) as invalid:
        read_pack("a.json", json.dumps(data))
    assert [str(p) for p in invalid.value.problems] == [
        "a.json: articles.es.check_questions: must hold 2 to 5, or none"
    ]


# --- Uploading a pack in the admin ---------------------------------------------------------


def upload(data: dict[str, Any], name: str = "pack.json") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, pack_text(data).encode(), content_type="application/json")


@pytest.mark.django_db
def test_an_editor_sees_what_a_pack_would_change_then_imports_it_as_drafts(
    client: Client, editor: User, sample_article: Article
) -> None:
    client.force_login(editor)
    assert "Check the pack" in client.get(IMPORT_URL).content.decode()
    data = shipped()
    data["articles"]["en"]["summary"] = "A new summary."

    preview = client.post(IMPORT_URL, {"file": upload(data)})

    assert preview.status_code == 200
    rows = {item.language: item for item in preview.context["preview"].languages}
    assert rows["en"].outcome == "draft" and rows["en"].changes == ["summary"]
    assert rows["es"].outcome == "draft" and rows["es"].changes == []
    assert Article.objects.count() == 1  # the preview wrote nothing

    confirm = preview.context["confirm"].initial
    done = client.post(IMPORT_URL, {**confirm, "confirm": "1"})

    assert done.status_code == 302
    drafts = Article.objects.filter(state="draft")
    assert set(drafts.values_list("language", flat=True)) == {"en", "es"}
    assert all(list(d.contributors.all()) == [editor] for d in drafts)
    assert Article.objects.get(pk=sample_article.pk).summary == sample_article.summary


@pytest.mark.django_db
def test_a_bad_upload_lists_its_problems_and_saves_nothing(client: Client, editor: User) -> None:
    client.force_login(editor)
    data = shipped("tennis-elbow")
    data["articles"]["es"]["therapies"][0]["times_per_week"] = 30

    page = client.post(IMPORT_URL, {"file": upload(data, "tennis.json")})

    assert page.status_code == 200
    html = page.content.decode()
    assert "<code>tennis.json</code>" in html
    assert "<code>articles.es.therapies[0].times_per_week</code>" in html
    assert not Article.objects.exists() and not Condition.objects.exists()


@pytest.mark.django_db
@pytest.mark.parametrize("persona", ["clinician", "front_desk", "outsider"])
def test_only_content_editors_may_import_packs(
    client: Client, personas: dict[str, User], persona: str
) -> None:
    client.force_login(personas[persona])
    response = client.post(IMPORT_URL, {"file": upload(shipped())})
    assert response.status_code in {302, 403}
    assert not Article.objects.exists()


@pytest.mark.django_db
def test_the_library_shows_each_conditions_languages_and_review_state(
    client: Client, clinician: User, approve: Callable[..., Article]
) -> None:
    load_shipped("neck-pain")
    approve()  # a reviewed version of bone marrow edema (English)
    client.force_login(clinician)

    page = client.get(reverse("education:library") + "?q=neck").content.decode()
    assert page.count("Needs clinical review") == 2
    assert ">EN<" in page and ">ES<" in page
    page = client.get(reverse("education:library") + "?q=marrow").content.decode()
    assert "Clinically reviewed" in page and "Needs clinical review" not in page


@pytest.mark.django_db
def test_the_admin_keeps_an_articles_check_questions_two_to_five_or_none(
    client: Client, editor: User, draft: Article
) -> None:
    client.force_login(editor)
    url = reverse("admin:education_article_change", args=[draft.pk])
    data = article_form(draft)
    data["check_questions-0-DELETE"] = "on"

    page = client.post(url, data)

    assert page.status_code == 200
    assert "Give 2 to 5 of these, or none." in page.content.decode()
    assert draft.check_questions.count() == 2
    data["check_questions-1-DELETE"] = "on"
    assert client.post(url, data).status_code == 302
    assert not draft.check_questions.exists()


@pytest.mark.django_db
def test_a_one_answer_question_with_two_right_answers_is_refused_in_the_admin(
    client: Client, editor: User, draft: Article
) -> None:
    client.force_login(editor)
    question = draft.check_questions.first()
    assert question is not None
    data = article_form(draft)
    data["check_questions-0-options"] = json.dumps(
        [{"text": option["text"], "correct": True} for option in question.options]
    )

    page = client.post(reverse("admin:education_article_change", args=[draft.pk]), data)

    assert "exactly one answer correct" in page.content.decode()
    assert CheckQuestion.objects.get(pk=question.pk).options == question.options


@pytest.mark.django_db
def test_check_questions_are_in_the_snapshot_but_not_the_fingerprint_until_printed(
    sample_article: Article,
) -> None:
    snapshot = build_snapshot(sample_article)
    assert [q["about"] for q in snapshot["check_questions"]] == ["warning_signs", "treatment"]
    without = {**snapshot, "check_questions": []}
    assert content_fingerprint(snapshot) == content_fingerprint(without)


@pytest.mark.django_db
@pytest.mark.parametrize("failure", FAILURES)
def test_an_import_the_database_refuses_halfway_saves_nothing(
    client: Client, editor: User, sample_article: Article, failure: str
) -> None:
    client.force_login(editor)
    data = shipped()
    data["articles"]["en"]["summary"] = "A new summary."
    confirm = client.post(IMPORT_URL, {"file": upload(data)}).context["confirm"].initial

    # The admin's log entry is written last, after both drafts and their parts.
    with FAILURES[failure]("INSERT", "django_admin_log"):
        response = client.post(IMPORT_URL, {**confirm, "confirm": "1"}, follow=True)

    assert "The pack was not imported: the database could not save it." in (
        response.content.decode()
    )
    assert list(Article.objects.all()) == [sample_article]
