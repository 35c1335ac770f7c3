"""Drafts beside live content: draft -> in review -> published -> archived, who may move an
article between them, and what clinicians see meanwhile."""

import datetime
from collections.abc import Callable
from typing import Any

import pytest
from django.contrib.auth.models import User
from django.db import DatabaseError, connection
from django.test import Client
from django.urls import reverse
from time_machine import TimeMachineFixture

from education.models import Article
from education.workflow import (
    WorkflowError,
    archive,
    default_next_review,
    publish,
    return_to_draft,
    start_draft,
    submit_for_review,
)
from portal.models import AuditEvent, ClinicProfile
from tests.database_faults import Execute
from tests.helpers import present

pytestmark = pytest.mark.django_db


def rewrite_overview(draft: Article, body: str) -> None:
    section = draft.sections.get(kind="overview")
    section.body = body
    section.save()


def approved(draft: Article, editor: User, reviewer: User, **options: Any) -> Article:
    submit_for_review(draft, editor)
    return publish(draft, reviewer, **options)


def test_a_draft_copies_every_part_and_keeps_each_parts_lineage(
    sample_article: Article, draft: Article
) -> None:
    assert draft.state == Article.State.DRAFT and draft.based_on == sample_article
    for parts in ["sections", "sources", "therapies", "prevention_tips", "warning_signs"]:
        original, copy = getattr(sample_article, parts).all(), getattr(draft, parts).all()
        assert [p.lineage for p in copy] == [p.lineage for p in original], parts
        assert not {p.pk for p in copy} & {p.pk for p in original}, parts
    assert draft.plan == sample_article.plan and draft.plan_offer().site
    assert (
        present(draft.sections.first()).body_html
        == present(sample_article.sections.first()).body_html
    )


def test_clinicians_keep_using_the_published_version_while_a_draft_changes(
    client: Client, clinician: User, sample_article: Article, draft: Article
) -> None:
    draft.title = "A draft title"
    draft.save()
    rewrite_overview(draft, "Draft words nobody should see yet.")
    client.force_login(clinician)
    for url in [
        reverse("education:library"),
        reverse("education:article", args=["bone-marrow-edema", "en"]),
        reverse("handouts:new", args=["bone-marrow-edema", "en"]),
    ]:
        html = client.get(url).content.decode()
        assert "Draft words" not in html and "A draft title" not in html, url
    sample_article.refresh_from_db()
    assert sample_article.is_published and sample_article.title != "A draft title"


def test_publishing_replaces_the_live_version_and_keeps_the_old_one(
    client: Client,
    clinician: User,
    editor: User,
    reviewer: User,
    sample_article: Article,
    draft: Article,
) -> None:
    rewrite_overview(draft, "The new overview.")
    published = approved(draft, editor, reviewer)

    sample_article.refresh_from_db()
    assert (sample_article.state, sample_article.version) == (Article.State.ARCHIVED, 1)
    assert (published.state, published.version) == (Article.State.PUBLISHED, 2)
    assert list(sample_article.siblings().versions()) == [published, sample_article]
    client.force_login(clinician)
    html = client.get(reverse("education:article", args=["bone-marrow-edema", "en"]))
    assert "The new overview." in html.content.decode()


def test_the_approver_and_date_become_the_last_review_and_the_interval_sets_the_next(
    editor: User, reviewer: User, draft: Article, time_machine: TimeMachineFixture
) -> None:
    time_machine.move_to(datetime.datetime(2027, 3, 31, 10, tzinfo=datetime.UTC))
    published = approved(draft, editor, reviewer)
    assert published.reviewed_by == "Reviewer"
    assert published.published_by == reviewer
    assert published.last_reviewed_on == datetime.date(2027, 3, 31)
    assert published.next_review_due == datetime.date(2029, 3, 31)  # 24 months by default
    assert not published.needs_clinical_review


@pytest.mark.parametrize(
    ("today", "months", "due"),
    [
        (datetime.date(2026, 11, 25), 24, datetime.date(2028, 11, 25)),
        (datetime.date(2026, 8, 31), 6, datetime.date(2027, 2, 28)),
        (datetime.date(2028, 2, 29), 12, datetime.date(2029, 2, 28)),
        (datetime.date(2026, 12, 15), 1, datetime.date(2027, 1, 15)),
    ],
)
def test_the_next_review_falls_the_clinics_interval_later(
    today: datetime.date, months: int, due: datetime.date
) -> None:
    assert default_next_review(ClinicProfile(review_interval_months=months), today) == due


def test_steps_out_of_order_are_refused(editor: User, reviewer: User, draft: Article) -> None:
    with pytest.raises(WorkflowError, match="Send the draft for review first"):
        publish(draft, reviewer)
    with pytest.raises(WorkflowError, match="draft"):
        return_to_draft(draft, reviewer)
    submit_for_review(draft, editor)
    with pytest.raises(WorkflowError, match="in review"):
        submit_for_review(draft, editor)
    with pytest.raises(WorkflowError, match="in review"):
        archive(draft, reviewer)


