"""The role groups hold exactly what the README's role table says, gathered from the apps that
own the permissions."""

import pytest
from django.apps import apps as django_apps
from django.contrib.auth.models import Group, Permission

from portal.roles import ADMINISTRATOR, CLINICIAN, EDITOR, FRONT_DESK, REVIEWER, sync_roles

# Lockouts and two-factor devices: enough to unlock a colleague and reset a lost authenticator.
SIGN_IN_RECORDS = {
    "axes.view_accessattempt",
    "axes.delete_accessattempt",
    "otp_totp.view_totpdevice",
    "otp_totp.delete_totpdevice",
    "otp_static.view_staticdevice",
    "otp_static.delete_staticdevice",
}


def held(role: str) -> set[str]:
    return {
        f"{permission.content_type.app_label}.{permission.codename}"
        for permission in Group.objects.get(name=role).permissions.select_related("content_type")
    }


@pytest.mark.django_db
def test_clinicians_read_the_library_issue_handouts_and_share_them(roles: None) -> None:
    assert held(CLINICIAN) == {
        "education.view_condition",
        "education.view_article",
        "handouts.view_handout",
        "handouts.add_handout",
        "handouts.add_sharelink",
        "handouts.change_sharelink",
    }


@pytest.mark.django_db
def test_front_desk_finds_and_shares_handouts_but_cannot_issue_them(roles: None) -> None:
    assert held(FRONT_DESK) == held(CLINICIAN) - {"handouts.add_handout"}


@pytest.mark.django_db
def test_editors_edit_the_library_and_only_reviewers_publish_it(roles: None) -> None:
    editor = held(EDITOR)
    assert {"education.add_article", "education.change_section", "education.delete_therapy"} <= (
        editor
    )
    assert {permission.split(".")[0] for permission in editor} == {"education"}
    assert "education.publish_article" not in editor
    assert held(REVIEWER) == {"education.publish_article"}


@pytest.mark.django_db
def test_administrators_hold_every_permission_of_our_apps_and_of_accounts(roles: None) -> None:
    ours = Permission.objects.filter(
        content_type__app_label__in=[
            "auth",
            "portal",
            "education",
            "handouts",
            "interop",
            "reports",
        ]
    )
    assert held(ADMINISTRATOR) - SIGN_IN_RECORDS == {
        f"{permission.content_type.app_label}.{permission.codename}"
        for permission in ours.select_related("content_type")
    }


@pytest.mark.django_db
def test_administrators_see_and_delete_lockouts_and_two_factor_devices_and_nothing_more(
    roles: None,
) -> None:
    sign_in_apps = {"axes", "otp_totp", "otp_static"}
    assert {name for name in held(ADMINISTRATOR) if name.split(".")[0] in sign_in_apps} == (
        SIGN_IN_RECORDS
    )
    for role in (CLINICIAN, FRONT_DESK, EDITOR, REVIEWER):
        assert not held(role) & SIGN_IN_RECORDS, role


@pytest.mark.django_db
def test_syncing_again_changes_nothing_and_takes_back_a_stray_permission(roles: None) -> None:
    before = {role: held(role) for role in (CLINICIAN, FRONT_DESK, EDITOR, ADMINISTRATOR)}
    Group.objects.get(name=FRONT_DESK).permissions.add(
        Permission.objects.get(codename="add_handout")
    )
    sync_roles(django_apps)
    assert {role: held(role) for role in before} == before


@pytest.mark.django_db
def test_no_role_adds_changes_or_reads_the_secrets_of_two_factor_devices(roles: None) -> None:
    # Devices and their tokens hold the secrets; deleting a device (a reset) is all a role does.
    for role in (ADMINISTRATOR, CLINICIAN, FRONT_DESK, EDITOR, REVIEWER):
        for name in held(role):
            app_label, codename = name.split(".")
            if app_label.startswith("otp_"):
                assert codename.split("_")[0] in {"view", "delete"}, (role, name)
                assert "token" not in codename, (role, name)
