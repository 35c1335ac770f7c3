"""HL7 Infobutton knowledge requests (URL-based implementation guide, release 4) answered from
the published library, in MedlinePlus Connect's response shapes so its clients work unchanged.

read_request() turns the parameters into a KnowledgeRequest (or raises BadParameter naming the
one at fault); find_entries() picks the published articles; atom_feed() and json_feed() write
the response.
"""

import datetime
import json
import re
import xml.etree.ElementTree as ET
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.http import HttpRequest, QueryDict
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy

from education.models import (
    Article,
    CodeSystem,
    Condition,
    code_problem,
    normalize_code,
)

# Code systems by the OIDs the guide names them with.
CODE_SYSTEMS = {
    "2.16.840.1.113883.6.90": CodeSystem.ICD10_CM,
    "2.16.840.1.113883.6.96": CodeSystem.SNOMED_CT,
}
OID = re.compile(r"^[0-2](\.(0|[1-9][0-9]*))+$")
# A language tag's first subtag ("en", "es-MX"); MedlinePlus Connect also takes "sp".
LANGUAGE_TAG = re.compile(r"^([A-Za-z]{2,3})(-[A-Za-z0-9]{1,8})*$")
LANGUAGE_ALIASES = {"sp": "es"}
RECIPIENTS = {"PAT", "PROV"}
ATOM = "text/xml"
JSON = "application/json"
RESPONSE_TYPES = {ATOM, JSON}
# One request names at most this many problems (an EHR's problem list is shorter).
MAX_CRITERIA = 20
# A criterion's repetitions: mainSearchCriteria.v.c, or mainSearchCriteria1.v.c, ... as the
# guide numbers a class's further occurrences.
CRITERION = re.compile(r"^mainSearchCriteria(?P<index>[0-9]*)\.v\.(?P<part>c|cs|dn)$")

ATOM_NS = "http://www.w3.org/2005/Atom"
# Our additions to MedlinePlus Connect's entries: what it lacks (language is xml:lang).
PORTAL_NS = "urn:patient-education-portal:infobutton:1"
XML_LANG = "{http://www.w3.org/XML/1998/namespace}lang"
ET.register_namespace("", ATOM_NS)
ET.register_namespace("pe", PORTAL_NS)


class BadParameter(ValueError):
    """The request cannot be read; `parameter` names the parameter at fault."""

    def __init__(self, parameter: str, problem: str) -> None:
        super().__init__(f"{parameter}: {problem}")
        self.parameter = parameter
        self.problem = problem


@dataclass(frozen=True)
class Criterion:
    """One problem the request asks about: a code in a system we code in, an unknown system's
    code (which finds nothing), or only its display name."""

    system: str | None
    code: str
    display_name: str


@dataclass(frozen=True)
class KnowledgeRequest:
    criteria: list[Criterion]
    language: str  # a language the library is written in, or one it is not (finds nothing)
    recipient: str
    response_type: str


def read_request(params: QueryDict) -> KnowledgeRequest:
    return KnowledgeRequest(
        criteria=_criteria(params),
        language=_language(params.get("informationRecipient.languageCode.c", "")),
        recipient=_choice(params, "informationRecipient", RECIPIENTS, "PAT"),
        response_type=_choice(params, "knowledgeResponseType", RESPONSE_TYPES, ATOM),
    )


def _choice(params: QueryDict, name: str, allowed: set[str], default: str) -> str:
    value = params.get(name, "").strip() or default
    if value not in allowed:
        raise BadParameter(name, f"must be one of {', '.join(sorted(allowed))}")
    return value


def _language(value: str) -> str:
    value = value.strip()
    if not value:
        return settings.LANGUAGE_CODE
    match = LANGUAGE_TAG.match(value)
    if match is None:
        raise BadParameter("informationRecipient.languageCode.c", "must be a language code")
    primary = match.group(1).lower()
    return LANGUAGE_ALIASES.get(primary, primary)


def _criteria(params: QueryDict) -> list[Criterion]:
    groups: dict[str, dict[str, list[str]]] = {}
    for name in params:
        found = CRITERION.match(name)
        if found:
            group = groups.setdefault(found["index"], {})
            group[found["part"]] = [value.strip() for value in params.getlist(name)]
    criteria = [
        criterion
        for index in sorted(groups, key=lambda i: int(i or -1))
        for criterion in _group_criteria(f"mainSearchCriteria{index}.v", groups[index])
    ]
    if not criteria:
        raise BadParameter(
            "mainSearchCriteria.v.c", "a code (or mainSearchCriteria.v.dn) is required"
        )
    if len(criteria) > MAX_CRITERIA:
        raise BadParameter("mainSearchCriteria.v.c", f"at most {MAX_CRITERIA} in one request")
    return criteria


