"""The format's additions (spec "Additions"): each key read, its default the old behaviour,
and every wrong value a located problem with its code."""

from __future__ import annotations

import datetime
from pathlib import Path

import pytest

import bpr
from bpr.core.calendar import ALWAYS, ScheduleError, parse_hours
from bpr.core.i18n import use
from bpr.core.model import localized

DATA = Path(__file__).parent / "data" / "additions"
HEAD = "bpr: 1\nservice: s\nvariant: as-is\n"
ACTORS = "actors:\n  a: {name: A}\n"


def problems(text: str) -> list[tuple[int, str, str]]:
    """``(line, path, code)`` of every problem of a model text."""
    with pytest.raises(bpr.ModelError) as caught:
        bpr.loads(text)
    return [(p.line, p.path, p.code) for p in caught.value.problems]


def test_every_addition_is_read() -> None:
    # output in English (nothing chose another language) shows the English name the map gives
    assert bpr.load(DATA / "everything.yaml").name == "Issue of a permit"
    with use("ru"):  # the file's own language: its names as written
        m = bpr.load(DATA / "everything.yaml")
    assert m.language == "ru" and m.name == "Выдача разрешения"
    assert m.names == {"ru": "Выдача разрешения", "en": "Issue of a permit"}
    assert (m.staff_tariff, m.uptake, m.travel.mean, m.queue.mean) == (20000, 0.6, 1, 0.5)
    assert (m.owner, m.applicants, m.result, m.register_id) == (
        "Ministry of Construction",
        "business",
        "Construction permit",
        "UZ-0042",
    )
    assert m.deadline is not None and m.deadline.mean == 15 * 24
    assert m.arrivals.kind == "pattern" and m.arrivals.weekdays == (2, 1, 1, 1, 1, 0, 0)
    assert m.holidays == (datetime.date(2026, 1, 1), datetime.date(2026, 3, 21))
    res = m.acts["res106"]
    assert (res.title, res.number, res.date, res.kind) == (
        "О мерах по совершенствованию",
        "106",
        datetime.date(2017, 2, 27),
        "resolution",
    )
    assert m.acts["code"].kind == "code"
    assert [(b.act, b.article) for b in m.basis] == [("res106", "5"), ("code", None)]
    assert list(m.phases) == ["application", "decision"]
    assert m.phases["decision"].name == "Решение"
    desk, system = m.actors["desk"], m.actors["registry"]
    assert desk.staff == 3 and desk.hours is not None and desk.hours.hours_per_week == 44
    assert system.is_system and system.registry is True and desk.registry is None
    assert m.documents["receipt"].kind == "receipt"
    assert m.documents["plan"].kind == "certificate"  # the default with an issuer
    assert [b.act for b in m.documents["plan"].basis] == ["code"]
    apply = m.step("apply")
    assert (apply.fee_kind, apply.phase, apply.queue and apply.queue.mean) == (
        "duty",
        "application",
        1,
    )
    assert apply.name == "Подать заявление" and apply.names["uz"] == "Ariza topshirish"
    assert m.travel_of(apply).mean == 1 and m.queue_of(apply).mean == 1  # its own queue
    assert m.queue_of(m.step("decide")).mean == 0  # not a visit
    assert apply.next.branches[0].when == "полный комплект"
    assert apply.next.branches[0].whens["en"] == "complete"
    assert m.text(apply.names, apply.name, "en") == "Submit the application"
    assert m.text(apply.names, apply.name, "kk") == "Подать заявление"  # the file's language


