"""The Clinic lead role: made by reports' migration 0002, on a database made before it; it
reads the reports and the library, nothing that names a patient."""

import pytest
from django.contrib.auth.models import Group
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

from portal.roles import CLINIC_LEAD

BEFORE = [("reports", "0001_initial")]
AFTER = [("reports", "0002_clinic_lead_role")]


def migrate(targets: list[tuple[str, str]]) -> MigrationExecutor:
    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    executor.migrate(targets)
    return executor


def held(role: str) -> set[str]:
    group = Group.objects.get(name=role)
    return {
        f"{permission.content_type.app_label}.{permission.codename}"
        for permission in group.permissions.select_related("content_type")
    }


@pytest.mark.django_db(transaction=True)
def test_the_migration_adds_the_clinic_lead_role_to_a_database_without_it() -> None:
    migrate(BEFORE)
    assert not Group.objects.filter(name=CLINIC_LEAD).exists()
    assert Group.objects.filter(name="Clinician").exists()  # the other roles stay

    migrate(AFTER)

    assert held(CLINIC_LEAD) == {
        "reports.view_reports",
        "education.view_condition",
        "education.view_article",
    }


@pytest.mark.django_db
def test_clinic_leads_hold_nothing_of_handouts_or_accounts(roles) -> None:
    assert not {name for name in held(CLINIC_LEAD) if name.split(".")[0] in {"handouts", "auth"}}


@pytest.mark.django_db
def test_administrators_hold_the_reports_permission(roles) -> None:
    assert "reports.view_reports" in held("Administrator")
