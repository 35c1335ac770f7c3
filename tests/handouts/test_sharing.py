"""Staff give a patient a link and a code, print the slip, email the link, revoke it.
(The email itself: test_link_email.py.)"""

import hashlib
import io
import re
import subprocess
from pathlib import Path

import pytest
from django.contrib.auth.models import User
from django.db import transaction
from django.test import Client
from django.urls import reverse
from django_tasks_db.models import DBTaskResult
from pypdf import PdfReader

from handouts.models import Handout, HandoutEvent, LinkEmail, ShareLink
from handouts.sharing import (
    CODE_ALPHABET,
    TOKEN_ALPHABET,
    CodeHasher,
    create_share_link,
    hash_token,
    share_handout,
)
from tests.handouts.helpers import (
    load_form,
    open_url,
    patient_client,
    post_code,
    share,
    shown_secrets,
)
from tests.helpers import pdf_text, require_tool

pytestmark = pytest.mark.django_db
Kind = HandoutEvent.Kind


def test_token_and_code_are_never_stored_in_clear(handout: Handout, clinician: User) -> None:
    new = create_share_link(handout, staff=clinician)
    link = ShareLink.objects.get()
    assert len(new.token.replace("-", "")) == 25  # 125 bits
    assert link.token_hash == hash_token(new.token) and new.token not in link.token_hash
    assert new.code not in link.code_hash
    assert link.code_hash.startswith("pbkdf2_sha256$")
    assert CodeHasher().verify(new.code, link.code_hash)
    stored = str(list(ShareLink.objects.values()))
    assert new.token not in stored and new.code not in stored


def test_codes_use_an_unambiguous_alphabet_of_eight_characters(
    handout: Handout, clinician: User
) -> None:
    assert not set("0O1I") & set(CODE_ALPHABET)
    codes = [create_share_link(handout, staff=clinician).code for _ in range(20)]
    assert all(len(code) == 8 and set(code) <= set(CODE_ALPHABET) for code in codes)
    assert len(set(codes)) == 20


def test_link_tokens_are_five_groups_of_five_characters_that_cannot_be_misread(
    handout: Handout, clinician: User
) -> None:
    assert not set("ilou") & set(TOKEN_ALPHABET) and TOKEN_ALPHABET.islower()
    tokens = [create_share_link(handout, staff=clinician).token for _ in range(20)]
    group = f"[{re.escape(TOKEN_ALPHABET)}]{{5}}"
    assert all(re.fullmatch(rf"{group}(-{group}){{4}}", token) for token in tokens), tokens
    assert len(set(tokens)) == 20


def test_a_link_typed_in_capitals_without_dashes_and_with_o_for_0_and_l_for_1_opens(
    handout: Handout, clinician: User
) -> None:
    new = create_share_link(handout, staff=clinician)
    typed = new.token.replace("-", "").upper().replace("0", "O").replace("1", "L")
    client = patient_client()
    response = post_code(client, typed, new.code, load_form(client, typed))
    assert response.status_code == 302 and response["Location"] == f"/p/{typed}/handout/"
    assert client.get(response["Location"]).status_code == 200


def test_a_link_created_before_the_typeable_tokens_still_opens_exactly_as_printed(
    handout: Handout, clinician: User
) -> None:
    new = create_share_link(handout, staff=clinician)
    old_token = "Zq3x-8vB2nM4kL6pR1sT0w"  # secrets.token_urlsafe(16), as tokens were made
    ShareLink.objects.filter(pk=new.link.pk).update(
        token_hash=hashlib.sha256(old_token.encode()).hexdigest()
    )
    client = patient_client()
    response = post_code(client, old_token, new.code, load_form(client, old_token))
    assert response.status_code == 302 and response["Location"] == f"/p/{old_token}/handout/"
    # Old tokens stay case-sensitive: another case names no link.
    assert client.get(open_url(old_token.lower())).status_code == 404


def test_staff_see_the_link_and_code_once(
    client: Client, front_desk: User, handout: Handout
) -> None:
    client.force_login(front_desk)
    response = share(client, handout)
    url, code = shown_secrets(response)
    html = response.content.decode()
    assert url in html and f"{code[:4]}-{code[4:]}" in html
    assert "Shown only now" in html
    assert "no-store" in response["Cache-Control"]
    detail = client.get(handout.get_absolute_url()).content.decode()
    assert url not in detail and code[:4] + "-" not in detail
    assert "A patient link is active until" in detail


def test_expiry_defaults_to_30_days_and_staff_may_choose_up_to_90(
    client: Client, clinician: User, handout: Handout
) -> None:
    client.force_login(clinician)
    share(client, handout)
    link = ShareLink.objects.get()
    assert (link.expires_at - link.created_at).days == 30
    share(client, handout, days="90")
    assert (
        ShareLink.objects.active().get().expires_at - ShareLink.objects.active().get().created_at
    ).days == 90
    response = share(client, handout, days="91")
    assert "Ensure this value is less than or equal to 90." in response.content.decode()
    response = share(client, handout, days="0")
    assert "Ensure this value is greater than or equal to 1." in response.content.decode()
    assert ShareLink.objects.count() == 2


def test_a_new_link_revokes_the_old_link_and_its_code(
    client: Client, clinician: User, handout: Handout
) -> None:
    client.force_login(clinician)
    old_url, _old_code = shown_secrets(share(client, handout))
    new_url, _new_code = shown_secrets(share(client, handout))
    patient = client.__class__()
    assert patient.get(old_url).status_code == 404
    assert patient.get(new_url).status_code == 200
    assert ShareLink.objects.active().count() == 1
    old = ShareLink.objects.exclude(pk=ShareLink.objects.active().get().pk).get()
    assert old.revoked_because == ShareLink.RevokedBecause.REPLACED


