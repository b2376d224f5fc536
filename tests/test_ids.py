"""Tests of bpr.core.ids: the one id maker, for names in every script the users write."""

from __future__ import annotations

import unicodedata

import pytest
from hypothesis import given
from hypothesis import strategies as st

from bpr.core.ids import IdMaker, slug
from bpr.core.schema import ID_PATTERN

# Letters of the languages bpr's users write in: Russian, Kazakh and Uzbek Cyrillic,
# Azerbaijani and Uzbek Latin, and plain ASCII.
ALPHABETS = (
    "абвгдеёжзийклмнопрстуфхцчшщъыьэюяәғқңөұүһіўҳ"
    "АБВГДЕЁЖЗИЙКЛМНОПРСТУФХЦЧШЩЪЫЬЭЮЯӘҒҚҢӨҰҮҺІЎҲ"
    "əğıöüşçƏĞİÖÜŞÇoʻgʻ"
    "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789"
)
names = st.text(alphabet=ALPHABETS + " -.,()", min_size=0, max_size=60)


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        ("Проверка заявления", "proverka_zayavleniya"),
        ("Выдача справки о несудимости", "vydacha_spravki_o_nesudimosti"),
        ("Ərizənin qəbulu", "erizenin_qebulu"),
        ("Şəhadətnamə çıxarışı", "shehadetname_chixarishi"),
        ("Oʻzbekiston gʻalla", "ozbekiston_galla"),
        ("Ҳужжатни қабул қилиш", "huzhzhatni_qabul_qilish"),
        ("Өтінішті қабылдау", "otinishti_qabyldau"),
        ("Straße", "strasse"),
        ("Ελληνικά", "ellinika"),
    ],
)
def test_names_in_the_users_languages_give_readable_ids(name: str, expected: str) -> None:
    assert slug(name) == expected


def test_distinct_names_that_read_alike_get_distinct_ids() -> None:
    ids = IdMaker()
    made = [ids.make(n) for n in ("Проверка", "proverka", "Proverka!", "ПРОВЕРКА")]
    assert made == ["proverka", "proverka_2", "proverka_3", "proverka_4"]


def test_the_reserved_end_and_taken_ids_are_avoided() -> None:
    ids = IdMaker(taken={"check"})
    assert ids.make("End") == "end_step"
    assert ids.make("Конец") == "konets"
    assert ids.make("check") == "check_2"
    assert ids.claim("check_2") is False and ids.claim("other") is True


@given(names)
def test_a_name_with_a_letter_or_digit_gives_a_non_empty_id(name: str) -> None:
    # every letter but the hard and soft signs and the Uzbek apostrophes leaves a trace
    silent = set("ъьЪЬʻ")
    has_word = any(unicodedata.category(c)[0] in "LN" and c not in silent for c in name)
    made = slug(name)
    assert bool(made) == has_word
    assert made == "" or ID_PATTERN.fullmatch(made)
    assert len(made) <= 40


@given(st.lists(st.text(max_size=30), max_size=30))
def test_ids_from_any_unicode_are_valid_distinct_and_never_end(texts: list[str]) -> None:
    ids = IdMaker()
    made = [ids.make(t, fallback="step") for t in texts]
    assert len(set(made)) == len(made)
    assert all(ID_PATTERN.fullmatch(m) for m in made)
    assert "end" not in made


@given(names)
def test_the_same_name_always_gives_the_same_slug(name: str) -> None:
    assert slug(name) == slug(name) == slug(unicodedata.normalize("NFC", name))