def test_only_reviewers_and_administrators_approve_and_withdraw(
    editor: User, reviewer: User, administrator: User, clinician: User, draft: Article
) -> None:
    submit_for_review(draft, editor)
    for user in [editor, clinician]:
        with pytest.raises(WorkflowError, match="Only a content reviewer or an administrator"):
            publish(draft, user)
    published = publish(draft, administrator)
    with pytest.raises(WorkflowError, match="permission"):
        archive(published, editor)
    assert archive(published, reviewer).state == Article.State.ARCHIVED


def test_an_editor_may_withdraw_what_they_sent_but_not_what_another_sent(
    editor: User, make_user: Callable[..., User], draft: Article
) -> None:
    from portal.roles import EDITOR

    colleague = make_user("colleague", EDITOR)
    submit_for_review(draft, editor)
    with pytest.raises(WorkflowError, match="Only a reviewer or the person who sent it"):
        return_to_draft(draft, colleague)
    assert return_to_draft(draft, editor).state == Article.State.DRAFT


def test_reviewers_cannot_approve_their_own_changes_unless_the_clinic_allows_it(
    reviewer: User, draft: Article
) -> None:
    draft.contributors.add(reviewer)
    submit_for_review(draft, reviewer)
    with pytest.raises(WorkflowError, match="another reviewer must approve it"):
        publish(draft, reviewer)
    clinic = ClinicProfile.load()
    clinic.allow_self_approval = True
    clinic.save()
    assert publish(draft, reviewer).is_published


def test_only_one_draft_at_a_time(editor: User, sample_article: Article, draft: Article) -> None:
    with pytest.raises(WorkflowError, match="already a draft"):
        start_draft(sample_article, editor)


def test_publishing_is_all_or_nothing(
    editor: User, reviewer: User, sample_article: Article, draft: Article
) -> None:
    rewrite_overview(draft, "The new overview.")
    submit_for_review(draft, editor)

    def fail_when_the_draft_goes_live(
        execute: Execute, sql: str, params: Any, many: bool, context: dict[str, Any]
    ) -> Any:
        # After the live version was archived in the same transaction: a crash mid-publish.
        if sql.startswith("UPDATE") and "education_article" in sql and "published" in params:
            raise DatabaseError("simulated failure")
        return execute(sql, params, many, context)

    with connection.execute_wrapper(fail_when_the_draft_goes_live), pytest.raises(DatabaseError):
        publish(draft, reviewer)

    sample_article.refresh_from_db()
    draft.refresh_from_db()
    assert sample_article.is_published and sample_article.version == 1
    assert draft.state == Article.State.IN_REVIEW and draft.version is None
    assert Article.objects.published().get() == sample_article


def test_publishing_above_the_maximum_grade_needs_a_reason_which_is_recorded(
    editor: User, reviewer: User, sample_article: Article, draft: Article
) -> None:
    clinic = ClinicProfile.load()
    clinic.max_reading_grade = 2
    clinic.save()
    submit_for_review(draft, editor)
    with pytest.raises(WorkflowError, match="above the clinic's maximum of 2"):
        publish(draft, reviewer)
    with pytest.raises(WorkflowError, match="give a reason"):
        publish(draft, reviewer, override_reason="   ")
    sample_article.refresh_from_db()
    assert sample_article.is_published

    published = publish(draft, reviewer, override_reason="Medical terms the patient needs.")
    assert published.grade_override_reason == "Medical terms the patient needs."
    assert published.published_grade is not None and published.published_grade > 2


def test_publishing_records_its_own_audit_event_with_the_version_and_any_override(
    editor: User, reviewer: User, draft: Article
) -> None:
    clinic = ClinicProfile.load()
    clinic.max_reading_grade = 2
    clinic.save()
    submit_for_review(draft, editor)
    with pytest.raises(WorkflowError):
        publish(draft, reviewer)
    assert not AuditEvent.objects.filter(action=AuditEvent.Action.PUBLISHED).exists()

    published = publish(draft, reviewer, override_reason="Needed terms.")
    event = AuditEvent.objects.get(action=AuditEvent.Action.PUBLISHED)
    assert (event.actor, event.object_id) == (reviewer, str(published.pk))
    assert event.detail == (
        f"Published as version 2. Reading grade {published.published_grade:g} is above the "
        "maximum of 2; override reason: Needed terms."
    )


def test_a_reason_is_not_kept_when_the_grade_is_within_the_maximum(
    editor: User, reviewer: User, draft: Article
) -> None:
    published = approved(draft, editor, reviewer, override_reason="Not needed")
    assert published.grade_override_reason == ""


