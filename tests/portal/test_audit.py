"""AuditEvent: what staff did, written in the same transaction, browsed by administrators
only, never edited or deleted."""

import logging
import uuid
from collections.abc import Callable

import pytest
from django.contrib import admin
from django.contrib.auth.models import Group, User
from django.db import transaction
from django.test import Client
from django.urls import reverse

from education.models import Article
from handouts.issuing import issue_handout
from handouts.models import Handout
from portal.admin_audit import AuditedAdminMixin
from portal.logging import StructuredFormatter
from portal.models import AuditEvent, ClinicProfile
from tests.helpers import article_form, default_choices, present

pytestmark = pytest.mark.django_db
Action = AuditEvent.Action


def actions(**filters: object) -> list[str]:
    return list(
        AuditEvent.objects.filter(**filters).order_by("id").values_list("action", flat=True)
    )


def test_content_created_edited_published_and_deleted_are_audited(
    client: Client, editor: User, reviewer: User, draft: Article
) -> None:
    client.force_login(editor)
    client.post(
        reverse("admin:education_article_change", args=[draft.pk]),
        article_form(draft, title="New title"),
    )
    client.post(reverse("admin:education_article_submit", args=[draft.pk]))
    condition_url = reverse("admin:education_condition_add")
    client.post(
        condition_url,
        {
            "slug": "shin",
            "name": "Shin splints",
        },
    )
    client.force_login(reviewer)
    client.post(
        reverse("admin:education_article_publish", args=[draft.pk]),
        {"next_review_due": "2031-01-01"},
    )
    assert actions(actor=editor, object_type="education.article") == [
        Action.CHANGED,
        Action.CHANGED,
    ]
    event = present(AuditEvent.objects.filter(action=Action.CHANGED).order_by("id").first())
    assert event.object_id == str(draft.pk) and "Title" in event.detail
    assert actions(actor=reviewer, object_type="education.article") == [Action.PUBLISHED]
    assert actions(actor=editor, object_type="education.condition") == [Action.CREATED]


def test_each_workflow_step_in_the_admin_is_audited_once(
    client: Client, editor: User, reviewer: User, sample_article: Article
) -> None:
    def step(user: User, name: str, article: Article) -> None:
        client.force_login(user)
        url = reverse(f"admin:education_article_{name}", args=[article.pk])
        data = {"next_review_due": "2031-01-01"} if name == "publish" else {}
        assert client.post(url, data).status_code == 302, name

    step(editor, "new_draft", sample_article)
    draft = Article.objects.get(state=Article.State.DRAFT)
    step(editor, "submit", draft)
    step(reviewer, "return", draft)
    step(editor, "submit", draft)
    step(reviewer, "publish", draft)
    step(reviewer, "archive", draft)

    events = AuditEvent.objects.filter(object_type="education.article").order_by("id")
    assert [(event.actor, event.action, event.detail.split(".")[0]) for event in events] == [
        (
            editor,
            Action.CHANGED,
            "Started a new draft from Bone marrow edema: a bruise inside the bone (en, version 1)",
        ),
        (editor, Action.CHANGED, "Sent for review"),
        (reviewer, Action.CHANGED, "Returned to draft: it can be edited again"),
        (editor, Action.CHANGED, "Sent for review"),
        (reviewer, Action.PUBLISHED, "Published as version 2"),
        (
            reviewer,
            Action.CHANGED,
            "Archived Bone marrow edema: a bruise inside the bone (en, version 2)",
        ),
    ]
    assert {event.object_id for event in events} == {str(draft.pk)}


def test_every_admin_on_the_site_is_audited() -> None:
    for model, model_admin in admin.site._registry.items():
        bases = type(model_admin).__mro__
        # First among the bases, or the admin's own log_* hooks would run instead.
        assert AuditedAdminMixin in bases, model
        assert bases.index(AuditedAdminMixin) < bases.index(admin.ModelAdmin), model


def test_the_admins_of_django_and_third_party_apps_stay_on_the_site() -> None:
    registered = {model._meta.label_lower for model in admin.site._registry}
    assert registered >= {
        "auth.user",
        "auth.group",
        "axes.accessattempt",
        "axes.accesslog",
        "axes.accessfailurelog",
        "otp_static.staticdevice",
        "otp_totp.totpdevice",
    }


