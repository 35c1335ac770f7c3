from django.contrib.auth.decorators import login_required, permission_required
from django.contrib.auth.models import User
from django.db.models import F
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, render
from django.urls import reverse

from education.models import REVIEW_SOON_DAYS, Article, Condition, condition_terms
from education.plan_blocks import BLOCK_NAMES, describe_offer
from education.workflow import can_publish
from portal.http import AuthenticatedHttpRequest
from portal.models import ClinicProfile
from portal.pagination import page_of
from portal.roles import works_in_admin

MAX_QUERY_LENGTH = 100
RECENTLY_UPDATED_COUNT = 6
# The library lists conditions a page at a time, so it costs the same at any size.
LIBRARY_PAGE_SIZE = 50
# Staff home shows the first few of each review list; the rest are in the admin's list.
HOME_LIST_SIZE = 10


def get_published_article(slug: str, language: str) -> Article:
    """The one access helper for articles on staff pages: published, or 404."""
    return get_object_or_404(
        Article.objects.published().select_related("condition", "condition_name"),
        condition__slug=slug,
        language=language,
    )


@login_required
@permission_required("education.view_article", raise_exception=True)
def home(request: AuthenticatedHttpRequest) -> HttpResponse:
    """The staff home, the library's front page: recently updated articles, the review lists
    for the people who act on them (and the queue of drafts waiting for review for those who
    approve them), and what is missing from the clinic profile."""
    published = Article.objects.published().select_related("condition")
    clinic = ClinicProfile.load()
    context = {
        "recent_articles": published.order_by("-updated_at")[:RECENTLY_UPDATED_COUNT],
        "condition_count": Condition.objects.with_published_articles().count(),
        "shows_review_lists": shows_review_lists(request.user),
        "setup_checklist": None,
        "handout_blockers": [],
    }
    if request.user.has_perm("portal.change_clinicprofile"):
        checklist = clinic.setup_checklist()
        if not all(item.done for item in checklist):
            context |= {
                "setup_checklist": checklist,
                "handout_blockers": clinic.handout_blockers(),
                "clinic_profile_url": reverse(
                    "admin:portal_clinicprofile_change", args=[clinic.pk]
                ),
            }
    elif request.user.has_perm("handouts.add_handout"):
        # Only an administrator can fix the profile; the people who issue handouts need to
        # know why the builder refuses, and whom to ask.
        context["handout_blockers"] = clinic.handout_blockers()
    if context["shows_review_lists"]:
        context |= {
            # Never reviewed (no date) first: they have waited longest of all.
            "overdue": page_of(
                published.review_overdue().order_by(
                    F("next_review_due").asc(nulls_first=True), "title"
                ),
                None,
                HOME_LIST_SIZE,
            ),
            "due_soon": page_of(
                published.review_due_soon().order_by("next_review_due"), None, HOME_LIST_SIZE
            ),
            "review_soon_days": REVIEW_SOON_DAYS,
            # Reviewing starts in the admin; without it, the library page is all they have.
            "review_links_to_admin": works_in_admin(request.user),
        }
    if can_publish(request.user):
        context["review_queue"] = page_of(
            Article.objects.waiting_for_review().select_related("condition", "submitted_by"),
            None,
            HOME_LIST_SIZE,
        )
    return render(request, "education/home.html", context)


def shows_review_lists(user: User) -> bool:
    """Review dates are work for the people who edit and approve content. Clinicians and
    front desk cannot act on them; they see an overdue review on the article itself."""
    return user.has_perm("education.change_article") or user.has_perm("education.publish_article")


@login_required
@permission_required("education.view_article", raise_exception=True)
def library(request: AuthenticatedHttpRequest) -> HttpResponse:
    """Search first: a query lists what matches, a page at a time; without one, the
    recently updated conditions and every condition from A to Z, a page at a time."""
    query = request.GET.get("q", "").strip()[:MAX_QUERY_LENGTH]
    conditions = Condition.objects.with_published_articles()
    if query:
        conditions = conditions.search(query)
    page = page_of(conditions.for_library(), request.GET.get("page"), LIBRARY_PAGE_SIZE)
    context = {
        "query": query,
        "page": page,
        "page_size": LIBRARY_PAGE_SIZE,
        "conditions": page.object_list,
        "recent_conditions": (
            Condition.objects.for_library().recently_updated(RECENTLY_UPDATED_COUNT)
            if not query and page.number == 1
            else []
        ),
    }
    return render(request, "education/library.html", context)


@login_required
@permission_required("education.view_article", raise_exception=True)
def article_detail(request: AuthenticatedHttpRequest, slug: str, language: str) -> HttpResponse:
    article = get_published_article(slug, language)
    context = {
        "article": article,
        "terms": condition_terms(article),
        "sections": article.sections.all(),
        "sources": article.sources.all(),
        "plan_blocks": [
            (BLOCK_NAMES[name], words)
            for name, words in describe_offer(article.plan_offer()).items()
        ],
        "therapies": article.therapies.all(),
        "prevention_tips": article.prevention_tips.all(),
        "warning_signs": article.warning_signs.all(),
        "translations": article.condition.articles.published().exclude(pk=article.pk),
    }
    return render(request, "education/article_detail.html", context)
