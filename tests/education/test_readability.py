"""Reading level while writing: measured offline, per section and for the whole article."""

import socket

import pytest
from django.contrib.auth.models import User
from django.test import Client
from django.urls import reverse

from education.models import Article
from education.readability import article_readability, measure, plain_text

EASY = "The cat sat. It was warm. The sun was out."
HARD = (
    "Osteonecrosis, characterised by irreversible devitalisation of trabecular osteocytes, "
    "necessitates multidisciplinary consideration of decompressive interventions."
)


def test_figures_for_known_english_texts() -> None:
    easy, hard = measure(EASY, "en"), measure(HARD, "en")
    assert easy.measure == "Flesch-Kincaid"
    assert (easy.words, easy.sentences) == (10, 3)
    assert easy.average_sentence_length == pytest.approx(10 / 3)
    assert easy.grade < 2 and hard.grade > 16
    assert hard.smog is not None and easy.smog is not None and hard.smog > easy.smog


def test_the_hardest_sentences_come_first_and_at_most_five() -> None:
    text = " ".join(
        [
            "The cat sat on the mat.",
            HARD,
            "A dog ran to the park.",
            "We ate our lunch at noon.",
            "Go now and see the nurse.",
            "It is red and it is big.",
        ]
    )
    hardest = measure(text, "en").hardest
    assert len(hardest) == 5
    assert hardest[0][1] == HARD
    assert [grade for grade, _ in hardest] == sorted((g for g, _ in hardest), reverse=True)


def test_a_list_item_of_a_word_or_two_is_not_ranked_among_the_hardest_sentences() -> None:
    text = plain_text(
        "<p>Rest your knee and keep it raised on a pillow.</p>"
        "<ul><li>Muscle relaxation.</li><li>Ice.</li></ul>"
    )
    readability = measure(text, "en")
    assert [sentence for _, sentence in readability.hardest] == [
        "Rest your knee and keep it raised on a pillow."
    ]
    # The items still count in the whole text.
    assert readability.sentences == 3


def test_spanish_uses_fernandez_huerta_not_english_formulas() -> None:
    easy = measure("El gato come. La casa es roja. El sol sale.", "es")
    hard = measure(
        "La osteonecrosis, caracterizada por la desvitalización irreversible de los "
        "osteocitos trabeculares, requiere intervenciones descompresivas "
        "multidisciplinarias especializadas.",
        "es",
    )
    assert easy.measure == hard.measure == "Fernández-Huerta"
    assert easy.smog is None
    assert easy.score > 90 and easy.grade == 5
    assert hard.score < 30 and hard.grade >= 17


def test_spanish_is_also_read_on_the_inflesz_scale() -> None:
    easy = measure("El gato come. La casa es roja. El sol sale.", "es")
    hard = measure(
        "La osteonecrosis, caracterizada por la desvitalización irreversible de los "
        "osteocitos trabeculares, requiere intervenciones descompresivas "
        "multidisciplinarias especializadas.",
        "es",
    )
    assert easy.inflesz is not None and easy.inflesz > 80 and easy.inflesz_band == "very easy"
    assert hard.inflesz is not None and hard.inflesz < 40 and hard.inflesz_band == "very difficult"
    assert measure(EASY, "en").inflesz is None


def test_figures_are_computed_with_no_network(monkeypatch: pytest.MonkeyPatch) -> None:
    def no_network(*args: object, **kwargs: object) -> None:
        raise OSError("network access attempted")

    monkeypatch.setattr(socket, "socket", no_network)
    monkeypatch.setattr(socket, "create_connection", no_network)
    assert measure(HARD + " " + EASY, "en").grade > 5
    assert measure("El sol sale.", "es").grade == 5


def test_list_items_and_paragraphs_count_as_sentences() -> None:
    html = (
        "<p>Most of it is simple</p>\n<ul>\n<li>An injury or a fall.</li>\n"
        "<li>Heavy work</li>\n</ul>"
    )
    assert plain_text(html) == "Most of it is simple. An injury or a fall. Heavy work."


@pytest.mark.django_db
def test_the_sample_article_reads_at_grade_8_or_lower(sample_article: Article) -> None:
    whole, sections = article_readability(sample_article)
    assert whole.grade <= 8
    assert len(sections) == 7 and all(figures.grade <= 8 for _h, figures in sections)


@pytest.mark.django_db
def test_editors_see_the_figures_on_the_article_page_in_the_admin(
    client: Client, editor: User, sample_article: Article
) -> None:
    client.force_login(editor)
    html = client.get(
        reverse("admin:education_article_change", args=[sample_article.pk])
    ).content.decode()
    assert "Whole article: grade" in html
    assert "The five hardest sentences" in html
    assert "Within the clinic's maximum of grade 8." in html


@pytest.mark.django_db
def test_the_staff_library_shows_each_articles_grade(
    client: Client, clinician: User, sample_article: Article
) -> None:
    client.force_login(clinician)
    grade = article_readability(sample_article)[0].grade
    assert f"Reading grade {grade}" in client.get(reverse("education:library")).content.decode()


@pytest.mark.django_db
def test_the_library_shows_the_grade_recorded_when_the_version_was_approved(
    client: Client, clinician: User, sample_article: Article
) -> None:
    # Published versions never change, so their grade is not measured again per request.
    # (A recorded grade no text gives: written past the model's guard, as only a database
    # administrator could.)
    Article._base_manager.filter(pk=sample_article.pk).update(published_grade=7.7)
    client.force_login(clinician)
    assert "Reading grade 7.7" in client.get(reverse("education:library")).content.decode()
