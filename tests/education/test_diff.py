"""Reviewers see what changed between two versions, part by part and word by word."""

import pytest
from django.contrib.auth.models import User
from django.template.loader import render_to_string

from education.diff import ArticleDiff, PartGroup, compare_articles, inline_diff
from education.models import Article, Therapy
from education.workflow import start_draft
from tests.helpers import present

DIFF_TEMPLATE = "admin/education/article/includes/diff.html"


@pytest.fixture
def draft(sample_article: Article, editor: User) -> Article:
    return start_draft(sample_article, editor)


def group(diff: ArticleDiff, name: str) -> PartGroup:
    return next(g for g in diff.groups if g.name == name)


def test_a_fresh_draft_has_no_changes_and_every_part_is_unchanged(
    sample_article: Article, draft: Article
) -> None:
    diff = compare_articles(sample_article, draft)

    assert not diff.has_changes
    assert all(not g.changes for g in diff.groups)
    assert group(diff, "Sections").unchanged_summary == "7 unchanged sections"
    html = render_to_string(DIFF_TEMPLATE, {"changes": diff})
    assert "These two versions read the same." in html
    assert "<del>" not in html and "<ins>" not in html


def test_a_word_changed_in_a_section_is_shown_removed_and_added(
    sample_article: Article, draft: Article
) -> None:
    section = present(draft.sections.first())
    section.body = section.body.replace("two main kinds", "three main kinds", 1)
    section.save()

    sections = group(compare_articles(sample_article, draft), "Sections")

    [change] = sections.changes
    assert change.status == "changed"
    assert change.label == "What is bone marrow edema?"
    [text] = change.changed_fields
    assert text.label == "Text"
    assert "<del>two</del><ins>three</ins> main kinds" in text.html
    assert sections.unchanged_summary == "6 unchanged sections"


def test_an_added_and_a_removed_therapy_are_listed_with_their_text(
    sample_article: Article, draft: Article
) -> None:
    draft.therapies.get(name="Magnet treatment").delete()
    Therapy.objects.create(
        article=draft,
        name="Swimming",
        instructions="Swim gently.",
        times_per_week=2,
        weeks=6,
        position=9,
    )

    therapies = group(compare_articles(sample_article, draft), "Therapies")

    by_status = {change.status: change for change in therapies.changes}
    assert set(by_status) == {"added", "removed"}
    assert by_status["removed"].label == "Magnet treatment"
    assert by_status["removed"].old_position == 1
    assert "<del>Magnet treatment</del>" in by_status["removed"].changed_fields[0].html
    added = {field.label: field.html for field in by_status["added"].changed_fields}
    assert added == {
        "Name": "<ins>Swimming</ins>",
        "Instructions": "<ins>Swim gently.</ins>",
        "Times a week": "<ins>2</ins>",
        "Weeks": "<ins>6</ins>",
    }
    assert therapies.parts[0] == by_status["removed"]  # shown where it was: first


def test_a_section_moved_to_the_top_is_the_only_one_reported_moved(
    sample_article: Article, draft: Article
) -> None:
    *others, last = draft.sections.all()
    for position, section in enumerate([last, *others]):
        section.position = position
        section.save()

    sections = group(compare_articles(sample_article, draft), "Sections")

    [moved] = sections.changes
    assert moved.status == "moved"
    assert (moved.old_position, moved.new_position) == (7, 1)
    assert not moved.changed_fields
    html = render_to_string(DIFF_TEMPLATE, {"changes": compare_articles(sample_article, draft)})
    assert "Moved from position 7 to 1" in html


def test_html_typed_by_an_editor_is_escaped_never_rendered(
    sample_article: Article, draft: Article
) -> None:
    section = present(draft.sections.first())
    section.body = 'Rest. <script>alert("x")</script> <img src=x onerror=alert(1)>'
    section.save()
    draft.title = "<b>Bold</b> title"
    draft.save()

    html = render_to_string(DIFF_TEMPLATE, {"changes": compare_articles(sample_article, draft)})

    assert "<script" not in html and "<img" not in html and "<b>" not in html
    assert "&lt;script&gt;" in html and "&lt;img src=x onerror=alert(1)&gt;" in html
    assert "&lt;b&gt;Bold&lt;/b&gt;" in html


def test_a_plan_change_shows_each_changed_block_in_plain_words(
    sample_article: Article, draft: Article
) -> None:
    plan = dict(draft.plan)
    plan["load"] = {"limb": "leg", "default": "as_tolerated"}
    plan["self_care"] = [
        {"kind": "cold", "times_per_day": 3, "minutes": 15, "days": 3, "selected": True}
    ]
    del plan["physiotherapy"]
    draft.plan = plan
    draft.save()

    [change] = group(compare_articles(sample_article, draft), "Patient's plan").changes

    assert {f.label: (f.old, f.new) for f in change.changed_fields} == {
        "Load": (
            "Leg; default Some weight (partial)",
            "Leg; default As much weight as pain allows",
        ),
        "Self-care": ("Not offered", "Cold pack, 3 a day, 15 min, 3 days, selected"),
        "Physiotherapy start": ("The day after rest ends", "Not offered"),
    }
    assert "<del>Some</del><ins>As much</ins> weight" in str(change.changed_fields[0].html)


def test_an_unchanged_plan_shows_no_change(sample_article: Article, draft: Article) -> None:
    assert not group(compare_articles(sample_article, draft), "Patient's plan").changes


def test_a_split_paragraph_is_marked_so_the_change_is_visible() -> None:
    assert inline_diff("Rest it. Then walk.", "Rest it.\n\nThen walk.") == (
        "Rest it.<ins>¶</ins>\n\nThen walk."
    )


def test_an_edited_and_moved_prevention_tip_reports_both(
    sample_article: Article, draft: Article
) -> None:
    *others, last = draft.prevention_tips.all()
    last.text, last.selected_by_default = last.text + " Every day.", not last.selected_by_default
    for position, tip in enumerate([last, *others]):
        tip.position = position
        tip.save()

    [change] = group(compare_articles(sample_article, draft), "Prevention tips").changes

    assert change.status == "changed" and change.moved
    assert [f.label for f in change.changed_fields] == ["Tip", "Selected by default"]
    assert change.changed_fields[0].html.endswith("<ins> Every day.</ins>")


def test_a_rewritten_sentence_reads_as_one_change_not_word_confetti() -> None:
    assert inline_diff("Rest (a lot) now.", "Walk (gently) later.") == (
        "<del>Rest (a lot) now</del><ins>Walk (gently) later</ins>."
    )