def test_defaults_are_the_old_behaviour() -> None:
    m = bpr.loads(
        HEAD + ACTORS + "documents:\n  d: {name: D}\n  c: {name: C, issuer: a}\n"
        "steps:\n  - {id: x, actor: a, needs: [d, c]}\n"
    )
    assert (m.language, m.uptake, m.staff_tariff, m.travel.mean, m.queue.mean) == (
        "en",
        1.0,
        None,
        0,
        0,
    )
    assert m.phases == {} and m.acts == {} and m.basis == () and m.holidays == ()
    assert m.arrivals.kind == "uniform" and m.deadline is None and m.owner is None
    assert (m.documents["d"].kind, m.documents["c"].kind) == ("form", "certificate")
    a, x = m.actors["a"], m.step("x")
    assert (a.kind, a.registry, a.staff, a.hours, a.names) == ("staff", None, None, None, {})
    assert (x.fee_kind, x.travel, x.queue, x.phase, x.basis, x.names) == (
        "charge",
        None,
        None,
        None,
        (),
        {},
    )


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (
            "language: fr\n" + ACTORS + "steps: [{id: x, actor: a}]\n",
            (4, "language", "unknown-language"),
        ),
        (
            ACTORS.replace("{name: A}", "{name: {ru: A, de: B}}") + "steps: [{id: x, actor: a}]\n",
            (5, "actors.a.name.de", "unknown-language"),
        ),
        (
            ACTORS + "steps: [{id: x, actor: a, basis: [res]}]\n",
            (6, "steps[0].basis[0]", "unknown-act"),
        ),
        (
            "acts: {r: {title: R, date: 27.02.2017}}\n" + ACTORS + "steps: [{id: x, actor: a}]\n",
            (4, "acts.r.date", "invalid-date"),
        ),
        (
            "acts: {r: {title: R, kind: decre}}\n" + ACTORS + "steps: [{id: x, actor: a}]\n",
            (4, "acts.r.kind", "unknown-act-kind"),
        ),
        (
            "acts: {r: {number: '1'}}\n" + ACTORS + "steps: [{id: x, actor: a}]\n",
            (4, "acts.r", "missing-key"),
        ),
        (
            ACTORS + "steps: [{id: x, actor: a, phase: review}]\n",
            (6, "steps[0].phase", "unknown-phase"),
        ),
        (
            ACTORS + "documents: {d: {name: D, kind: paper}}\nsteps: [{id: x, actor: a}]\n",
            (6, "documents.d.kind", "unknown-document-kind"),
        ),
        (
            ACTORS + "steps: [{id: x, actor: a, fee: 1, fee_kind: tax}]\n",
            (6, "steps[0].fee_kind", "unknown-fee-kind"),
        ),
        (
            "applicants: people\n" + ACTORS + "steps: [{id: x, actor: a}]\n",
            (4, "applicants", "unknown-applicant-type"),
        ),
        (
            "volume: 10\n"
            + ACTORS.replace("{name: A}", "{name: A, staff: 0}")
            + "steps: [{id: x, actor: a}]\n",
            (6, "actors.a.staff", "invalid-staff"),
        ),
        (
            ACTORS.replace("{name: A}", "{name: A, staff: 2}") + "steps: [{id: x, actor: a}]\n",
            (5, "actors.a.staff", "staff-without-volume"),
        ),
        (
            ACTORS.replace("{name: A}", "{name: A, hours: Mon-Fry 9:00-18:00}")
            + "steps: [{id: x, actor: a}]\n",
            (5, "actors.a.hours", "invalid-hours"),
        ),
        (
            ACTORS.replace("{name: A}", "{name: A, registry: maybe}")
            + "steps: [{id: x, actor: a}]\n",
            (5, "actors.a.registry", "not-a-boolean"),
        ),
        ("uptake: 1.5\n" + ACTORS + "steps: [{id: x, actor: a}]\n", (4, "uptake", "out-of-range")),
        (
            "arrivals: {months: [1, 2]}\n" + ACTORS + "steps: [{id: x, actor: a}]\n",
            (4, "arrivals.months", "invalid-arrivals"),
        ),
        (
            "arrivals: weekly\n" + ACTORS + "steps: [{id: x, actor: a}]\n",
            (4, "arrivals", "invalid-arrivals"),
        ),
        (
            "holidays: [2026-13-01]\n" + ACTORS + "steps: [{id: x, actor: a}]\n",
            (4, "holidays[0]", "invalid-date"),
        ),
        (
            ACTORS + "steps: [{id: x, actor: a, travel: soon}]\n",
            (6, "steps[0].travel", "invalid-duration"),
        ),
    ],
)
def test_a_wrong_addition_is_a_located_problem(text: str, expected: tuple[int, str, str]) -> None:
    assert expected in problems(HEAD + text)


def test_a_name_map_without_the_files_language_is_a_warning() -> None:
    m = bpr.loads(
        HEAD + "language: uz\n" + ACTORS + "steps:\n  - {id: x, actor: a, name: {ru: Проверка}}\n"
    )
    assert m.step("x").name == "Проверка"
    assert [(w.code, w.path) for w in m.warnings] == [
        ("name-without-file-language", "steps[0].name")
    ]


def test_unknown_language_lists_the_known_ones() -> None:
    with pytest.raises(bpr.ModelError) as caught:
        bpr.loads(HEAD + "language: russian\n" + ACTORS + "steps: [{id: x, actor: a}]\n")
    message = caught.value.problems[0].message
    assert "en, ru, uz, uz-Cyrl, az, kk" in message or all(
        code in message for code in ("ru", "uz-Cyrl", "kk")
    )


def test_localized_picks_the_language_then_the_files_then_english() -> None:
    names = {"uz": "Ariza", "en": "Application"}
    assert localized(names, "x", "uz", "ru") == "Ariza"
    assert localized(names, "x", "kk", "uz") == "Ariza"
    assert localized(names, "x", "kk", "ru") == "Application"
    assert localized({"kk": "Өтініш"}, "x", "ru", "ru") == "Өтініш"


@pytest.mark.parametrize(
    ("text", "days"),
    [
        ("Mon-Fri 09:00-18:00", [((540, 1080),)] * 5 + [(), ()]),
        (
            "Mon,Wed 08:00-12:00; Sun 10:00-24:00",
            [((480, 720),), (), ((480, 720),), (), (), (), ((600, 1440),)],
        ),
    ],
)
def test_hours_are_read_as_offices_post_them(
    text: str, days: list[tuple[tuple[int, int], ...]]
) -> None:
    assert list(parse_hours(text).days) == days


@pytest.mark.parametrize(
    "text",
    [
        "Mon-Fri",
        "Mon-Fri 18:00-09:00",
        "Fri-Mon 09:00-18:00",
        "Mon 09:00-25:00",
        "Mon 09:00-12:00, 11:00-13:00",
        "",
    ],
)
def test_wrong_hours_say_what_is_wrong(text: str) -> None:
    with pytest.raises(ScheduleError):
        parse_hours(text)


def test_always_is_the_schedule_of_an_actor_without_hours() -> None:
    assert parse_hours("always") is ALWAYS
    m = bpr.loads(
        HEAD
        + ACTORS.replace("{name: A}", "{name: A, hours: always}")
        + "steps: [{id: x, actor: a}]\n"
    )
    assert m.actors["a"].hours is None