def _group_criteria(name: str, parts: dict[str, list[str]]) -> list[Criterion]:
    """One parameter name's criteria. Repeated, its codes pair with its code systems in order
    (one code system serves every code), and with its display names likewise."""
    codes = [code for code in parts.get("c", []) if code]
    systems = parts.get("cs", [])
    names = parts.get("dn", [])
    if not codes:
        return [Criterion(None, "", display) for display in names if display]
    if len(systems) not in (1, len(codes)):
        raise BadParameter(f"{name}.cs", "give one code system, or one for each code")
    if names and len(names) not in (1, len(codes)):
        raise BadParameter(f"{name}.dn", "give one display name, or one for each code")
    criteria = []
    for position, code in enumerate(codes):
        oid = systems[position if len(systems) > 1 else 0]
        if not OID.match(oid):
            raise BadParameter(f"{name}.cs", "must be a code system OID")
        system = CODE_SYSTEMS.get(oid)
        if system is not None:
            code = normalize_code(system, code)
            if code_problem(system, code) is not None:
                raise BadParameter(f"{name}.c", f"not a code of {CodeSystem(system).label}")
        display = names[position if len(names) > 1 else 0] if names else ""
        criteria.append(Criterion(system, code, display))
    return criteria


# --- Finding the articles ---------------------------------------------------------------------


def conditions_for(criterion: Criterion, language: str) -> list[Condition]:
    """The conditions with a published article in `language` that a criterion asks about,
    from the first of these that finds any:
    1. the code itself, or else its nearest parent any article lists (Condition.for_code):
       our article covers what was diagnosed, perhaps more generally;
    2. codes below it (Condition.below_code): M89.8 finds M89.8X6. Our article is about a
       narrower condition, so only when nothing covers the request;
    3. the display name, as staff search the library, when no code finds anything.
    """
    conditions = Condition.objects.with_published_articles(language).order_by("name")
    if criterion.system is not None:
        for found in (
            conditions.for_code(criterion.system, criterion.code),
            conditions.below_code(criterion.system, criterion.code),
        ):
            if found.exists():
                return list(found)
    if criterion.display_name:
        return list(conditions.search(criterion.display_name))
    return []


def find_entries(request: KnowledgeRequest) -> list[Article]:
    """The published article, in the language asked for, of each condition the criteria find,
    each once, in the criteria's order. None in another language: a patient who reads Spanish
    is not handed English."""
    conditions: dict[int, Condition] = {}
    for criterion in request.criteria:
        for condition in conditions_for(criterion, request.language):
            conditions.setdefault(condition.pk, condition)
    articles = {
        article.condition_id: article
        for article in Article.objects.published()
        .filter(condition__in=list(conditions), language=request.language)
        .select_related("condition")
    }
    return [articles[pk] for pk in conditions]


# --- Writing the response ---------------------------------------------------------------------


@dataclass(frozen=True)
class Entry:
    """One article as the response shows it, in either shape."""

    language: str
    title: str
    summary: str
    article_url: str
    builder_url: str | None  # for providers: make a handout of this article
    id: str
    updated: str
    version: int | None
    reviewed_by: str
    last_reviewed_on: str


def entries(
    request: HttpRequest, knowledge: KnowledgeRequest, articles: list[Article]
) -> list[Entry]:
    made = []
    for article in articles:
        article_url = request.build_absolute_uri(article.get_absolute_url())
        builder = reverse(
            "handouts:new", kwargs={"slug": article.condition.slug, "language": article.language}
        )
        made.append(
            Entry(
                language=article.language,
                title=article.title,
                summary=article.summary,
                article_url=article_url,
                builder_url=request.build_absolute_uri(builder)
                if knowledge.recipient == "PROV"
                else None,
                id=f"{article_url}#version-{article.version}",
                updated=_timestamp(article.published_at or article.updated_at),
                version=article.version,
                reviewed_by=article.reviewed_by,
                last_reviewed_on=article.last_reviewed_on.isoformat()
                if article.last_reviewed_on
                else "",
            )
        )
    return made


def _timestamp(moment: datetime.datetime) -> str:
    return moment.astimezone(datetime.UTC).isoformat(timespec="seconds").replace("+00:00", "Z")


