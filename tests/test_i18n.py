"""The output language (bpr.core.i18n) and the gettext catalogues (scripts/catalogues.py)."""

from __future__ import annotations

import datetime
import gettext

import pytest

import bpr
from bpr.core import i18n
from bpr.core.i18n import PLURAL_FORMS, current, domain, numeral, plural_index, resolve, use
from bpr.core.vocab import LANGUAGES
from bpr.errors import BprError, UsageError
from tests.conftest import script_module


@pytest.mark.parametrize(
    ("explicit", "env", "expected"),
    [
        ("ru", {"BPR_LANG": "az", "LANG": "kk_KZ.UTF-8"}, "ru"),
        (None, {"BPR_LANG": "az", "LANG": "kk_KZ.UTF-8"}, "az"),
        (None, {"LANG": "kk_KZ.UTF-8"}, "kk"),
        (None, {"LC_ALL": "ru_RU.UTF-8", "LANG": "kk_KZ.UTF-8"}, "ru"),
        (None, {"LANG": "uz_UZ.UTF-8"}, "uz"),
        (None, {"LANG": "uz_UZ@cyrillic"}, "uz-Cyrl"),
        (None, {"LANG": "de_DE.UTF-8"}, "en"),
        (None, {"LANG": "C.UTF-8"}, "en"),
        (None, {}, "en"),
        ("UZ_cyrl", {}, "uz-Cyrl"),
        (None, {"BPR_LANG": ""}, "en"),
    ],
)
def test_the_language_is_the_option_then_bpr_lang_then_the_locale_then_english(
    explicit: str | None, env: dict[str, str], expected: str
) -> None:
    assert resolve(explicit, env) == expected


@pytest.mark.parametrize(("explicit", "env"), [("fr", {}), (None, {"BPR_LANG": "russian"})])
def test_an_unknown_language_is_an_error_that_lists_the_known_ones(
    explicit: str | None, env: dict[str, str]
) -> None:
    with pytest.raises(UsageError) as caught:
        resolve(explicit, env)
    message = str(caught.value)
    assert all(code in message for code in LANGUAGES)
    assert isinstance(caught.value, BprError) and isinstance(caught.value, ValueError)


def test_the_language_holds_inside_the_block_only() -> None:
    assert current() == "en"
    with use("kk"):
        assert current() == "kk"
        with use("ru"):
            assert current() == "ru"
        assert current() == "kk"
    assert current() == "en"


@pytest.mark.parametrize(
    ("n", "form"),
    [(1, 0), (2, 1), (5, 2), (11, 2), (21, 0), (12, 2), (22, 1), (104, 1), (111, 2), (0, 2)],
)
def test_russian_has_three_plural_forms(n: int, form: int) -> None:
    assert plural_index(n, "ru") == form


@pytest.mark.parametrize("lang", [lang for lang in LANGUAGES if lang != "en"])
def test_each_compiled_catalogue_uses_the_plural_rule_bpr_declares(lang: str) -> None:
    rule = gettext.c2py(PLURAL_FORMS[lang].split("plural=", 1)[1].rstrip(";"))
    for mo in (i18n.LOCALE_DIR / i18n.catalogue_dir(lang) / "LC_MESSAGES").glob("*.mo"):
        with mo.open("rb") as handle:
            translations = gettext.GNUTranslations(handle)
        forms = translations._catalog  # type: ignore[attr-defined]
        assert translations.plural is not None
        assert [translations.plural(n) for n in range(200)] == [rule(n) for n in range(200)], mo
        assert forms is not None


def test_numbers_are_written_in_the_language_s_way() -> None:
    assert numeral("1,234.5", "ru") == "1\u00a0234,5"
    assert numeral("1,234.5", "az") == "1.234,5"
    assert numeral("1,234.5", "en") == "1,234.5"
    assert numeral("version 2 of 3", "ru") == "version 2 of 3"
    with use("kk"):
        assert i18n.number(1234567.891, ",.2f") == "1\u00a0234\u00a0567,89"


def test_english_is_the_message_itself() -> None:
    _, ngettext, pgettext = domain("common")
    assert _("A message no catalogue has") == "A message no catalogue has"
    assert ngettext("{n} visit", "{n} visits", 1) == "{n} visit"
    assert pgettext("step", "End") == "End"


def test_an_unknown_domain_is_refused() -> None:
    with pytest.raises(ValueError, match="the domains are"):
        domain("nonsense")


def test_every_catalogue_has_every_message_translated_and_compiled() -> None:
    pytest.importorskip("babel", reason="the catalogue check needs Babel (pip install babel)")
    found = list(script_module("scripts/catalogues.py").problems())
    assert found == [], "\n".join(found[:40])


def test_a_model_shows_its_names_in_the_output_language() -> None:
    text = (
        "bpr: 1\nservice: demo\nvariant: as-is\nlanguage: ru\n"
        "name: {ru: Регистрация, uz: Ro'yxatdan o'tkazish, en: Registration}\n"
        "actors: {clerk: {name: {ru: Специалист, en: Clerk}}}\n"
        "documents: {app: {name: {ru: Заявление, uz: Ariza}}}\n"
        "steps:\n"
        "  - {id: a, actor: clerk, name: {ru: Проверить, uz: Tekshirish}, needs: [app],\n"
        "     next: [{to: b, p: 0.5, when: {ru: да, uz: ha}}, {to: end, p: 0.5}]}\n"
        "  - {id: b, actor: clerk}\n"
    )
    plain = bpr.loads(text)
    assert plain.name == "Registration"  # English asked (the default), English given
    assert plain.actors["clerk"].name == "Clerk"
    assert plain.steps[0].name == "Проверить"  # no English: the file's language
    with use("uz"):
        uz = bpr.loads(text)
    assert (uz.name, uz.steps[0].name, uz.documents["app"].name) == (
        "Ro'yxatdan o'tkazish",
        "Tekshirish",
        "Ariza",
    )
    assert uz.actors["clerk"].name == "Специалист"  # no Uzbek: the file's language
    assert uz.steps[0].next.branches[0].when == "ha"
    assert bpr.measure(uz).as_dict() == bpr.measure(plain).as_dict()


def test_a_model_without_name_maps_is_itself_in_every_language() -> None:
    model = bpr.loads(
        "bpr: 1\nservice: demo\nvariant: as-is\nactors: {c: {name: Clerk}}\n"
        "steps:\n  - {id: a, actor: c, name: Check}\n"
    )
    assert model.in_language("ru") is model


def test_dates_are_iso_in_english_and_day_month_year_elsewhere() -> None:
    day = datetime.date(2007, 12, 25)
    assert i18n.date(day) == "2007-12-25"
    assert [i18n.date(day, lang) for lang in ("ru", "uz", "uz-Cyrl", "az", "kk")] == [
        "25.12.2007"
    ] * 5
    with use("ru"):
        assert i18n.date(datetime.date(2026, 3, 1)) == "01.03.2026"
