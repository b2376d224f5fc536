"""``bpr validate`` in every language: the 'validate' catalogue (loader, YAML, durations, hours,
flow rules and the problem line itself).

The English messages are the existing tests' (tests/test_load.py and the others): they pass
unchanged, which proves English did not change. Here: the Russian output of every broken file
holds no English word of bpr's vocabulary, every language reports the same places, counts take
the language's plural forms and numbers its separators.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
import yaml

from bpr.core import i18n
from bpr.core.vocab import LANGUAGES
from tests.conftest import DATA, CliResult
from tests.i18n_words import english_words
from tests.test_load import BASE  # the loader tests' small valid model

RunBpr = Callable[..., CliResult]

pytest.importorskip("babel", reason="the vocabulary of tests.i18n_words is read with Babel")


def edit(old: str, new: str, text: str = BASE) -> str:
    """``text`` with ``old`` replaced by ``new`` (which must be there)."""
    assert old in text, old
    return text.replace(old, new, 1)


def add_top(lines: str) -> str:
    """BASE with top-level keys added before ``actors``."""
    return edit("actors:\n", lines + "actors:\n")


def with_steps(steps: str, top: str = "") -> str:
    """A model with one actor, the given top-level keys and ``steps`` (YAML list items)."""
    return f"bpr: 1\nservice: demo\nvariant: as-is\n{top}actors:\n  c: {{name: Clerk}}\nsteps:\n{steps}"


CHECK_STEP = "  - id: check\n    actor: fund\n"
BOMB = "a: &a [x, x, x, x, x, x, x, x, x, x]\n" + "".join(
    f"{n}: &{n} [{', '.join([f'*{p}'] * 10)}]\n" for p, n in zip("abcde", "bcdef", strict=True)
)

#: Files that bpr validate reports (errors or warnings), one or more messages each.
CASES: dict[str, str | bytes] = {
    "unknown key, close": edit("    work: 2h\n", "    wrok: 2h\n"),
    "unknown key, the valid ones": edit(CHECK_STEP, CHECK_STEP + "    zzzzz: 1\n"),
    "missing keys": "bpr: 1\nactors: {me: {name: A}}\nsteps: [{id: a, actor: me}]\n",
    "unknown actor": edit("    actor: fund\n", "    actor: fnd\n"),
    "unknown actor, the valid ones": edit("    actor: fund\n", "    actor: zzzzz\n"),
    "unknown issuer": edit("issuer: fund", "issuer: zzzzz"),
    "unknown document, none declared": with_steps("  - {id: a, actor: c, needs: [form]}\n"),
    "unknown document": edit("needs: [passport]", "needs: [pasport, zzzzz]"),
    "unknown step": edit(CHECK_STEP, CHECK_STEP + "    next: chek\n"),
    "unknown channel": edit("channel: in-person", "channel: in-persn"),
    "unknown phase, none declared": edit(CHECK_STEP, CHECK_STEP + "    phase: review\n"),
    "unknown phase": add_top("phases: {apply: Application}\n").replace(
        "    wait: 3d\n", "    wait: 3d\n    phase: aply\n"
    ),
    "unknown kinds": add_top("applicants: citizn\n")
    .replace("kind: applicant", "kind: aplicant")
    .replace("{name: Passport}", "{name: Passport, kind: certficate}")
    .replace("    wait: 3d\n", "    wait: 3d\n    fee: 5\n    fee_kind: dutty\n"),
    "unknown language": add_top("language: rus\nname: {ru: Услуга, xx: Service, enn: S}\n"),
    "name without the file's language": add_top("language: ru\nname: {en: Demo}\n"),
    "empty name map": add_top("name: {}\n"),
    "invalid ids": edit("  - id: apply\n", "  - id: 'a b'\n").replace(
        "service: demo", "service: d/x"
    ),
    "duplicate step id": edit("  - id: check\n", "  - id: apply\n"),
    "reserved id": edit("  - id: check\n", "  - id: end\n"),
    "not a mapping": "- a\n- b\n",
    "wrong types": edit("needs: [passport]", "needs: {a: 1}") + "  - just text\n  - [a, list]\n",
    "actors and steps of the wrong type": "bpr: 1\nservice: d\nvariant: v\nactors: [a]\nsteps: {a: 1}\n",
    "empty actors and steps": "bpr: 1\nservice: d\nvariant: v\nactors:\nsteps:\n",
    "no actors and no steps": "bpr: 1\nservice: d\nvariant: v\nactors: {}\nsteps: []\n",
    "text expected": edit("{name: Passport}", "{name: [a, b]}").replace(
        "{name: Certificate, issuer: fund}", "{name: null, issuer: fund}"
    ),
    "numbers": add_top("volume: abc\ntariff: .inf\nstaff_tariff: -5\nuptake: 1.5\n").replace(
        "    wait: 3d\n", "    wait: 3d\n    fee: " + "9" * 400 + "\n"
    ),
    "a number of too many digits": add_top("volume: " + "9" * 5000 + "\n"),
    "probabilities that do not add up": edit(
        CHECK_STEP,
        "  - id: check\n    actor: fund\n    next: [{to: apply, p: 0.25}, {to: end, p: 0.65}]\n",
    ),
    "probabilities above 1": edit(
        CHECK_STEP,
        "  - id: check\n    actor: fund\n"
        "    next: [{to: apply, p: 0.75}, {to: end, p: 0.5}, {to: end}]\n",
    ),
    "a probability above 1": edit(CHECK_STEP, CHECK_STEP + "    next: [{to: end, p: 1.5}]\n"),
    "a probability of the wrong type": edit(
        CHECK_STEP, CHECK_STEP + "    next: [{to: end, p: high}, 7]\n"
    ),
    "an empty choice": edit(CHECK_STEP, CHECK_STEP + "    next: []\n"),
    "parallel splits written wrong": with_steps(
        "  - {id: a, actor: c, next: {any: [b]}}\n"
        "  - {id: b, actor: c, next: {all: []}}\n"
        "  - {id: d, actor: c, next: {all: [end, e, e]}}\n"
        "  - {id: e, actor: c, join: some}\n"
    ),
    "a parallel split with one branch": with_steps(
        "  - {id: a, actor: c, next: {all: [b]}}\n  - {id: b, actor: c, join: all}\n"
    ),
    "durations": with_steps(
        "  - {id: a, actor: c, work: 5, wait: 5x}\n"
        "  - {id: b, actor: c, work: abc, wait: 9d..2d}\n"
        "  - {id: d, actor: c, work: {min: 1d}, wait: {min: 3d, mode: 1d, max: 4d}}\n"
        "  - {id: e, actor: c, work: [1h], wait: true}\n"
        "  - {id: f, actor: c, work: ' '}\n"
    ),
    "working hours": "bpr: 1\nservice: d\nvariant: v\nactors:\n"
    "  a: {hours: Mon-Fry 09:00-18:00}\n"
    "  b: {hours: Mon-Fri 9am-6pm}\n"
    "  c: {hours: Mon-Fri}\n"
    "  d: {hours: Fri-Mon 09:00-18:00}\n"
    "  e: {hours: 'Mon 09:00-13:00, 12:00-18:00'}\n"
    "  f: {hours: Mon 18:00-09:00}\n"
    "  g: {hours: Mon 09:00}\n"
    "  h: {hours: Mon 09:00-25:00}\n"
    "  i: {hours: ' '}\n"
    "  j: {hours: ';'}\n"
    "steps:\n  - {id: s, actor: a}\n",
    "arrivals": add_top("arrivals: unifrm\n"),
    "arrivals, the valid ones": add_top("arrivals: zzzzz\n"),
    "arrival weights": add_top(
        "arrivals: {months: [1, 2], weekdays: [0, 0, 0, 0, 0, 0, 0], seasons: 4}\n"
    ),
    "arrival weights of the wrong type": add_top("arrivals: {weekdays: [a, 1, 1, 1, 1, 1, 1]}\n"),
    "holidays": add_top("holidays: 2024-01-01\n"),
    "dates": add_top("holidays: [2024-13-01, soon]\n"),
    "passport and staff": add_top("maturity: 7\nowner: [a]\n").replace(
        "agency: Fund}", "agency: Fund, staff: 0, registry: maybe}"
    ),
    "staff without volume": edit("agency: Fund}", "agency: Fund, staff: 2}"),
    "exchange": edit("{name: Passport}", "{name: Passport, exchange: maybe}").replace(
        "{name: Certificate, issuer: fund}", "{name: Certificate, exchange: true}"
    ),
    "lint settings": add_top("lint: {ignore: [{reason: later}]}\n"),
    "lint of the wrong type": add_top("lint: [a]\n"),
    "sources": add_top("sources: {a: 1}\n"),
    "version and variant": edit("bpr: 1", "bpr: 2").replace("variant: as-is", "variant: ' '"),
    "acts": add_top(
        "acts:\n  law: {title: Law, kind: lw, date: 2017-02-30, number: 5, zzz: 1}\n"
        "  bad: [a]\nbasis: [lwa]\n"
    ),
    "an act without acts": add_top("basis: [{act: law, article: '5'}]\n"),
    "acts of the wrong type": add_top("acts: [a]\nphases: [a]\n"),
    "flow: unreachable step": with_steps(
        "  - {id: a, actor: c, next: end}\n  - {id: b, actor: c}\n"
    ),
    "flow: a loop without exit": with_steps(
        "  - {id: a, actor: c, next: b}\n  - {id: b, actor: c, next: a}\n"
    ),
    "flow: a split not joined": with_steps(
        "  - {id: s, actor: c, next: {all: [a, b]}}\n"
        "  - {id: a, actor: c, next: end}\n  - {id: b, actor: c, next: end}\n"
    ),
    "flow: a split meeting without join": with_steps(
        "  - {id: s, actor: c, next: {all: [a, b]}}\n"
        "  - {id: a, actor: c, next: m}\n  - {id: b, actor: c, next: m}\n  - {id: m, actor: c}\n"
    ),
    "flow: a stray join": with_steps("  - {id: a, actor: c}\n  - {id: b, actor: c, join: all}\n"),
    "flow: a branch that loops back": with_steps(
        "  - {id: s, actor: c, next: {all: [a, b]}}\n"
        "  - {id: a, actor: c, next: [{to: s, p: 0.5}, {to: j, p: 0.5}]}\n"
        "  - {id: b, actor: c, next: j}\n  - {id: j, actor: c, join: all}\n"
    ),
    "flow: branches that share a step": with_steps(
        "  - {id: s, actor: c, next: {all: [a, b]}}\n"
        "  - {id: a, actor: c, next: x}\n  - {id: b, actor: c, next: x}\n"
        "  - {id: x, actor: c, next: j}\n  - {id: j, actor: c, join: all}\n"
    ),
    "flow: a branch entered from outside": with_steps(
        "  - {id: z, actor: c, next: [{to: s, p: 0.5}, {to: b, p: 0.5}]}\n"
        "  - {id: s, actor: c, next: {all: [a, b]}}\n"
        "  - {id: a, actor: c, next: j}\n  - {id: b, actor: c, next: j}\n"
        "  - {id: j, actor: c, join: all}\n"
    ),
    "flow: a loop almost never left": with_steps(
        "  - {id: a, actor: c, next: b}\n"
        "  - {id: b, actor: c, next: [{to: a, p: 0.999999999999}, {to: end, p: 0.000000000001}]}\n"
    ),
    "flow: a step that loops on itself almost forever": with_steps(
        "  - {id: a, actor: c, next: [{to: a, p: 0.999999999999}, {to: end, p: 0.000000000001}]}\n"
    ),
    "YAML: mapping values": "bpr: 1\nservice: d: x\n",
    "YAML: a block mapping": "bpr: 1\nactors:\n  - a\n b: 2\n",
    "YAML: a flow mapping": "bpr: 1\nactors: {a: 1\n",
    "YAML: an extra bracket": "bpr: 1\nsteps: [a, b]]\n",
    "YAML: a tab": "bpr: 1\nactors:\n\ta: 1\n",
    "YAML: duplicate key": "bpr: 1\nbpr: 1\n",
    "YAML: two documents": "bpr: 1\n---\nbpr: 1\n",
    "YAML: a tag": "bpr: !!python/object:os.system 1\n",
    "YAML: an empty file": "",
    "YAML: a control character": "bpr: 1\nservice: \x1b\n",
    "YAML: a binary file": b"\x00\x01\x02bpr",
    "YAML: not UTF-8": "bpr: 1\nservice: caf\xe9\n".encode("latin-1"),
    "YAML: an alias bomb": BOMB,
    "YAML: a bad merge": "bpr: 1\nx: {<<: 1}\n",
    "YAML: a mapping as a key": "bpr: 1\n? [a, b]\n: c\n",
    "YAML: nested too deeply": "bpr: " + "[" * 70 + "]" * 70 + "\n",
    "YAML: an undefined alias": "bpr: *nope\n",
    "YAML: an unknown escape": 'bpr: "x\\qy"\n',
    "YAML: an unclosed quote": "bpr: 'x\n",
    "YAML: a list item out of place": "bpr: - 1\n",
    "YAML: a key without its colon": "bpr: 1\n? a\nb\n",
}


@pytest.fixture(autouse=True)
def _english_afterwards() -> Iterator[None]:
    """``--lang`` chooses the language for the rest of the process: leave it English."""
    yield
    i18n.choose("en")


def _write(folder: Path, name: str, text: str | bytes) -> Path:
    path = folder / (re.sub(r"\W+", "-", name).strip("-") + ".yaml")
    if isinstance(text, bytes):
        path.write_bytes(text)
    else:
        path.write_text(text, encoding="utf-8")
    return path


def _broken_files(folder: Path) -> list[Path]:
    """Every case above, and every file in tests/data that bpr validate reports."""
    written = [_write(folder, name, text) for name, text in CASES.items()]
    reported = ["report/broken/beta-to-be-2031.yaml", "bpmn/stray-join.yaml"]
    return written + [DATA / name for name in reported] + [DATA / "portfolio" / "portfolio.yaml"]


_LINE = re.compile(r"^(?P<where>.+?(?::\d+:\d+)?): (?P<severity>[^:]+): (?P<rest>.*)$")
_CHOICES = re.compile(r"(?:допустимые (?:ключи|значения)|[Ии]звестные языки): ([^;]*)")


def _allowed(line: str, path: Path) -> set[str]:
    """What a message may hold in Latin letters: the place, what the file holds and the
    message quotes ('...'), and the valid keys or values it lists for the analyst to type."""
    allowed = {str(path)}
    allowed.update(re.findall(r"'([^']*)'", line))
    allowed.update(_CHOICES.findall(line))
    match = _LINE.match(line)
    place = match.group("rest").split(": ", 1)[0] if match else ""
    if re.fullmatch(r"[A-Za-z0-9_.\[\]-]+", place):  # the place inside the model
        allowed.add(place)
    try:
        data = yaml.safe_load(path.read_bytes())
    except (yaml.YAMLError, ValueError):
        data = None
    allowed.update(_keys(data))
    return allowed


def _keys(data: object) -> Iterator[str]:
    if isinstance(data, dict):
        for key, value in data.items():
            yield str(key)
            yield from _keys(value)
    elif isinstance(data, list):
        for item in data:
            yield from _keys(item)


def _problems(run_bpr: RunBpr, path: Path, lang: str) -> list[str]:
    result = run_bpr("validate", "-q", "--lang", lang, path)
    lines = result.stderr.splitlines()
    assert lines, f"{path.name}: nothing reported"
    return lines


def test_every_case_is_reported(run_bpr: RunBpr, tmp_path: Path) -> None:
    for path in _broken_files(tmp_path):
        lines = _problems(run_bpr, path, "en")
        assert all(_LINE.match(line) for line in lines), lines


@pytest.mark.parametrize("name", [*CASES, "tests/data"])
def test_russian_messages_hold_no_english_word(run_bpr: RunBpr, tmp_path: Path, name: str) -> None:
    if name == "tests/data":
        paths = _broken_files(tmp_path)[len(CASES) :]
    else:
        paths = [_write(tmp_path, name, CASES[name])]
    for path in paths:
        for line in _problems(run_bpr, path, "ru"):
            assert english_words(line, allowed=_allowed(line, path)) == set(), line


@pytest.mark.parametrize("lang", [lang for lang in LANGUAGES if lang != "en"])
def test_every_language_reports_the_same_places(run_bpr: RunBpr, tmp_path: Path, lang: str) -> None:
    severities: dict[str, set[str]] = {"error": set(), "warning": set()}
    for path in _broken_files(tmp_path):
        english = [_LINE.match(line) for line in _problems(run_bpr, path, "en")]
        other = [_LINE.match(line) for line in _problems(run_bpr, path, lang)]
        assert all(english) and all(other)
        assert [m.group("where") for m in other if m] == [m.group("where") for m in english if m]
        for mine, theirs in zip(other, english, strict=True):
            assert mine and theirs and mine.group("rest") != theirs.group("rest"), path.name
            severities[theirs.group("severity")].add(mine.group("severity"))
    # one word per severity, and not the English one
    assert all(len(words) == 1 for words in severities.values()), severities
    assert severities["error"] != {"error"} and severities["warning"] != {"warning"}


KNOWN_WORDS = {
    "ru": ("ошибка", "неизвестный"),
    "uz": ("xato", "nomaʼlum"),
    "uz-Cyrl": ("хато", "номаълум"),
    "az": ("xəta", "naməlum"),
    "kk": ("қате", "белгісіз"),
}


@pytest.mark.parametrize("lang", list(KNOWN_WORDS))
def test_the_messages_are_in_the_language_asked(run_bpr: RunBpr, tmp_path: Path, lang: str) -> None:
    path = _write(tmp_path, "actor", CASES["unknown actor"])
    (line,) = _problems(run_bpr, path, lang)
    severity, unknown = KNOWN_WORDS[lang]
    assert f": {severity}: steps[1].actor: " in line
    assert unknown in line and "'fnd'" in line and "'fund'" in line
    warning = _write(tmp_path, "warning", CASES["flow: a stray join"])
    (line,) = _problems(run_bpr, warning, lang)
    assert ":8:29: " in line and ": warning: " not in line and "'b'" in line


def test_uzbek_latin_writes_its_letters_with_the_turned_comma(
    run_bpr: RunBpr, tmp_path: Path
) -> None:
    text = "\n".join(
        line for path in _broken_files(tmp_path) for line in _problems(run_bpr, path, "uz")
    )
    assert "oʻ" in text and "maʼ" in text  # U+02BB and U+02BC, as docs/glossary.md asks
    assert not re.search(r"[oOgG]['\u2018\u2019`][a-z]", text)


@pytest.mark.parametrize(
    ("n", "words"),
    [
        (1, "относительного веса"),
        (2, "относительных весов"),
        (5, "относительных весов"),
        (11, "относительных весов"),
        (21, "относительного веса"),
    ],
)
def test_russian_counts_take_their_plural_form(n: int, words: str) -> None:
    ngettext = i18n.domain("validate").ngettext
    with i18n.use("ru"):
        message = ngettext(
            "arrivals {key} is a list of {size} relative weight",
            "arrivals {key} is a list of {size} relative weights",
            n,
        ).format(key="months", size=n)
    assert message == f"'arrivals.months' — это список из {n} {words}"


def test_the_loader_counts_weights_in_russian(run_bpr: RunBpr, tmp_path: Path) -> None:
    lines = _problems(run_bpr, _write(tmp_path, "w", CASES["arrival weights"]), "ru")
    assert any("'arrivals.months' — это список из 12 относительных весов" in x for x in lines)
    assert any("все веса в 'weekdays' равны 0" in x for x in lines)


def test_russian_numbers_take_the_comma_and_the_no_break_space(
    run_bpr: RunBpr, tmp_path: Path
) -> None:
    (line,) = _problems(
        run_bpr, _write(tmp_path, "p", CASES["probabilities that do not add up"]), "ru"
    )
    assert "в сумме дают 0,9, а не 1" in line
    (line,) = _problems(run_bpr, _write(tmp_path, "a", CASES["probabilities above 1"]), "ru")
    assert "уже в сумме дают 1,25, больше 1" in line
    (line,) = _problems(run_bpr, _write(tmp_path, "b", BOMB), "ru")
    assert "разворачиваются в 1\u00a0234\u00a0567 значений из 73 записанных" in line
    (line,) = _problems(run_bpr, _write(tmp_path, "u", CASES["a probability above 1"]), "ru")
    assert "от 0 до 1, а не 1,5" in line
    (line,) = _problems(run_bpr, _write(tmp_path, "e", CASES["probabilities above 1"]), "en")
    assert "already add up to 1.25, more than 1" in line


def test_a_suggestion_list_says_how_many_in_the_language(run_bpr: RunBpr) -> None:
    lines = _problems(run_bpr, DATA / "portfolio" / "portfolio.yaml", "kk")
    assert "белгісіз кілт 'targets'; рұқсат етілген кілттер: actors, acts," in lines[0]
    assert lines[0].endswith("... (барлығы 28)")


def test_yaml_syntax_errors_say_what_to_fix_in_the_language(
    run_bpr: RunBpr, tmp_path: Path
) -> None:
    path = _write(tmp_path, "y", CASES["YAML: mapping values"])
    (line,) = _problems(run_bpr, path, "ru")
    assert line.endswith(
        ":2:11: ошибка: синтаксис YAML: здесь не может начинаться пара «ключ: значение»; "
        "проверьте отступ строки или возьмите текст с двоеточием в кавычки"
    )
    (line,) = _problems(run_bpr, path, "en")
    assert line.endswith(
        ":2:11: error: YAML syntax: mapping values are not allowed in this context"
    )
    # a reason bpr has no translation for is the parser's own words, after the translated label
    unknown = _write(tmp_path, "u", 'bpr: "\\x1"\n')
    (line,) = _problems(run_bpr, unknown, "az")
    assert line.endswith(
        ":1:9: xəta: YAML sintaksisi: while parsing a quoted scalar did not find expected "
        "hexdecimal number"
    )


def test_a_command_that_stops_on_an_invalid_file_speaks_the_language(
    run_bpr: RunBpr, tmp_path: Path
) -> None:
    path = _write(tmp_path, "m", CASES["unknown actor"])
    result = run_bpr("metrics", "--lang", "uz-Cyrl", path)
    assert result.exit_code == 1
    assert ": хато: steps[1].actor: номаълум иштирокчи 'fnd'; балки 'fund'?" in result.stderr
