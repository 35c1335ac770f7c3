from django.contrib.auth.decorators import login_required, permission_required
from django.db.models import Prefetch
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, render

from education.models import Article, Condition
from education.readability import article_readability

MAX_QUERY_LENGTH = 100


def get_published_article(slug: str, language: str) -> Article:
    """The one access helper for articles on staff pages: published, or 404."""
    return get_object_or_404(
        Article.objects.published().select_related("condition", "rest_guidance"),
        condition__slug=slug,
        language=language,
    )


@login_required
@permission_required("education.view_article", raise_exception=True)
def library(request: HttpRequest) -> HttpResponse:
    query = request.GET.get("q", "").strip()[:MAX_QUERY_LENGTH]
    conditions = Condition.objects.with_published_articles().prefetch_related(
        Prefetch("articles", queryset=Article.objects.published().prefetch_related("sections"),
                 to_attr="published_articles")
    )
    if query:
        conditions = conditions.search(query)
    conditions = list(conditions)
    for condition in conditions:
        for article in condition.published_articles:
            # Measured when the version was approved; versions published before that was
            # recorded are measured now.
            article.reading_grade = (article.published_grade
                                     if article.published_grade is not None
                                     else article_readability(article)[0].grade)
    context = {"query": query, "conditions": conditions}
    return render(request, "education/library.html", context)


@login_required
@permission_required("education.view_article", raise_exception=True)
def article_detail(request: HttpRequest, slug: str, language: str) -> HttpResponse:
    article = get_published_article(slug, language)
    context = {
        "article": article,
        "sections": article.sections.all(),
        "sources": article.sources.all(),
        "therapies": article.therapies.all(),
        "prevention_tips": article.prevention_tips.all(),
        "warning_signs": article.warning_signs.all(),
        "translations": article.condition.articles.published().exclude(pk=article.pk),
    }
    return render(request, "education/article_detail.html", context)
