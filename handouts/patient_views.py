"""The patient's side: a link from the printed slip or an email, an access code, then the
handout to read and download. No account; every step is recorded as a HandoutEvent.

Unknown, expired, revoked and locked links all get the same neutral page and status, and a
code sent to an unknown token or to a link that has ended takes as long to refuse (try_code),
so a response never tells an outsider which links exist or whose they are. The headers every
patient page carries are set for the whole /p/ prefix, error pages included, by
portal.middleware.PatientPageHeadersMiddleware.
"""

import functools
import time
from collections.abc import Callable

from django import forms
from django.conf import settings
from django.db import transaction
from django.http import HttpRequest, HttpResponse, QueryDict
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext_lazy
from django.views.decorators.debug import sensitive_post_parameters
from django.views.decorators.http import require_http_methods

from handouts.events import device_class, record_event
from handouts.models import MAX_NOTE_LENGTH, HandoutEvent, ShareLink
from handouts.pdf.render import handout_context
from handouts.responses import pdf_response
from handouts.sharing import CODE_LENGTH, Attempt, find_share_link, try_code
from handouts.teach_back import (
    Question,
    Understood,
    grouped,
    handout_questions,
    own_words_of,
    passages,
    record_answer,
    results,
    save_own_words,
)
from portal.logos import logo_response
from portal.models import ClinicProfile

Kind = HandoutEvent.Kind
NEUTRAL_STATUS = 404


class AccessCodeForm(forms.Form):
    """Validates the code page's POST; the page writes its own large, phone-friendly input."""

    code = forms.CharField(max_length=20)


def _session_key(link: ShareLink) -> str:
    return f"patient-link-{link.pk}"


def grant_access(request: HttpRequest, link: ShareLink) -> None:
    request.session.cycle_key()  # a fresh session id once the code is proven
    request.session[_session_key(link)] = time.time() + settings.PATIENT_ACCESS_MINUTES * 60


def has_access(request: HttpRequest, link: ShareLink) -> bool:
    return request.session.get(_session_key(link), 0) > time.time()


def get_link_for_patient(token: str) -> ShareLink | None:
    """The one access helper for patient links: a link that is not revoked or expired, of a
    handout whose patient data is still held."""
    link = find_share_link(token)
    if link is None or link.has_ended(timezone.now()):
        return None
    return link


def unavailable(request: HttpRequest) -> HttpResponse:
    return render(request, "handouts/patient/link_unavailable.html", status=NEUTRAL_STATUS)


# Django's CSRF protection covers the code form: patient pages send Referrer-Policy:
# same-origin (portal.middleware.PatientPageHeadersMiddleware), so browsers post the form with
# its true Origin, and the CSRF cookie is SameSite=Lax.
@sensitive_post_parameters("code")
@require_http_methods(["GET", "POST"])
def open_link(request: HttpRequest, token: str) -> HttpResponse:
    if request.method == "POST":
        return _check_code(request, token)
    link = get_link_for_patient(token)
    if link is None or link.is_locked(timezone.now()):
        return unavailable(request)
    if has_access(request, link):
        return redirect("patient:read", token=token)
    # A code in the query string is ignored: codes are only accepted from the form.
    with transaction.atomic():
        record_event(link.handout, Kind.LINK_OPENED, share_link=link, device=device_class(request))
    return _code_page(request, link, AccessCodeForm())


def _check_code(request: HttpRequest, token: str) -> HttpResponse:
    # Any link the token names, even a locked one, whose wrong codes still count. Ended links
    # and unknown tokens are refused with the same work (try_code).
    link = find_share_link(token)
    form = AccessCodeForm(request.POST)
    if not form.is_valid():
        return unavailable(request) if link is None else _code_page(request, link, form)
    attempt = try_code(link, form.cleaned_data["code"], device=device_class(request))
    if link is None or attempt is Attempt.UNAVAILABLE:
        return unavailable(request)
    if attempt is Attempt.ACCEPTED:
        grant_access(request, link)
        return redirect("patient:read", token=token)
    # Lazy: shown on the code page, rendered in the handout's language.
    form.add_error("code", gettext_lazy("That code did not work. Check it and try again."))
    return _code_page(request, link, form)


def _code_page(request: HttpRequest, link: ShareLink, form: AccessCodeForm) -> HttpResponse:
    if not link.is_open(timezone.now()):
        return unavailable(request)
    context = {
        "form": form,
        "language": link.handout.language,
        "code_length": CODE_LENGTH,
    }
    with translation.override(link.handout.language):
        return render(request, "handouts/patient/access_code.html", context)


def with_patient_access(
    view: Callable[[HttpRequest, str, ShareLink], HttpResponse],
) -> Callable[[HttpRequest, str], HttpResponse]:
    """For pages behind the code: the link must still work and this session must have
    entered its code; otherwise the neutral page, or back to the code form."""

    @functools.wraps(view)
    def wrapper(request: HttpRequest, token: str) -> HttpResponse:
        link = get_link_for_patient(token)
        if link is None:
            return unavailable(request)
        if not has_access(request, link):
            return redirect("patient:open", token=token)
        return view(request, token, link)

    return wrapper


