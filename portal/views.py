from django.contrib.auth.decorators import login_required, permission_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from education.models import Article, Condition

RECENTLY_UPDATED_COUNT = 6


@login_required
@permission_required("education.view_article", raise_exception=True)
def home(request: HttpRequest) -> HttpResponse:
    published = Article.objects.published().select_related("condition")
    context = {
        "recent_articles": published.order_by("-updated_at")[:RECENTLY_UPDATED_COUNT],
        "overdue_articles": published.review_overdue().order_by("next_review_due"),
        "condition_count": Condition.objects.with_published_articles().count(),
    }
    return render(request, "portal/home.html", context)