# Written in the language asked for (the view answers in it), like the entries.
FEED_TITLE = gettext_lazy("Patient education portal")
BUILDER_LINK_TITLE = gettext_lazy("Make a handout of this article")


def _feed_head(request: HttpRequest, knowledge: KnowledgeRequest) -> dict[str, Any]:
    return {
        "title": str(FEED_TITLE),
        "id": request.build_absolute_uri(),
        "base": request.build_absolute_uri("/"),
        "updated": _timestamp(timezone.now()),
        "categories": [
            {"scheme": "mainSearchCriteria.v.c", "term": criterion.code}
            for criterion in knowledge.criteria
            if criterion.code
        ]
        + [{"scheme": "informationRecipient", "term": knowledge.recipient}],
    }


def atom_feed(request: HttpRequest, knowledge: KnowledgeRequest, items: list[Entry]) -> bytes:
    head = _feed_head(request, knowledge)
    feed = ET.Element(f"{{{ATOM_NS}}}feed", {XML_LANG: knowledge.language})
    _text(feed, "title", head["title"])
    _text(feed, "id", head["id"])
    _text(feed, "updated", head["updated"])
    ET.SubElement(feed, f"{{{ATOM_NS}}}author").append(_element("name", head["title"]))
    for category in head["categories"]:
        ET.SubElement(feed, f"{{{ATOM_NS}}}category", category)
    for item in items:
        entry = ET.SubElement(feed, f"{{{ATOM_NS}}}entry", {XML_LANG: item.language})
        _text(entry, "title", item.title, type="text")
        ET.SubElement(
            entry,
            f"{{{ATOM_NS}}}link",
            {
                "href": item.article_url,
                "rel": "alternate",
                "type": "text/html",
                "hreflang": item.language,
                "title": item.title,
            },
        )
        if item.builder_url:
            ET.SubElement(
                entry,
                f"{{{ATOM_NS}}}link",
                {
                    "href": item.builder_url,
                    "rel": "related",
                    "type": "text/html",
                    "title": str(BUILDER_LINK_TITLE),
                },
            )
        _text(entry, "id", item.id)
        _text(entry, "updated", item.updated)
        _text(entry, "summary", item.summary, type="text")
        for name, value in _additions(item).items():
            ET.SubElement(entry, f"{{{PORTAL_NS}}}{name}").text = str(value)
    return ET.tostring(feed, encoding="utf-8", xml_declaration=True)


def _additions(item: Entry) -> dict[str, object]:
    """What MedlinePlus Connect's entries lack, by the names both shapes give them; what an
    article does not have (no review on record yet) is left out."""
    additions = {
        "version": item.version,
        "reviewedBy": item.reviewed_by,
        "lastReviewed": item.last_reviewed_on,
    }
    return {name: value for name, value in additions.items() if value}


def _element(name: str, text: str, **attributes: str) -> ET.Element:
    element = ET.Element(f"{{{ATOM_NS}}}{name}", attributes)
    element.text = text
    return element


def _text(parent: ET.Element, name: str, text: str, **attributes: str) -> None:
    parent.append(_element(name, text, **attributes))


def json_feed(request: HttpRequest, knowledge: KnowledgeRequest, items: list[Entry]) -> bytes:
    """MedlinePlus Connect's JSON: the Atom feed with each element's text as `_value`."""
    head = _feed_head(request, knowledge)
    feed = {
        "feed": {
            "base": {"_value": head["base"]},
            "lang": {"_value": knowledge.language},
            "title": {"_value": head["title"], "type": "text"},
            "updated": {"_value": head["updated"]},
            "id": {"_value": head["id"]},
            "author": {"name": {"_value": head["title"]}},
            "category": head["categories"],
            "entry": [_json_entry(item) for item in items],
        }
    }
    return json.dumps(feed, ensure_ascii=False).encode()


def _json_entry(item: Entry) -> dict[str, Any]:
    links = [
        {
            "href": item.article_url,
            "rel": "alternate",
            "hreflang": item.language,
            "title": item.title,
        }
    ]
    if item.builder_url:
        links.append({"href": item.builder_url, "rel": "related", "title": str(BUILDER_LINK_TITLE)})
    return {
        "lang": item.language,
        "title": {"_value": item.title, "type": "text"},
        "link": links,
        "id": {"_value": item.id},
        "updated": {"_value": item.updated},
        "summary": {"_value": item.summary, "type": "text"},
        **{name: {"_value": value} for name, value in _additions(item).items()},
    }
