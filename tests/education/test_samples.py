import pytest
from django.core.management import call_command

from education.models import Article, Condition, Section, condition_terms
from education.readability import MIN_PATIENT_INFLESZ, article_readability
from education.samples import SAMPLE_DIR, load_sample_file


@pytest.mark.django_db
def test_sample_loader_is_idempotent(capsys):
    call_command("load_sample_content")
    call_command("load_sample_content")
    assert "2 loaded, 0 already present" in capsys.readouterr().out.split("\n")[2]
    assert Condition.objects.count() == 1
    assert set(Article.objects.values_list("language", flat=True)) == {"en", "es"}
    assert Section.objects.count() == 14


@pytest.mark.django_db
def test_sample_loader_never_overwrites_an_editors_changes(draft):
    draft.title = "Edited by the clinic"
    draft.save()
    result = load_sample_file(SAMPLE_DIR / "bone-marrow-edema.en.json")
    assert not result.article_created
    assert Article.objects.count() == 2
    assert Article.objects.get(pk=draft.pk).title == "Edited by the clinic"


@pytest.mark.django_db
@pytest.mark.parametrize("language", ["en", "es"])
def test_sample_article_is_complete_and_flagged_for_clinical_review(language):
    load_sample_file(SAMPLE_DIR / f"bone-marrow-edema.{language}.json")
    sample_article = Article.objects.get(language=language)
    assert sample_article.is_published
    assert sample_article.needs_clinical_review
    kinds = list(sample_article.sections.values_list("kind", flat=True))
    assert kinds == [
        "overview",
        "causes",
        "symptoms",
        "diagnosis",
        "treatment",
        "physiotherapy",
        "prevention",
    ]
    assert sample_article.in_brief
    printed = set(sample_article.sections.values_list("printed_by_default", flat=True))
    assert printed == {True, False}
    offer = sample_article.plan_offer()
    assert offer.activity and offer.activity.rest_weeks >= 4
    assert [(aid.kind, aid.selected) for aid in offer.aids] == [("crutches", True)]
    assert offer.site and offer.site.sided
    assert [str(site) for site in offer.site.sites] == ["knee", "heel", "foot", "ankle", "hip"]
    assert sample_article.therapies.count() == 4
    assert sample_article.prevention_tips.filter(selected_by_default=True).exists()
    # Warning signs are typed data (printed in a tiered box), not a "when to get help" section.
    assert {"call_clinic", "emergency"} == set(
        sample_article.warning_signs.values_list("urgency", flat=True)
    )
    assert sample_article.sources.count() == 5
    assert "M89.8X6" in condition_terms(sample_article).icd10_codes


@pytest.mark.django_db
def test_the_spanish_sample_reads_fairly_easy_or_easier_on_the_inflesz_scale():
    load_sample_file(SAMPLE_DIR / "bone-marrow-edema.es.json")
    whole, sections = article_readability(Article.objects.get(language="es"))
    assert whole.inflesz >= MIN_PATIENT_INFLESZ, whole
    for heading, figures in sections:
        assert figures.inflesz >= MIN_PATIENT_INFLESZ, heading