def test_a_group_changed_in_the_admin_is_audited(client: Client, superuser: User) -> None:
    # Only superusers change groups (tests/portal/test_admin_privileges.py).
    group = Group.objects.create(name="Night shift")
    client.force_login(superuser)
    response = client.post(
        reverse("admin:auth_group_change", args=[group.pk]),
        {"name": "Late shift", "permissions": []},
    )
    assert response.status_code == 302
    event = AuditEvent.objects.get(action=Action.CHANGED)
    assert (event.actor, event.object_type, event.object_id) == (
        superuser,
        "auth.group",
        str(group.pk),
    )
    assert event.detail == "Name"


def test_handout_issued_viewed_and_downloaded_are_audited(
    client: Client, clinician: User, handout: Handout
) -> None:
    client.force_login(clinician)
    client.get(handout.get_absolute_url())
    client.get(reverse("handouts:pdf", args=[handout.public_id]))
    assert actions(object_type="handouts.handout") == [
        Action.HANDOUT_ISSUED,
        Action.HANDOUT_VIEWED,
        Action.HANDOUT_DOWNLOADED,
    ]
    assert AuditEvent.objects.filter(object_id=str(handout.public_id)).count() == 3


def test_audit_rows_share_the_transaction_of_their_action(
    sample_article: Article, clinician: User, clinic: ClinicProfile
) -> None:
    class Abort(Exception):
        pass

    with pytest.raises(Abort), transaction.atomic():
        issue_handout(
            sample_article,
            default_choices(sample_article),
            issued_by=clinician,
            issue_token=uuid.uuid4(),
            clinic=clinic,
        )
        assert actions() == [Action.HANDOUT_ISSUED]
        raise Abort
    assert actions() == []


def test_audit_rows_hold_no_patient_data(
    client: Client, clinician: User, sample_article: Article, issue: Callable[..., Handout]
) -> None:
    handout = issue(sample_article, patient_name="Canaryname Zzyzx", record_number="RN-99887")
    client.force_login(clinician)
    client.get(handout.get_absolute_url())
    rows = str(list(AuditEvent.objects.values()))
    assert "Canaryname" not in rows and "Zzyzx" not in rows and "RN-99887" not in rows


def test_administrators_browse_and_filter_the_audit_log_but_cannot_change_it(
    client: Client, administrator: User, handout: Handout
) -> None:
    client.force_login(administrator)
    url = reverse("admin:portal_auditevent_changelist")
    assert client.get(url).status_code == 200
    assert client.get(url, {"action": Action.HANDOUT_ISSUED}).context["cl"].result_count == 1
    event = present(AuditEvent.objects.first())
    assert client.get(reverse("admin:portal_auditevent_add")).status_code == 403
    assert (
        client.post(
            reverse("admin:portal_auditevent_delete", args=[event.pk]), {"post": "yes"}
        ).status_code
        == 403
    )
    assert AuditEvent.objects.filter(pk=event.pk).exists()


@pytest.mark.parametrize("persona", ["editor", "clinician", "front_desk"])
def test_other_roles_cannot_see_the_audit_log(
    client: Client, personas: dict[str, User], persona: str
) -> None:
    client.force_login(personas[persona])
    response = client.get(reverse("admin:portal_auditevent_changelist"))
    assert response.status_code in {302, 403}


def test_audit_events_are_append_only(handout: Handout) -> None:
    event = present(AuditEvent.objects.first())
    event.detail = "changed"
    with pytest.raises(ValueError, match="never changed"):
        event.save()
    with pytest.raises(ValueError, match="never deleted"):
        event.delete()


def test_log_lines_escape_what_users_typed() -> None:
    record = logging.LogRecord(
        "portal",
        logging.WARNING,
        __file__,
        1,
        'Not Found: /x\ntime=2027 level=CRITICAL msg="forged"',
        None,
        None,
    )
    line = StructuredFormatter().format(record)
    assert "\n" not in line
    assert line.endswith('msg="Not Found: /x\\ntime=2027 level=CRITICAL msg=\\"forged\\""')
    assert line.startswith("time=") and " level=WARNING logger=portal " in line
