"""The Infobutton (HL7 knowledge request, URL-based) answered in MedlinePlus Connect's shapes."""

import json
import xml.etree.ElementTree as ET

import pytest
from django.contrib.auth.models import User
from django.test import Client
from time_machine import TimeMachineFixture

from education.models import Article
from education.packs import load_shipped
from education.workflow import archive, publish, start_draft, submit_for_review
from tests.education.helpers import publish_condition
from tests.helpers import TestResponse, present

ICD10 = "2.16.840.1.113883.6.90"
SNOMED = "2.16.840.1.113883.6.96"
RXNORM = "2.16.840.1.113883.6.88"
ATOM = "{http://www.w3.org/2005/Atom}"
PORTAL = "{urn:patient-education-portal:infobutton:1}"
LANG = "{http://www.w3.org/XML/1998/namespace}lang"
JSON = {"knowledgeResponseType": "application/json"}

pytestmark = pytest.mark.django_db


@pytest.fixture
def sample(db: None) -> None:
    """The bone marrow edema sample in English and Spanish, coded M89.8X5, M89.8X6, M89.8X7."""
    load_shipped("bone-marrow-edema")


def ask(client: Client, code: str = "", system: str = ICD10, **params: str) -> TestResponse:
    query = {"mainSearchCriteria.v.c": code, "mainSearchCriteria.v.cs": system, **params}
    return client.get("/infobutton/", query)


def parse_feed(response: TestResponse) -> ET.Element:
    return ET.fromstring(response.content)  # noqa: S314  (the portal's own output)


def atom_entries(response: TestResponse) -> list[ET.Element]:
    assert response.status_code == 200, response.content
    assert response["Content-Type"] == "text/xml; charset=utf-8"
    feed = parse_feed(response)
    assert feed.tag == f"{ATOM}feed"
    return feed.findall(f"{ATOM}entry")


def json_entries(response: TestResponse) -> list[dict]:
    assert response.status_code == 200, response.content
    assert response["Content-Type"] == "application/json"
    return json.loads(response.content)["feed"]["entry"]


def titles(response: TestResponse) -> list[str]:
    return [entry["title"]["_value"] for entry in json_entries(response)]


def test_a_parent_code_finds_the_sample_in_atom_in_english(client: Client, sample: None) -> None:
    [entry] = atom_entries(ask(client, "M89.8"))
    assert entry.get(LANG) == "en"
    assert entry.findtext(f"{ATOM}title") == "Bone marrow edema: a bruise inside the bone"
    assert present(entry.findtext(f"{ATOM}summary")).startswith("Bone marrow edema means fluid")
    [link] = entry.findall(f"{ATOM}link")
    assert link.get("href") == "http://testserver/library/bone-marrow-edema/en/"
    assert link.get("hreflang") == "en"
    assert entry.findtext(f"{PORTAL}version") == "1"
    # The sample was never reviewed: nothing is said about a review.
    assert entry.find(f"{PORTAL}reviewedBy") is None
    assert entry.find(f"{PORTAL}lastReviewed") is None
    assert (
        entry.findtext(f"{ATOM}id") == "http://testserver/library/bone-marrow-edema/en/#version-1"
    )


def test_a_parent_code_finds_the_sample_in_atom_in_spanish(client: Client, sample: None) -> None:
    response = ask(client, "M89.8", **{"informationRecipient.languageCode.c": "es"})
    [entry] = atom_entries(response)
    assert parse_feed(response).get(LANG) == "es"
    assert response["Content-Language"] == "es"
    assert entry.get(LANG) == "es"
    assert entry.findtext(f"{ATOM}title") == "Edema de médula ósea: un moretón dentro del hueso"