def test_an_old_version_is_restored_as_a_new_draft(
    editor: User, reviewer: User, sample_article: Article, draft: Article
) -> None:
    original_overview = sample_article.sections.get(kind="overview").body
    rewrite_overview(draft, "A worse overview.")
    approved(draft, editor, reviewer)

    restored = start_draft(sample_article, editor)
    assert restored.state == Article.State.DRAFT and restored.based_on == sample_article
    assert restored.sections.get(kind="overview").body == original_overview
    assert restored.contributors.get() == editor  # restoring counts as changing it
    published = approved(restored, editor, reviewer)
    assert published.version == 3


# --- Through the admin ------------------------------------------------------------------------


def test_published_versions_cannot_be_edited_in_the_admin(
    client: Client, editor: User, sample_article: Article
) -> None:
    client.force_login(editor)
    url = reverse("admin:education_article_change", args=[sample_article.pk])
    page = client.get(url)
    assert page.status_code == 200
    assert "Start a new draft" in page.content.decode()
    assert client.post(url, {"title": "Changed in place"}).status_code == 403
    sample_article.refresh_from_db()
    assert sample_article.title != "Changed in place"


def test_a_published_part_cannot_be_reverted_through_its_history_page(
    client: Client, editor: User, sample_article: Article
) -> None:
    client.force_login(editor)
    section = present(sample_article.sections.first())
    record = section.history.earliest()
    url = reverse("admin:education_section_simple_history", args=[section.pk, record.history_id])
    response = client.post(
        url,
        {
            "article": sample_article.pk,
            "kind": "other",
            "heading": "Hacked",
            "body": "Changed",
            "position": 0,
        },
    )
    assert response.status_code == 403
    section.refresh_from_db()
    assert section.heading != "Hacked"


def test_an_editor_starts_a_draft_and_sends_it_for_review_in_the_admin(
    client: Client, editor: User, sample_article: Article
) -> None:
    client.force_login(editor)
    response = client.post(reverse("admin:education_article_new_draft", args=[sample_article.pk]))
    draft = Article.objects.get(state=Article.State.DRAFT)
    assert response["Location"] == reverse("admin:education_article_change", args=[draft.pk])
    page = client.get(response["Location"]).content.decode()
    assert "This draft is not seen by clinicians" in page and "Send for review" in page

    client.post(reverse("admin:education_article_submit", args=[draft.pk]))
    draft.refresh_from_db()
    assert draft.state == Article.State.IN_REVIEW and draft.submitted_by == editor
    page = client.get(reverse("admin:education_article_change", args=[draft.pk])).content.decode()
    assert "Review and publish" not in page  # editors cannot approve


def test_workflow_steps_accept_only_post(client: Client, editor: User, draft: Article) -> None:
    client.force_login(editor)
    assert client.get(reverse("admin:education_article_submit", args=[draft.pk])).status_code == 405


def test_a_reviewer_publishes_from_the_admin_and_the_audit_log_records_it(
    client: Client, editor: User, reviewer: User, sample_article: Article, draft: Article
) -> None:
    rewrite_overview(draft, "The clearer overview.")
    submit_for_review(draft, editor)
    client.force_login(reviewer)
    url = reverse("admin:education_article_publish", args=[draft.pk])
    page = client.get(url).content.decode()
    assert "Changes from version 1" in page
    assert "clearer" in page

    response = client.post(url, {"next_review_due": "2031-01-01"})
    assert response.status_code == 302
    draft.refresh_from_db()
    assert draft.is_published and draft.next_review_due == datetime.date(2031, 1, 1)
    event = AuditEvent.objects.get(action=AuditEvent.Action.PUBLISHED)
    assert event.actor == reviewer and event.object_id == str(draft.pk)
    assert "version 2" in event.detail


def test_the_publish_page_asks_for_a_reason_above_the_maximum_grade_and_records_it(
    client: Client, editor: User, reviewer: User, draft: Article
) -> None:
    clinic = ClinicProfile.load()
    clinic.max_reading_grade = 2
    clinic.save()
    submit_for_review(draft, editor)
    client.force_login(reviewer)
    url = reverse("admin:education_article_publish", args=[draft.pk])

    refused = client.post(url, {"next_review_due": "2031-01-01", "override_reason": ""})
    assert refused.status_code == 200
    assert "Say why it should be published anyway" in refused.content.decode()
    draft.refresh_from_db()
    assert draft.state == Article.State.IN_REVIEW

    client.post(url, {"next_review_due": "2031-01-01", "override_reason": "Needed terms."})
    draft.refresh_from_db()
    assert draft.is_published and draft.grade_override_reason == "Needed terms."
    event = AuditEvent.objects.get(action=AuditEvent.Action.PUBLISHED)
    assert "override reason: Needed terms." in event.detail