def test_staff_revoke_a_link(client: Client, front_desk: User, handout: Handout) -> None:
    client.force_login(front_desk)
    url, _code = shown_secrets(share(client, handout))
    response = client.post(reverse("handouts:revoke_link", args=[handout.public_id]))
    assert response.status_code == 302
    assert client.__class__().get(url).status_code == 404
    assert ShareLink.objects.get().revoked_because == ShareLink.RevokedBecause.STAFF
    assert list(handout.events.values_list("kind", flat=True))[-1] == Kind.LINK_REVOKED


def test_access_slip_has_qr_link_code_and_expiry_but_no_name_or_condition(
    client: Client, front_desk: User, handout: Handout
) -> None:
    client.force_login(front_desk)
    created = share(client, handout)
    url, code = shown_secrets(created)
    response = client.post(
        reverse("handouts:access_slip", args=[handout.public_id]),
        {"token": url.rsplit("/", 2)[-2], "code": code},
    )
    assert response["Content-Type"] == "application/pdf"
    reader = PdfReader(io.BytesIO(response.content))
    assert len(reader.pages) == 1
    text = pdf_text(response.content)
    assert "Riverside Sports Clinic" in text
    assert url in text.replace(" ", "") or url in text
    assert f"{code[:4]}-{code[4:]}" in text
    expires = ShareLink.objects.get().expires_at
    assert f"{expires:%B} {expires.year}" in text
    for secret in ["Zoë", "Núñez", "edema", "Edema", "marrow"]:
        assert secret not in text, secret
    assert "Zo" not in str(reader.metadata)
    assert Kind.SLIP_PRINTED in handout.events.values_list("kind", flat=True)


def test_slip_cannot_be_printed_without_the_code_or_after_the_link_is_replaced(
    client: Client, front_desk: User, handout: Handout
) -> None:
    client.force_login(front_desk)
    url, code = shown_secrets(share(client, handout))
    token = url.rsplit("/", 2)[-2]
    slip_url = reverse("handouts:access_slip", args=[handout.public_id])
    wrong = client.post(slip_url, {"token": token, "code": "AAAAAAAA"})
    assert wrong.status_code == 302
    share(client, handout)
    replaced = client.post(slip_url, {"token": token, "code": code})
    assert replaced.status_code == 302
    assert not handout.events.filter(kind=Kind.SLIP_PRINTED).exists()


def test_no_email_is_queued_when_the_transaction_fails(handout: Handout, front_desk: User) -> None:
    class Failure(Exception):
        pass

    with pytest.raises(Failure), transaction.atomic():
        share_handout(
            handout,
            staff=front_desk,
            days=30,
            email="zoe@example.org",
            url_for=lambda token: f"https://portal.test/p/{token}/",
        )
        raise Failure
    assert ShareLink.objects.count() == 0
    assert LinkEmail.objects.count() == 0
    assert DBTaskResult.objects.count() == 0


def test_a_bad_email_address_is_explained_and_nothing_is_created(
    client: Client, front_desk: User, handout: Handout
) -> None:
    client.force_login(front_desk)
    response = share(client, handout, email="not-an-address")
    assert "Enter a valid email address." in response.content.decode()
    assert ShareLink.objects.count() == 0


def test_sharing_permissions(client: Client, personas: dict[str, User], handout: Handout) -> None:
    for persona, allowed in [
        ("clinician", True),
        ("front_desk", True),
        ("administrator", True),
        ("editor", False),
        ("outsider", False),
    ]:
        client.force_login(personas[persona])
        status = share(client, handout).status_code
        assert (status == 200) is allowed, persona
        if not allowed:
            assert status == 403
    client.logout()
    assert share(client, handout).status_code == 302


def test_sharing_needs_post(client: Client, front_desk: User, handout: Handout) -> None:
    client.force_login(front_desk)
    assert client.get(reverse("handouts:share", args=[handout.public_id])).status_code == 405
    assert client.get(reverse("handouts:revoke_link", args=[handout.public_id])).status_code == 405


def test_handout_page_tells_what_happened_in_plain_words(
    client: Client, front_desk: User, handout: Handout
) -> None:
    client.force_login(front_desk)
    url, code = shown_secrets(share(client, handout))
    patient = client.__class__(HTTP_USER_AGENT="Mozilla/5.0 (iPhone) Mobile/15E148")
    patient.get(url)
    patient.post(url, {"code": code})
    patient.get(url + "handout/")
    html = client.get(handout.get_absolute_url()).content.decode()
    assert "Issued by Clinician" in html
    assert "Patient link created by Frontdesk" in html
    assert "Link opened on a phone" in html
    assert "Access code accepted on a phone" in html
    assert "Read by the patient on a phone" in html


def test_the_slips_qr_code_scans_to_the_patients_link(
    client: Client, front_desk: User, handout: Handout, tmp_path: Path
) -> None:
    pdftoppm = require_tool("pdftoppm", "poppler-utils")
    zbarimg = require_tool("zbarimg", "zbar-tools")
    client.force_login(front_desk)
    url, code = shown_secrets(share(client, handout))
    slip = client.post(
        reverse("handouts:access_slip", args=[handout.public_id]),
        {"token": url.rsplit("/", 2)[-2], "code": code},
    )
    (tmp_path / "slip.pdf").write_bytes(slip.content)
    subprocess.run(
        [pdftoppm, "-r", "150", "-png", str(tmp_path / "slip.pdf"), str(tmp_path / "slip")],
        check=True,
        timeout=60,
    )
    [image] = tmp_path.glob("slip*.png")
    scanned = subprocess.run(
        [zbarimg, "--quiet", "--raw", str(image)],
        capture_output=True,
        text=True,
        check=True,
        timeout=60,
    )
    assert scanned.stdout.strip() == url
