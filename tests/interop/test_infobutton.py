"""The Infobutton (HL7 knowledge request, URL-based) answered in MedlinePlus Connect's shapes."""

import json
import xml.etree.ElementTree as ET

import pytest
from django.test import Client

from education.models import Article
from education.samples import SAMPLE_DIR, load_sample_file
from education.workflow import archive, start_draft
from tests.education.helpers import publish_condition

ICD10 = "2.16.840.1.113883.6.90"
SNOMED = "2.16.840.1.113883.6.96"
ATOM = "{http://www.w3.org/2005/Atom}"
PORTAL = "{urn:patient-education-portal:infobutton:1}"
LANG = "{http://www.w3.org/XML/1998/namespace}lang"


@pytest.fixture
def sample(db) -> None:
    for language in ("en", "es"):
        load_sample_file(SAMPLE_DIR / f"bone-marrow-edema.{language}.json")


def ask(client: Client, **params: str) -> "object":
    query = {"mainSearchCriteria.v.cs": ICD10, **{k.replace("__", "."): v for k, v in params.items()}}
    return client.get("/infobutton/", query)


def atom_entries(response) -> list[ET.Element]:
    assert response.status_code == 200
    assert response["Content-Type"] == "text/xml; charset=utf-8"
    feed = ET.fromstring(response.content)
    assert feed.tag == f"{ATOM}feed"
    return feed.findall(f"{ATOM}entry")


def json_entries(response) -> list[dict]:
    assert response.status_code == 200
    assert response["Content-Type"] == "application/json"
    return json.loads(response.content)["feed"]["entry"]


def test_a_parent_code_finds_the_sample_in_atom_in_english(client: Client, sample) -> None:
    [entry] = atom_entries(ask(client, mainSearchCriteria__v__c="M89.8"))
    assert entry.get(LANG) == "en"
    assert entry.findtext(f"{ATOM}title") == "Bone marrow edema: a bruise inside the bone"
    assert entry.findtext(f"{ATOM}summary").startswith("Bone marrow edema means fluid")
    [link] = entry.findall(f"{ATOM}link")
    assert link.get("href") == "http://testserver/library/bone-marrow-edema/en/"
    assert entry.findtext(f"{PORTAL}version") == "1"


def test_a_parent_code_finds_the_sample_in_json_in_spanish(client: Client, sample) -> None:
    [entry] = json_entries(
        ask(
            client,
            mainSearchCriteria__v__c="M89.8",
            informationRecipient__languageCode__c="es",
            knowledgeResponseType="application/json",
        )
    )
    assert entry["lang"] == "es"
    assert entry["title"]["_value"] == "Edema de médula ósea: un moretón dentro del hueso"
    assert entry["summary"]["_value"].startswith("El edema de médula ósea")
    assert entry["link"][0]["href"] == "http://testserver/library/bone-marrow-edema/es/"
    assert entry["version"]["_value"] == 1
