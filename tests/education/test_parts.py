"""One list of the parts an article owns (education.parts): every model that belongs to an
article version is in it, and every reader of it (admin, new drafts, permissions, sample
loader, snapshot, diff) handles each part."""

import typing
from typing import Any, cast

import pytest
from django.apps import apps
from django.contrib import admin
from django.contrib.auth.models import User
from django.db import models
from simple_history.models import HistoricalChanges

from education.apps import EducationConfig
from education.diff import compare_articles
from education.models import Article
from education.parts import PARTS
from education.snapshot import Snapshot, build_snapshot
from education.workflow import start_draft
from portal.roles import EDITOR

pytestmark = pytest.mark.django_db


def belongs_to_an_article(model: type[models.Model]) -> bool:
    """Whether the model's rows belong to one article version (a link to Article that is not
    the article's own "based on")."""
    return model is not Article and any(
        isinstance(field, models.ForeignKey) and field.related_model is Article
        for field in model._meta.get_fields()
    )


def test_every_model_that_belongs_to_an_article_version_is_in_the_parts_registry() -> None:
    belonging = {
        model
        for model in apps.get_app_config("education").get_models()
        if belongs_to_an_article(model) and not issubclass(model, HistoricalChanges)
    }
    assert belonging == {part.model for part in PARTS}


def test_every_part_has_its_entry_in_the_typed_snapshot() -> None:
    entries = typing.get_type_hints(Snapshot)
    for part in PARTS:
        if part.snapshot is None:  # held under "condition"
            continue
        expected = list if part.many else dict
        assert typing.get_origin(entries[part.name]) in {expected, None}, part.name


def test_the_admin_edits_every_part_on_the_article_page() -> None:
    article_admin = admin.site._registry[Article]
    assert [inline.model for inline in article_admin.inlines] == [part.model for part in PARTS]
    for part in PARTS:
        assert part.model in admin.site._registry  # its history and revert pages


def test_editors_may_add_change_and_delete_every_part() -> None:
    editor_permissions = set(
        cast(EducationConfig, apps.get_app_config("education")).role_permissions[EDITOR]
    )
    for part in PARTS:
        name = part.model._meta.model_name
        assert {f"add_{name}", f"change_{name}", f"delete_{name}"} <= editor_permissions


def test_sample_content_a_new_draft_a_snapshot_and_the_diff_hold_every_part(
    sample_article: Article, editor: User
) -> None:
    draft = start_draft(sample_article, editor)
    # Parts by their names: keys the Snapshot type cannot name one by one.
    snapshot = cast(dict[str, Any], build_snapshot(sample_article))
    groups = {group.name: group for group in compare_articles(sample_article, draft).groups}
    for part in PARTS:
        loaded, copied = part.of(sample_article), part.of(draft)
        assert loaded, f"the sample file has no {part.name}"
        assert len(copied) == len(loaded)
        assert {c.pk for c in copied}.isdisjoint({item.pk for item in loaded})
        if part.has_lineage:
            assert [c.lineage for c in copied] == [item.lineage for item in loaded]
        if part.snapshot is None:
            pass  # the condition's name and codes: under "condition" (test_conditions.py)
        elif part.has_lineage:
            assert [item["key"] for item in snapshot[part.name]] == [
                str(item.lineage) for item in loaded
            ]
        else:
            assert snapshot[part.name] == part.snapshot(loaded[0])
        group = groups[str(part.diff_name)]
        assert group.parts and not group.changes
