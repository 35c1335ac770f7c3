"""Moving an article through its states: draft -> in review -> published -> archived.

Clinicians always use the published version. Editors change a copy of it, the draft, beside
it; a reviewer approves the draft, which then replaces the published version in one
transaction. Published versions are never edited or deleted: the one replaced is archived, and
any version can be copied back into a new draft. The models hold to this too: a version that
has left draft, and its parts, refuse any change but the steps below (FrozenContentError).

Each rule of who may take a step, and when, is written once, in a `*_problem()` function:
the step raises WorkflowError with its message, and the admin asks the same function (through
`can_*()`) whether to offer the step at all.
"""

import calendar
import datetime

from django.contrib.auth.models import User
from django.db import IntegrityError, models, transaction
from django.utils import timezone
from django.utils.translation import gettext

from education.models import Article, ConditionName
from education.parts import PARTS
from education.readability import article_readability
from education.snapshot import build_snapshot, content_fingerprint
from portal.audit import Action, record_audit
from portal.models import ClinicProfile

PUBLISH_PERMISSION = "education.publish_article"
EDIT_PERMISSION = "education.change_article"


class WorkflowError(Exception):
    """A step that cannot be taken; the message says why, for the person who tried."""


def can_publish(user: User) -> bool:
    """A reviewer: may approve, publish and withdraw articles."""
    return user.has_perm(PUBLISH_PERMISSION)


def _refuse(problem: str | None) -> None:
    if problem is not None:
        raise WorkflowError(problem)


def _locked(article: Article) -> Article:
    """The article re-read under a row lock, so two people cannot move it at once."""
    return Article.objects.select_for_update().get(pk=article.pk)


def _state_problem(article: Article, *states: str) -> str | None:
    if article.state in states:
        return None
    # Translators: %(state)s is the article's state in lower case, e.g. "published".
    return gettext(
        "This article is %(state)s; someone may have just changed it. Reload the page."
    ) % {"state": article.get_state_display().lower()}


def note_contribution(draft: Article, user: User) -> None:
    """Remember who changed a draft: they may not approve it themselves."""
    draft.contributors.add(user)


# --- Drafts ---------------------------------------------------------------------------------


def start_draft_problem(source: Article, user: User) -> str | None:
    """Why `user` may not start a draft from `source`, or None when they may. An article has
    at most one draft at a time (a draft or an article in review is one itself)."""
    if not user.has_perm(EDIT_PERMISSION):
        return gettext("You don't have permission to edit articles.")
    open_draft = source.siblings().open_drafts().first()
    if open_draft is not None:
        # Translators: %(state)s is "draft" or "in review", in lower case.
        return gettext(
            "There is already a %(state)s of this article. Finish or delete it before "
            "starting another."
        ) % {"state": open_draft.get_state_display().lower()}
    return None


def can_start_draft(source: Article, user: User) -> bool:
    return start_draft_problem(source, user) is None


@transaction.atomic
def start_draft(source: Article, user: User) -> Article:
    """A new draft with the content of `source` (the published version, or an earlier one to
    restore it)."""
    source = Article.objects.get(pk=source.pk)
    _refuse(start_draft_problem(source, user))
    draft = _copy(source)
    if source.state == Article.State.ARCHIVED:
        # Bringing back an old text is an editorial decision, like writing it.
        note_contribution(draft, user)
    return draft


def _copy(source: Article) -> Article:
    draft = Article.objects.create(
        condition=source.condition,
        language=source.language,
        title=source.title,
        summary=source.summary,
        in_brief=source.in_brief,
        plan=source.plan,
        needs_clinical_review=source.needs_clinical_review,
        reviewed_by=source.reviewed_by,
        last_reviewed_on=source.last_reviewed_on,
        next_review_due=source.next_review_due,
        based_on=source,
    )
    for part in PARTS:
        # Each copy keeps its lineage: it is the same part, in a newer version.
        for item in part.of(source, fresh=True):
            item.pk = None
            item.article = draft
            item.save()  # save(), not bulk_create: sections render their HTML and get history
    return draft


def submit_problem(draft: Article, user: User) -> str | None:
    """Why `user` may not send `draft` for review, or None when they may."""
    if not user.has_perm(EDIT_PERMISSION):
        return gettext("You don't have permission to edit articles.")
    problem = _state_problem(draft, Article.State.DRAFT)
    if problem is None and not ConditionName.objects.filter(article=draft).exists():
        # Staff find and list the condition by it once published; content frozen for review
        # keeps it, so every version that reaches a reviewer has one.
        return gettext(
            "Give the condition's name in this article's language (\"Condition's name in "
            "this language\" on the article's page) before sending it for review."
        )
    return problem


def can_submit(draft: Article, user: User) -> bool:
    return submit_problem(draft, user) is None


@transaction.atomic
def submit_for_review(draft: Article, user: User) -> Article:
    draft = _locked(draft)
    _refuse(submit_problem(draft, user))
    draft.state = Article.State.IN_REVIEW
    draft.submitted_by, draft.submitted_at = user, timezone.now()
    draft.save()
    return draft


def return_problem(draft: Article, user: User) -> str | None:
    """Why `user` may not return `draft` to the editors, or None when they may: the submitter
    withdraws it, or a reviewer asks for changes."""
    problem = _state_problem(draft, Article.State.IN_REVIEW)
    if problem is not None:
        return problem
    if not (can_publish(user) or draft.submitted_by_id == user.pk):
        return gettext("Only a reviewer or the person who sent it can take it back.")
    return None


def can_return(draft: Article, user: User) -> bool:
    return return_problem(draft, user) is None