def test_a_parent_code_finds_the_sample_in_json_in_both_languages(
    client: Client, sample: None
) -> None:
    [english] = json_entries(ask(client, "M89.8", **JSON))
    [spanish] = json_entries(
        ask(client, "M89.8", **JSON, **{"informationRecipient.languageCode.c": "es"})
    )
    assert english["lang"] == "en"
    assert english["title"]["_value"] == "Bone marrow edema: a bruise inside the bone"
    assert english["summary"]["_value"].startswith("Bone marrow edema means fluid")
    assert english["link"][0]["href"] == "http://testserver/library/bone-marrow-edema/en/"
    assert english["version"] == {"_value": 1}
    assert spanish["lang"] == "es"
    assert spanish["title"]["_value"] == "Edema de médula ósea: un moretón dentro del hueso"
    assert spanish["summary"]["_value"].startswith("El edema de médula ósea")
    assert spanish["link"][0]["href"] == "http://testserver/library/bone-marrow-edema/es/"


def test_medlineplus_spanish_code_sp_and_regional_tags_are_read_as_their_language(
    client: Client, sample: None
) -> None:
    for tag in ("sp", "es-MX", "ES"):
        [entry] = json_entries(
            ask(client, "M89.8X6", **JSON, **{"informationRecipient.languageCode.c": tag})
        )
        assert entry["lang"] == "es", tag


def test_entries_say_who_reviewed_the_article_and_when(
    client: Client, sample: None, editor: User, reviewer: User, time_machine: TimeMachineFixture
) -> None:
    time_machine.move_to("2026-11-02 09:00Z")
    draft = start_draft(Article.objects.get(language="en"), editor)
    submit_for_review(draft, editor)
    publish(draft, reviewer)
    [entry] = json_entries(ask(client, "M89.8X6", **JSON))
    assert entry["version"] == {"_value": 2}
    assert entry["reviewedBy"] == {"_value": "Reviewer"}
    assert entry["lastReviewed"] == {"_value": "2026-11-02"}
    [atom] = atom_entries(ask(client, "M89.8X6"))
    assert atom.findtext(f"{PORTAL}reviewedBy") == "Reviewer"
    assert atom.findtext(f"{PORTAL}lastReviewed") == "2026-11-02"


def test_providers_get_a_link_that_opens_the_handout_builder(client: Client, sample: None) -> None:
    [entry] = json_entries(ask(client, "M89.8X6", informationRecipient="PROV", **JSON))
    assert [link["rel"] for link in entry["link"]] == ["alternate", "related"]
    assert entry["link"][1]["href"] == "http://testserver/handouts/new/bone-marrow-edema/en/"
    [atom] = atom_entries(ask(client, "M89.8X6", informationRecipient="PROV"))
    builder = present(atom.find(f"{ATOM}link[@rel='related']"))
    assert builder.get("href") == "http://testserver/handouts/new/bone-marrow-edema/en/"
    assert builder.get("title") == "Make a handout of this article"


def test_the_builder_link_is_titled_in_spanish_for_a_spanish_request(
    client: Client, sample: None
) -> None:
    params = {"informationRecipient": "PROV", "informationRecipient.languageCode.c": "es"}
    [entry] = json_entries(ask(client, "M89.8X6", **JSON, **params))
    assert entry["link"][1]["href"] == "http://testserver/handouts/new/bone-marrow-edema/es/"
    assert entry["link"][1]["title"] == "Crear una hoja informativa con este artículo"


def test_patients_get_no_builder_link(client: Client, sample: None) -> None:
    for params in ({}, {"informationRecipient": "PAT"}):
        [entry] = json_entries(ask(client, "M89.8X6", **JSON, **params))
        assert [link["rel"] for link in entry["link"]] == ["alternate"]


def test_an_unknown_code_returns_an_empty_feed(client: Client, sample: None) -> None:
    assert atom_entries(ask(client, "S82.101A")) == []
    assert json_entries(ask(client, "S82.101A", **JSON)) == []
    # A code system the library is not coded in (RxNorm) finds nothing either.
    assert json_entries(ask(client, "1049502", system=RXNORM, **JSON)) == []


