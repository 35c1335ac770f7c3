from django.contrib.auth.decorators import login_required, permission_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render

from education.models import Article, Condition
from portal.models import ClinicProfile

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


@login_required
def clinic_logo(request: HttpRequest) -> HttpResponse:
    """The clinic logo, for staff pages that preview a handout."""
    clinic = ClinicProfile.load()
    if not clinic.has_logo:
        raise Http404
    response = HttpResponse(bytes(clinic.logo), content_type=clinic.logo_content_type)
    # An SVG opened on its own must not be able to run anything.
    response["Content-Security-Policy"] = "default-src 'none'; style-src 'unsafe-inline'"
    response["Cache-Control"] = "private, max-age=300"
    return response