@transaction.atomic
def return_to_draft(draft: Article, user: User) -> Article:
    """Back to the editors, to be changed again."""
    draft = _locked(draft)
    _refuse(return_problem(draft, user))
    draft.state = Article.State.DRAFT
    draft.save()
    return draft


# --- Publishing -----------------------------------------------------------------------------


def review_problem(draft: Article, user: User) -> str | None:
    """Why `user` may not review `draft` at all, or None when they may. A reviewer who may
    review it may still be unable to approve it (approval_problem); the review page says why."""
    if not can_publish(user):
        return gettext(
            "Only a content reviewer or an administrator can approve and publish articles."
        )
    if draft.state != Article.State.IN_REVIEW:
        return gettext(
            "Only an article in review can be approved. Send the draft for review first."
        )
    return None


def can_review(draft: Article, user: User) -> bool:
    return review_problem(draft, user) is None


def approval_problem(draft: Article, user: User, clinic: ClinicProfile) -> str | None:
    """Why `user` may not approve `draft`, or None when they may."""
    problem = review_problem(draft, user)
    if problem is not None:
        return problem
    if not clinic.allow_self_approval and draft.contributors.filter(pk=user.pk).exists():
        return gettext(
            "You changed this draft, so another reviewer must approve it. (The "
            "clinic profile can allow self-approval.)"
        )
    return None


def default_next_review(clinic: ClinicProfile, today: datetime.date) -> datetime.date:
    """The clinic's review interval after today; the 31st of a shorter month (or 29 February
    in another year) falls on that month's last day."""
    months = today.month - 1 + clinic.review_interval_months
    year, month = today.year + months // 12, months % 12 + 1
    return datetime.date(year, month, min(today.day, calendar.monthrange(year, month)[1]))


@transaction.atomic
def publish(
    draft: Article,
    user: User,
    *,
    override_reason: str = "",
    next_review_due: datetime.date | None = None,
) -> Article:
    """Approve the draft and make it the published version, in one transaction: clinicians
    see either the old version or the new one, never neither."""
    clinic = ClinicProfile.load()
    draft = _locked(draft)
    _refuse(approval_problem(draft, user, clinic))
    grade = article_readability(draft)[0].grade
    override_reason = override_reason.strip()
    if grade > clinic.max_reading_grade and not override_reason:
        raise WorkflowError(
            gettext(
                "This article reads at grade %(grade)g, above the clinic's maximum of "
                "%(maximum)s. Simplify it, or give a reason to publish it anyway."
            )
            % {"grade": grade, "maximum": clinic.max_reading_grade}
        )
    today = timezone.localdate()
    next_review_due = next_review_due or default_next_review(clinic, today)
    if next_review_due <= today:
        raise WorkflowError(gettext("The next review must be after today."))

    live = draft.siblings().published().select_for_update().first()
    if live is not None:
        live.state, live.archived_at = Article.State.ARCHIVED, timezone.now()
        live.save()
    latest = draft.siblings().aggregate(latest=models.Max("version"))["latest"] or 0
    draft.state = Article.State.PUBLISHED
    draft.version = latest + 1
    draft.published_by, draft.published_at = user, timezone.now()
    draft.reviewed_by = _reviewer_name(user)
    draft.last_reviewed_on, draft.next_review_due = today, next_review_due
    draft.needs_clinical_review = False
    draft.published_grade = grade
    draft.grade_override_reason = override_reason if grade > clinic.max_reading_grade else ""
    draft.fingerprint = content_fingerprint(build_snapshot(draft))
    try:
        draft.save()
    except IntegrityError as error:  # someone published another version at the same moment
        raise WorkflowError(
            gettext(
                "Another version was published at the same moment. Reload the page and try again."
            )
        ) from error
    draft.condition.refresh_published_terms()
    record_audit(user, Action.PUBLISHED, obj=draft, detail=_publication_detail(draft, clinic))
    return draft


def _publication_detail(published: Article, clinic: ClinicProfile) -> str:
    """For the audit log, in the source language like every audit detail: the version, and
    why it was published above the clinic's reading grade if it was."""
    detail = f"Published as version {published.version}."
    if published.grade_override_reason:
        detail += (
            f" Reading grade {published.published_grade:g} is above the maximum of "
            f"{clinic.max_reading_grade}; override reason: {published.grade_override_reason}"
        )
    return detail


def _reviewer_name(user: User) -> str:
    return user.get_full_name() or user.get_username()


def publish_loaded_content(article: Article) -> Article:
    """Publish content loaded from a file (sample content) as its first version, unreviewed:
    it keeps needs_clinical_review until a reviewer approves a draft of it."""
    article.state, article.version = Article.State.PUBLISHED, 1
    article.published_at = timezone.now()
    article.published_grade = article_readability(article)[0].grade
    article.fingerprint = content_fingerprint(build_snapshot(article))
    article.save()
    article.condition.refresh_published_terms()
    return article


def archive_problem(article: Article, user: User) -> str | None:
    """Why `user` may not withdraw `article`, or None when they may."""
    if not can_publish(user):
        return gettext("You don't have permission to withdraw published articles.")
    return _state_problem(article, Article.State.PUBLISHED)


def can_archive(article: Article, user: User) -> bool:
    return archive_problem(article, user) is None


@transaction.atomic
def archive(article: Article, user: User) -> Article:
    """Withdraw the published version: clinicians can no longer issue handouts from it."""
    article = _locked(article)
    _refuse(archive_problem(article, user))
    article.state, article.archived_at = Article.State.ARCHIVED, timezone.now()
    article.save()
    article.condition.refresh_published_terms()
    return article