@pytest.mark.parametrize(
    ("params", "named"),
    [
        ({}, "mainSearchCriteria.v.c"),
        ({"mainSearchCriteria.v.c": "M89.8"}, "mainSearchCriteria.v.cs"),
        ({"mainSearchCriteria.v.c": "banana", "mainSearchCriteria.v.cs": ICD10}, ".v.c"),
        ({"mainSearchCriteria.v.c": "M89.8", "mainSearchCriteria.v.cs": "icd"}, ".v.cs"),
        ({"mainSearchCriteria.v.c": "123", "mainSearchCriteria.v.cs": SNOMED}, ".v.c"),
        (
            {
                "mainSearchCriteria.v.c": "M89.8",
                "mainSearchCriteria.v.cs": ICD10,
                "informationRecipient": "NURSE",
            },
            "informationRecipient",
        ),
        (
            {
                "mainSearchCriteria.v.c": "M89.8",
                "mainSearchCriteria.v.cs": ICD10,
                "informationRecipient.languageCode.c": "english!",
            },
            "informationRecipient.languageCode.c",
        ),
        (
            {
                "mainSearchCriteria.v.c": "M89.8",
                "mainSearchCriteria.v.cs": ICD10,
                "knowledgeResponseType": "application/javascript",
            },
            "knowledgeResponseType",
        ),
    ],
)
def test_a_malformed_request_gets_400_naming_the_parameter(
    client: Client, sample: None, params: dict, named: str
) -> None:
    response = client.get("/infobutton/", params)
    assert response.status_code == 400
    assert named in response.content.decode()


def test_a_code_finds_itself_before_its_parent_and_its_parent_before_its_children(
    client: Client, sample: None
) -> None:
    publish_condition("bone-disorder", {"en": "Other bone disorder"}, icd10=["M89.8"])
    publish_condition("bone-disorders", {"en": "Bone disorders"}, icd10=["M89"])
    sample_title = "Bone marrow edema: a bruise inside the bone"
    # Exact: M89.8 is listed by one condition; the sample's codes are only below it.
    assert titles(ask(client, "M89.8", **JSON)) == ["Other bone disorder"]
    # M89.8X6 is listed by the sample itself.
    assert titles(ask(client, "M89.8X6", **JSON)) == [sample_title]
    # M89.8X9 is listed by none: its nearest listed parent is M89.8.
    assert titles(ask(client, "M89.8X9", **JSON)) == ["Other bone disorder"]
    # M89.3 neither: then M89.
    assert titles(ask(client, "M89.3", **JSON)) == ["Bone disorders"]


def test_a_code_with_nothing_at_or_above_it_finds_the_conditions_below_it(
    client: Client, sample: None
) -> None:
    publish_condition("bone-marrow-other", {"en": "Another bone condition"}, icd10=["M89.81"])
    assert titles(ask(client, "M89.8", **JSON)) == [
        "Another bone condition",
        "Bone marrow edema: a bruise inside the bone",
    ]
    assert len(titles(ask(client, "M89", **JSON))) == 2
    # M88 is beside M89, not above it.
    assert titles(ask(client, "M88", **JSON)) == []


def test_snomed_ct_codes_find_their_conditions_exactly(client: Client, db: None) -> None:
    publish_condition("ankle-sprain", {"en": "Ankle sprain"}, snomed=["44465007"])
    assert titles(ask(client, "44465007", system=SNOMED, **JSON)) == ["Ankle sprain"]


def test_the_display_name_is_searched_when_no_code_finds_anything(
    client: Client, sample: None
) -> None:
    sample_title = "Bone marrow edema: a bruise inside the bone"
    assert titles(ask(client, "S82.101A", **JSON, **{"mainSearchCriteria.v.dn": "marrow"})) == [
        sample_title
    ]
    only_name = client.get("/infobutton/", {"mainSearchCriteria.v.dn": "Bone marrow", **JSON})
    assert titles(only_name) == [sample_title]