def test_the_publish_page_tells_a_reviewer_who_changed_the_draft_to_ask_another(
    client: Client, reviewer: User, draft: Article
) -> None:
    draft.contributors.add(reviewer)
    submit_for_review(draft, reviewer)
    client.force_login(reviewer)
    url = reverse("admin:education_article_publish", args=[draft.pk])
    assert "another reviewer must approve it" in client.get(url).content.decode()
    client.post(url, {"next_review_due": "2031-01-01"})
    draft.refresh_from_db()
    assert draft.state == Article.State.IN_REVIEW


def test_editing_a_draft_in_the_admin_makes_the_editor_a_contributor(
    client: Client, reviewer: User, draft: Article
) -> None:
    from tests.helpers import article_form

    client.force_login(reviewer)
    url = reverse("admin:education_article_change", args=[draft.pk])
    assert client.post(url, article_form(draft, title="Retitled")).status_code == 302
    assert list(draft.contributors.all()) == [reviewer]


def test_versions_page_compares_any_two_versions_and_restores_one(
    client: Client, editor: User, reviewer: User, sample_article: Article, draft: Article
) -> None:
    rewrite_overview(draft, "A rewritten overview.")
    second = approved(draft, editor, reviewer)
    client.force_login(editor)
    url = reverse("admin:education_article_versions", args=[second.pk])
    page = client.get(url, {"old": sample_article.pk, "new": second.pk}).content.decode()
    assert "From version 1 to version 2" in page
    assert "rewritten" in page
    assert "Restore as a new draft" in page

    response = client.post(reverse("admin:education_article_new_draft", args=[sample_article.pk]))
    restored = Article.objects.get(state=Article.State.DRAFT)
    assert response["Location"] == reverse("admin:education_article_change", args=[restored.pk])
    assert restored.based_on == sample_article


def test_only_never_published_drafts_can_be_deleted(
    client: Client, editor: User, sample_article: Article, draft: Article
) -> None:
    client.force_login(editor)

    def delete(article: Article) -> int:
        url = reverse("admin:education_article_delete", args=[article.pk])
        return client.post(url, {"post": "yes"}).status_code

    assert delete(sample_article) == 403
    assert delete(draft) == 302
    assert not Article.objects.filter(pk=draft.pk).exists()


def test_saving_a_draft_unchanged_from_a_browser_changes_nothing(
    client: Client, editor: User, sample_article: Article, draft: Article
) -> None:
    from education.diff import compare_articles
    from education.snapshot import build_snapshot, content_fingerprint
    from tests.helpers import as_a_browser_sends_it

    client.force_login(editor)
    data = as_a_browser_sends_it(draft)
    url = reverse("admin:education_article_change", args=[draft.pk])
    assert client.post(url, data).status_code == 302

    assert not compare_articles(sample_article, draft).has_changes
    assert content_fingerprint(build_snapshot(draft)) == content_fingerprint(
        build_snapshot(sample_article)
    )


def test_earlier_versions_are_never_listed_as_due_for_review(
    client: Client,
    editor: User,
    reviewer: User,
    sample_article: Article,
    draft: Article,
    time_machine: TimeMachineFixture,
) -> None:
    time_machine.move_to(datetime.datetime(2026, 11, 25, 10, tzinfo=datetime.UTC))
    approved(draft, editor, reviewer)  # next review due in 2028; version 1 never reviewed
    client.force_login(editor)
    url = reverse("admin:education_article_changelist")
    for review, expected in [("overdue", []), ("soon", []), ("current", [draft.pk])]:
        result = client.get(url, {"review": review}).context["cl"].result_list
        assert [article.pk for article in result] == expected, review


def test_withdrawing_asks_first_then_takes_the_article_out_of_the_library(
    client: Client, clinician: User, reviewer: User, sample_article: Article
) -> None:
    client.force_login(reviewer)
    url = reverse("admin:education_article_archive", args=[sample_article.pk])
    assert "leaves the library" in client.get(url).content.decode()
    sample_article.refresh_from_db()
    assert sample_article.is_published

    client.post(url)
    sample_article.refresh_from_db()
    assert sample_article.state == Article.State.ARCHIVED
    client.force_login(clinician)
    assert client.get(sample_article.get_absolute_url()).status_code == 404


def test_editors_are_told_they_cannot_withdraw_an_article(
    client: Client, editor: User, sample_article: Article
) -> None:
    client.force_login(editor)
    url = reverse("admin:education_article_archive", args=[sample_article.pk])
    response = client.get(url, follow=True)
    assert "Only a content reviewer or an administrator can withdraw" in (response.content.decode())
    client.post(url)
    sample_article.refresh_from_db()
    assert sample_article.is_published
