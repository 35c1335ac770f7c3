"""A visit's packet in the builder: the conditions added to the first one (the builder's own
article), each with its own form, and finding a condition to add.

The packet's added conditions travel with the builder's form as hidden `packet` fields, one
slug each, in the order they were added; their fields are prefixed by their slug
(handouts.forms.condition_prefix), so adding or removing one keeps what was typed for the
others. Everything here works the same with or without JavaScript: the page's script only
fetches an added condition's block instead of reloading the whole builder.
"""

from dataclasses import dataclass

from django.http import QueryDict
from django.utils.translation import get_language_info
from django.utils.translation import gettext as _

from education.models import Article, Condition
from education.snapshot import Snapshot, build_snapshot
from handouts.forms import ConditionForm, HandoutForm, condition_prefix
from handouts.models import MAX_CONDITIONS, HandoutCondition
from handouts.reissue import carry_over_condition
from portal.models import ClinicProfile

# At most this many conditions are offered when a search finds several.
MAX_MATCHES = 8


@dataclass(frozen=True)
class PacketCondition:
    """A condition added to the packet: its published article, frozen, and its form."""

    article: Article
    snapshot: Snapshot
    form: ConditionForm

    @property
    def slug(self) -> str:
        return self.article.condition.slug

    @property
    def name(self) -> str:
        return self.snapshot["condition"]["name"]


@dataclass(frozen=True)
class Found:
    """What a search for a condition to add found: the article to add, or the matches to
    choose from, or why nothing can be added (`problem`)."""

    article: Article | None = None
    matches: tuple[Article, ...] = ()
    problem: str = ""


def name_of(article: Article) -> str:
    """The condition's name as the article names it (its reviewed name), else the library's."""
    names = getattr(article, "condition_name", None)
    return str(getattr(names, "name", "") or article.condition.name)


def language_name(language: str) -> str:
    """The language's name in the staff's language: "Spanish", "español"."""
    return str(get_language_info(language)["name_translated"])


def published_articles(slugs: list[str], language: str) -> dict[str, Article]:
    """The published articles of the conditions named by `slugs`, in `language`, by slug: one
    query however many."""
    articles = Article.objects.published().filter(condition__slug__in=slugs, language=language)
    return {a.condition.slug: a for a in articles.select_related("condition", "condition_name")}


def packet_slugs(data: QueryDict, first: str) -> list[str]:
    """The added conditions' slugs posted with the form, each once, the first one left out."""
    slugs = [slug for slug in dict.fromkeys(data.getlist("packet")) if slug and slug != first]
    return slugs[: MAX_CONDITIONS - 1]


def packet_conditions(
    slugs: list[str],
    language: str,
    *,
    data: QueryDict | None,
    visit: HandoutForm,
    clinic: ClinicProfile,
    carried: dict[str, HandoutCondition] | None = None,
) -> tuple[list[PacketCondition], list[str]]:
    """The packet's added conditions with their forms (bound to `data` when posted), and a
    message for each slug whose condition has no published article in `language` any more
    (left out of the packet). `carried`: conditions of a handout being updated, by slug,
    whose choices the new forms start from."""
    articles = published_articles(slugs, language)
    conditions, problems = [], []
    for slug in slugs:
        article = articles.get(slug)
        if article is None:
            problems.append(
                _(
                    "“%(condition)s” has no published article in %(language)s any more, so it "
                    "was taken out of this handout."
                )
                % {"condition": slug, "language": language_name(language)}
            )
            continue
        snapshot = build_snapshot(article)
        old = (carried or {}).get(slug)
        initial = carry_over_condition(old, snapshot).initial if old else None
        form = ConditionForm(
            data,
            snapshot=snapshot,
            clinic=clinic,
            visit=visit,
            prefix=condition_prefix(slug),
            initial=initial,
        )
        conditions.append(PacketCondition(article, snapshot, form))
    return conditions, problems


def find_condition_to_add(query: str, chosen_slug: str, language: str, packet: list[str]) -> Found:
    """The condition a clinician asked to add, by a chosen slug (a match picked from a list)
    or by what they typed (a name, synonym or code). `packet`: the slugs already in it, the
    first one included."""
    if len(packet) >= MAX_CONDITIONS:
        return Found(
            problem=_("A handout can hold at most %(count)d conditions.")
            % {"count": MAX_CONDITIONS}
        )
    if chosen_slug:
        articles = list(published_articles([chosen_slug], language).values())
    elif query.strip():
        matching = Condition.objects.search(query)
        articles = list(
            Article.objects.published()
            .filter(language=language, condition__in=matching)
            .select_related("condition", "condition_name")
            .order_by("title")[: MAX_MATCHES + 1]
        )
        if not articles and matching.exists():
            return Found(
                problem=_(
                    "No condition matching “%(query)s” has a published article in "
                    "%(language)s, the language of this handout."
                )
                % {"query": query.strip(), "language": language_name(language)}
            )
    else:
        return Found(problem=_("Type the name of the condition to add."))
    if not articles:
        return Found(
            problem=_("No condition in the library matches “%(query)s”.")
            % {"query": query.strip() or chosen_slug}
        )
    wanted = query.strip().casefold()
    exact = [a for a in articles if wanted in (a.title.casefold(), name_of(a).casefold())]
    if len(articles) > 1 and not exact:
        return Found(matches=tuple(articles[:MAX_MATCHES]))
    article = (exact or articles)[0]
    if article.condition.slug in packet:
        return Found(
            problem=_("%(condition)s is already in this handout.") % {"condition": name_of(article)}
        )
    return Found(article=article)