def test_several_criteria_in_one_request_find_each_condition_once(
    client: Client, sample: None
) -> None:
    publish_condition("ankle-sprain", {"en": "Ankle sprain"}, icd10=["S93.401A"])
    indexed = client.get(
        "/infobutton/",
        {
            "mainSearchCriteria.v.c": "S93.401A",
            "mainSearchCriteria.v.cs": ICD10,
            "mainSearchCriteria1.v.c": "M89.8X6",
            "mainSearchCriteria1.v.cs": ICD10,
            "mainSearchCriteria2.v.c": "M89.8X7",
            "mainSearchCriteria2.v.cs": ICD10,
            **JSON,
        },
    )
    expected = ["Ankle sprain", "Bone marrow edema: a bruise inside the bone"]
    assert titles(indexed) == expected
    repeated = client.get(
        "/infobutton/?mainSearchCriteria.v.c=S93.401A&mainSearchCriteria.v.c=M89.8X6"
        f"&mainSearchCriteria.v.cs={ICD10}&knowledgeResponseType=application/json"
    )
    assert titles(repeated) == expected


def test_only_published_articles_are_ever_returned(
    client: Client, sample: None, editor: User, reviewer: User
) -> None:
    english = Article.objects.get(language="en")
    start_draft(english, editor)  # a draft beside the published version is never shown
    assert [entry["id"]["_value"] for entry in json_entries(ask(client, "M89.8X6", **JSON))] == [
        "http://testserver/library/bone-marrow-edema/en/#version-1"
    ]
    archive(english, reviewer)
    assert json_entries(ask(client, "M89.8X6", **JSON)) == []
    # Spanish is still published.
    assert (
        len(
            json_entries(
                ask(client, "M89.8", **JSON, **{"informationRecipient.languageCode.c": "es"})
            )
        )
        == 1
    )


def test_a_language_the_library_lacks_returns_no_entry_rather_than_another(
    client: Client, sample: None
) -> None:
    for tag in ("fr", "pt-BR"):
        response = ask(client, "M89.8X6", **{"informationRecipient.languageCode.c": tag})
        assert atom_entries(response) == [], tag
    publish_condition("english-only", {"en": "Only in English"}, icd10=["R52"])
    assert titles(ask(client, "R52", **JSON, **{"informationRecipient.languageCode.c": "es"})) == []


def test_a_condition_missing_in_the_language_asked_for_gives_way_to_the_next_that_has_it(
    client: Client, sample: None
) -> None:
    publish_condition("bone-marrow-lesion", {"en": "Bone marrow lesion"}, icd10=["M89.8"])
    spanish = {"informationRecipient.languageCode.c": "es"}
    # English has an article at M89.8 itself; Spanish only below it, in the sample.
    assert titles(ask(client, "M89.8", **JSON)) == ["Bone marrow lesion"]
    assert titles(ask(client, "M89.8", **JSON, **spanish)) == [
        "Edema de médula ósea: un moretón dentro del hueso"
    ]


def test_a_form_encoded_post_is_answered_like_a_get(client: Client, sample: None) -> None:
    response = client.post(
        "/infobutton/",
        {"mainSearchCriteria.v.c": "M89.8", "mainSearchCriteria.v.cs": ICD10, **JSON},
    )
    assert titles(response) == ["Bone marrow edema: a bruise inside the bone"]


def test_the_feed_is_well_formed_atom_with_the_request_as_categories(
    client: Client, sample: None
) -> None:
    feed = parse_feed(ask(client, "M89.8", informationRecipient="PROV"))
    assert feed.findtext(f"{ATOM}title") == "Patient education portal"
    assert feed.findtext(f"{ATOM}updated")
    assert present(feed.findtext(f"{ATOM}id")).startswith("http://testserver/infobutton/?")
    assert [(c.get("scheme"), c.get("term")) for c in feed.findall(f"{ATOM}category")] == [
        ("mainSearchCriteria.v.c", "M89.8"),
        ("informationRecipient", "PROV"),
    ]
