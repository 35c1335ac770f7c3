"""The snapshot handouts are made from: typed, versioned, its parts keyed by lineage, and a
content fingerprint that stays what older handouts carry."""

import dataclasses
from typing import Any, cast

import pytest
from django.contrib.auth.models import User
from django.utils.translation import gettext_lazy

from education import snapshot as snapshot_module
from education.models import Article, ConditionName
from education.packs import load_shipped
from education.parts import PARTS, Part
from education.snapshot import (
    SNAPSHOT_FORMAT,
    build_snapshot,
    content_fingerprint,
    plan_offer_of,
)

pytestmark = pytest.mark.django_db

# The fingerprints of the sample articles as the portal computed them before snapshots were
# keyed by lineage (format 1): handouts issued then carry these, and the live versions'
# fingerprints are compared with them.
# The Spanish sample names its condition in Spanish since names became per language
# ("Edema de médula ósea"; it was "Bone marrow edema", fingerprint be0055df1001): that is a
# change a patient reads. Existing articles keep their old name until a new version says so.
FORMAT_1_FINGERPRINTS = {"en": "fbf76d65e620", "es": "d10a693b4999"}


@pytest.mark.parametrize("language", ["en", "es"])
def test_the_sample_articles_keep_the_fingerprints_older_handouts_carry(language: str) -> None:
    load_shipped("bone-marrow-edema", [language])
    article = Article.objects.get(language=language)
    assert article.fingerprint == FORMAT_1_FINGERPRINTS[language]
    assert content_fingerprint(build_snapshot(article)) == FORMAT_1_FINGERPRINTS[language]


def test_parts_are_keyed_by_their_lineage_not_their_database_id(
    sample_article: Article, editor: User
) -> None:
    from education.workflow import start_draft

    # Parts by their names: keys the Snapshot type cannot name one by one.
    snapshot = cast(dict[str, Any], build_snapshot(sample_article))
    draft_snapshot = cast(dict[str, Any], build_snapshot(start_draft(sample_article, editor)))
    assert snapshot["format"] == SNAPSHOT_FORMAT == 2
    for part in PARTS:
        if part.many and part.snapshot is not None:
            keys = [item["key"] for item in snapshot[part.name]]
            assert keys == [str(item.lineage) for item in part.of(sample_article)]
            # A new version's parts are other rows with the same keys.
            assert [item["key"] for item in draft_snapshot[part.name]] == keys


@dataclasses.dataclass(frozen=True)
class LaterPart(Part):
    """A part added to articles after handouts were issued (an "activity" plan block, say)."""

    @property
    def name(self) -> str:
        return "activity"


def test_a_part_added_later_leaves_older_fingerprints_alone_while_it_is_empty(
    sample_article: Article, monkeypatch: pytest.MonkeyPatch
) -> None:
    before = build_snapshot(sample_article)
    fingerprint = content_fingerprint(before)
    activity = LaterPart(
        ConditionName,
        admin_fields=["name"],
        snapshot=lambda n: {"advice": n.name},
        snapshot_when_missing={"advice": ""},
        diff_name=gettext_lazy("Activity"),
        diff_unchanged_count=None,
        diff_label=str,
        diff_fields=[],
    )
    monkeypatch.setattr(snapshot_module, "PARTS", [*PARTS, activity])

    assert content_fingerprint(before) == fingerprint  # a handout issued before the part
    assert content_fingerprint(before | {"activity": {"advice": ""}}) == fingerprint
    assert content_fingerprint(before | {"activity": {"advice": "Walk daily."}}) != fingerprint


def test_a_snapshot_holds_the_versions_plan_and_the_rest_guidance_it_implies(
    sample_article: Article,
) -> None:
    snapshot = build_snapshot(sample_article)
    assert snapshot["plan"] == sample_article.plan_offer().to_json()
    assert snapshot["rest_guidance"] == {
        "default_weeks": 4,
        "crutches_advised": True,
        "weight_bearing": "partial",
        "body_part": "",
        "note": "",
    }
    assert plan_offer_of(snapshot) == sample_article.plan_offer()


def test_a_snapshot_made_before_plan_blocks_offers_what_its_rest_guidance_did(
    sample_article: Article,
) -> None:
    older = {k: v for k, v in build_snapshot(sample_article).items() if k != "plan"}
    offer = plan_offer_of(older)
    assert offer == dataclasses.replace(sample_article.plan_offer(), site=None)
    assert content_fingerprint(older) == content_fingerprint(build_snapshot(sample_article))


def test_a_plan_that_says_more_than_rest_guidance_could_changes_the_fingerprint(
    sample_article: Article,
) -> None:
    snapshot = build_snapshot(sample_article)
    fingerprint = content_fingerprint(snapshot)
    calmer = {**snapshot["plan"], "load": {"limb": "leg", "default": "as_tolerated"}}
    active = {
        **snapshot["plan"],
        "activity": {"offered": ["rest", "relative", "active"], "default": "rest", "rest_weeks": 4},
    }
    assert content_fingerprint({**snapshot, "plan": calmer}) != fingerprint
    assert content_fingerprint({**snapshot, "plan": active}) != fingerprint
    # Once snapshots no longer carry rest guidance, the plan alone gives the same fingerprint.
    without_rest = {k: v for k, v in snapshot.items() if k != "rest_guidance"}
    assert content_fingerprint(without_rest) == fingerprint
