"""Helpers for the FHIR API tests: a client's token, requests with it, and validation of what
comes back against the FHIR models (fhir.resources: R4B, the release it has models for; the
resources we serve have the same shape in R4)."""

import datetime
import json

from django.test import Client
from django.utils import timezone
from fhir.resources.R4B import get_fhir_model_class

from interop.tokens import create_api_client

BASE = "/fhir/R4/"
FHIR_JSON = "application/fhir+json"


def fhir_token(name: str = "Clinic EHR", scopes: tuple[str, ...] = ("fhir.read",)) -> str:
    _client, token = create_api_client(
        name, scopes=list(scopes), expires_at=timezone.now() + datetime.timedelta(days=3650)
    )
    return token


def fhir_get(client: Client, path: str, token: str, accept: str = FHIR_JSON, **params: str):
    headers = {"Accept": accept}
    if token:
        headers["Authorization"] = f"Bearer {token}"
    return client.get(BASE + path, params, headers=headers)


def validated(response, status: int = 200) -> dict:
    """The response's resource, after checking it is FHIR JSON that the models accept (they
    refuse unknown elements, wrong types and missing required ones)."""
    assert response.status_code == status, response.content[:500]
    assert response["Content-Type"] == "application/fhir+json; charset=utf-8"
    resource = json.loads(response.content)
    validate(resource)
    return resource


def validate(resource: dict) -> None:
    get_fhir_model_class(resource["resourceType"]).model_validate(resource)
    for entry in resource.get("entry", []):
        validate(entry["resource"])


def without_last_updated(resource: dict) -> dict:
    """The resource with every meta.lastUpdated removed, at any depth."""
    if isinstance(resource, dict):
        return {
            key: (
                {k: v for k, v in value.items() if k != "lastUpdated"}
                if key == "meta"
                else without_last_updated(value)
            )
            for key, value in resource.items()
        }
    if isinstance(resource, list):
        return [without_last_updated(item) for item in resource]
    return resource