@require_http_methods(["GET"])
@with_patient_access
def read_handout(request: HttpRequest, token: str, link: ShareLink) -> HttpResponse:
    handout = link.handout
    with transaction.atomic():
        record_event(handout, Kind.PATIENT_VIEWED, share_link=link, device=device_class(request))
    clinic = ClinicProfile.load()
    content = handout_context(handout, clinic) | {
        "for_web": True,
        "logo_url": reverse("patient:logo", args=[token]) if clinic.has_logo else "",
    }
    context = {"handout": handout, "token": token, "content": content}
    with translation.override(handout.language):
        return render(request, "handouts/patient/handout_read.html", context)


@require_http_methods(["GET"])
@with_patient_access
def download_handout(request: HttpRequest, token: str, link: ShareLink) -> HttpResponse:
    pdf = link.handout.verified_pdf()
    if pdf is None:
        return render(request, "handouts/patient/pdf_unavailable.html", status=500)
    with transaction.atomic():
        record_event(
            link.handout, Kind.PATIENT_DOWNLOADED, share_link=link, device=device_class(request)
        )
    return pdf_response(pdf, link.handout.pdf_filename(), as_attachment=True)


@require_http_methods(["GET"])
@with_patient_access
def clinic_logo(request: HttpRequest, token: str, link: ShareLink) -> HttpResponse:
    """The letterhead's logo on the reading view. Behind the code like the handout, so the
    page needs nothing from outside the patient's own link."""
    return logo_response(ClinicProfile.load())


# --- Check what you know (handouts.teach_back) ----------------------------------------------


class OwnWordsForm(forms.Form):
    own_words = forms.CharField(
        label=gettext_lazy("In your own words, what will you do this week?"),
        help_text=gettext_lazy("Only your care team reads this. It is not marked."),
        max_length=MAX_NOTE_LENGTH,
        widget=forms.Textarea(attrs={"rows": 4}),
        error_messages={"required": gettext_lazy("Write a few words first, or leave this part.")},
    )


def chosen_answers(data: QueryDict, questions: list[Question]) -> list[tuple[Question, list[int]]]:
    """The answers a form sent, as option indices: a question left blank, or sent something
    it does not offer (one option of a one-answer question), is left out."""
    answered = []
    for question in questions:
        values = data.getlist(f"q-{question.key}")
        picked = sorted({int(v) for v in values if v.isdigit() and int(v) < len(question.options)})
        if not picked or len(picked) != len(values) or (not question.multiple and len(picked) > 1):
            continue
        answered.append((question, picked))
    return answered


@sensitive_post_parameters("own_words")
@require_http_methods(["GET", "POST"])
@with_patient_access
def check_handout(request: HttpRequest, token: str, link: ShareLink) -> HttpResponse:
    """All of a handout's questions on one page. Answers are graded here and recorded, then
    the page is shown again (post, redirect, get): questions answered right are done, one
    answered wrong shows the part of the handout that answers it, to try again."""
    handout = link.handout
    clinic = ClinicProfile.load()
    content = handout_context(handout, clinic)
    questions = handout_questions(handout, clinic, [part["plan"] for part in content["parts"]])
    here = reverse("patient:check", args=[token])
    own_words_form = OwnWordsForm()
    nothing_chosen = False
    if request.method == "POST":
        if "own_words" in request.POST:
            own_words_form = OwnWordsForm(request.POST)
            if own_words_form.is_valid():
                save_own_words(
                    handout,
                    own_words_form.cleaned_data["own_words"],
                    share_link=link,
                    device=device_class(request),
                )
                return redirect(f"{here}?saved=1#own-words")
        else:
            open_questions = [
                result.question
                for result in results(handout, questions)
                if result.understood in (Understood.UNANSWERED, Understood.NOT_YET)
            ]
            answered = chosen_answers(request.POST, open_questions)
            for question, picked in answered:
                record_answer(
                    handout,
                    question,
                    picked,
                    asked=len(questions),
                    share_link=link,
                    device=device_class(request),
                )
            if answered:
                return redirect(f"{here}#results")
            nothing_chosen = True
    with translation.override(handout.language):
        found = passages(content)
        own_words = own_words_of(handout)
        if own_words is not None and not own_words_form.is_bound:
            own_words_form = OwnWordsForm(initial={"own_words": own_words.text})
        items = [
            {
                "question": result.question.shown,
                "done": result.understood in (Understood.FIRST_TRY, Understood.AFTER_REREADING),
                "retry": result.understood == Understood.NOT_YET,
                "passage": found.get(result.question.anchor),
            }
            for result in results(handout, questions)
        ]
        context = {
            "handout": handout,
            "clinic": clinic,
            "token": token,
            "language": handout.language,
            "items": items,
            "open_items": [item for item in items if not item["done"]],
            "done_items": [item for item in items if item["done"]],
            # Each condition's open questions under its name, in a packet.
            "open_groups": grouped(
                [item for item in items if not item["done"]],
                lambda item: item["question"].condition,
            ),
            "packet": handout.is_packet,
            "all_done": all(item["done"] for item in items),
            "any_retry": any(item["retry"] for item in items),
            "nothing_chosen": nothing_chosen,
            "own_words_form": own_words_form,
            "own_words_saved": request.GET.get("saved") == "1" and own_words is not None,
        }
        return render(request, "handouts/patient/check.html", context)
