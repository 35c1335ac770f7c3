"""An article's history page records a change only when something changed: saving a draft
unchanged, as a browser sends it back, records nothing for the article or any of its parts."""

import pytest
from django.contrib.admin.models import LogEntry
from django.contrib.auth.models import User
from django.test import Client
from django.urls import reverse

from education.models import Article
from education.parts import PARTS
from tests.helpers import as_a_browser_sends_it, present

pytestmark = pytest.mark.django_db


def history_records(article: Article) -> int:
    parts = sum(
        part.model.history.filter(article_id=article.pk).count()  # type: ignore[attr-defined]  # every part keeps history
        for part in PARTS
    )
    return parts + article.history.count()


def part_changes(client: Client, article: Article) -> list:
    page = client.get(reverse("admin:education_article_history", args=[article.pk]))
    return [change for change in page.context["part_changes"] if change.change != "Created"]


def test_saving_a_draft_unchanged_twice_records_no_change(
    client: Client, editor: User, draft: Article
) -> None:
    client.force_login(editor)
    records = history_records(draft)
    url = reverse("admin:education_article_change", args=[draft.pk])

    for _ in range(2):
        assert client.post(url, as_a_browser_sends_it(draft)).status_code == 302

    assert history_records(draft) == records
    assert part_changes(client, draft) == []
    for entry in LogEntry.objects.filter(object_id=str(draft.pk)):
        assert entry.get_change_message() == "No fields changed."
    assert not draft.contributors.exists()  # so they may still approve it


def test_changing_one_section_records_that_section_alone_with_its_difference(
    client: Client, editor: User, draft: Article
) -> None:
    client.force_login(editor)
    section = draft.sections.get(kind="overview")
    data = as_a_browser_sends_it(draft)
    index = list(draft.sections.all()).index(section)
    data[f"sections-{index}-body"] = "It heals.\r\n\r\nRest helps."
    url = reverse("admin:education_article_change", args=[draft.pk])

    assert client.post(url, data).status_code == 302

    assert [change.description for change in part_changes(client, draft)] == [str(section)]
    record = section.history.latest()
    changed = record.diff_against(record.prev_record).changed_fields
    assert changed == ["body"]
    assert section.history.latest().body == "It heals.\n\nRest helps."
    assert "Changed Body for section" in LogEntry.objects.get().get_change_message()
    assert list(draft.contributors.all()) == [editor]


def test_saving_a_part_unchanged_writes_nothing_and_records_nothing(draft: Article) -> None:
    section = present(draft.sections.first())
    records = section.history.count()
    section.save()
    section.body = section.body.replace("\n", "\r\n")
    section.save()
    draft.save()
    assert section.history.count() == records
    assert draft.history.count() == 1
