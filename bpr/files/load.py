"""Reading model files: parse, check every rule of the format at once, build the Model."""

from __future__ import annotations

import datetime
import math
import os
import re
import stat
from collections.abc import Iterable
from typing import Any

from bpr.core._gc import gc_paused
from bpr.core.calendar import ALWAYS, Arrivals, Schedule, ScheduleError, parse_hours
from bpr.core.durations import ZERO, Duration, DurationError, parse_duration
from bpr.core.flow import check_flow
from bpr.core.i18n import N_, domain, number
from bpr.core.i18n import current as current_language
from bpr.core.model import END, Act, Actor, Basis, Branch, Document, Flow, Model, Phase, Step
from bpr.core.schema import (
    ACT_FIELDS,
    ACTOR_FIELDS,
    ARRIVALS_FIELDS,
    BASIS_FIELDS,
    BRANCH_FIELDS,
    DOCUMENT_FIELDS,
    FORMAT_VERSION,
    ID_PATTERN,
    LINT_FIELDS,
    PHASE_FIELDS,
    STEP_FIELDS,
    TOP_FIELDS,
    is_extension_key,
)
from bpr.core.vocab import (
    ACT_KINDS,
    ACTOR_KINDS,
    APPLICANT_TYPES,
    CHANNELS,
    DEFAULT_ACTOR_KIND,
    DEFAULT_CHANNEL,
    DEFAULT_FEE_KIND,
    DEFAULT_LANGUAGE,
    DOCUMENT_KINDS,
    FEE_KINDS,
    LANGUAGES,
    ActKind,
    ActorKind,
    ApplicantType,
    Channel,
    DocumentKind,
    FeeKind,
    is_act_kind,
    is_actor_kind,
    is_applicant_type,
    is_channel,
    is_document_kind,
    is_fee_kind,
    is_language,
)
from bpr.errors import ModelError, Problem, did_you_mean
from bpr.files.yamlsource import SourceMap, parse_yaml

__all__ = ["load", "loads"]

_ = domain("validate").gettext
ngettext = domain("validate").ngettext

_PROBABILITY_TOLERANCE = 1e-6
PathParts = tuple[str | int, ...]


def load(path: str | os.PathLike[str]) -> Model:
    """Load and validate one model file.

    Raises :class:`bpr.ModelError` listing every problem, each with file, line and column.

    >>> import bpr
    >>> model = bpr.load("models/property-registration/as-is.yaml")  # doctest: +SKIP
    """
    name = os.fspath(path)
    try:
        data = _read_regular_file(name)
    except FileNotFoundError:
        raise ModelError(
            [Problem(_("no such file; check the path"), name, code="file-not-found")]
        ) from None
    except IsADirectoryError:
        raise ModelError(
            [
                Problem(
                    _("this is a folder; name a model file, or use a command that takes folders"),
                    name,
                    code="is-a-folder",
                )
            ]
        ) from None
    except _NotRegular:
        raise ModelError(
            [
                Problem(
                    _("this is not a regular file (a FIFO, device or socket); name a model file"),
                    name,
                    code="not-a-file",
                )
            ]
        ) from None
    except OSError as exc:
        raise ModelError(
            [
                Problem(
                    # TRANSLATORS: {reason} is the operating system's reason, in English
                    _("cannot read the file: {reason}").format(reason=exc.strerror),
                    name,
                    code="unreadable-file",
                )
            ]
        ) from None
    return loads(data, name)


def loads(text: str | bytes, file: str = "<string>") -> Model:
    """Load and validate a model from its YAML text; ``file`` names it in messages."""
    try:
        with gc_paused():
            raw, source = parse_yaml(text, file)
            return _Builder(raw, source).build()
    except ModelError as exc:
        exc.problems.sort(key=lambda p: (p.line, p.column))
        raise


class _NotRegular(OSError):
    """The path leads to a FIFO, a device or a socket, which a model never is."""


def _read_regular_file(name: str) -> bytes:
    """The bytes of a regular file; a FIFO is opened without waiting for a writer, and refused."""
    descriptor = os.open(name, os.O_RDONLY | getattr(os, "O_NONBLOCK", 0))
    with os.fdopen(descriptor, "rb") as stream:
        mode = os.fstat(stream.fileno()).st_mode
        if stat.S_ISDIR(mode):
            raise IsADirectoryError(name)
        if not stat.S_ISREG(mode):
            raise _NotRegular(name)
        return stream.read()


class _Builder:
    """Checks the parsed values against the format, collecting every problem."""

    def __init__(self, raw: Any, source: SourceMap) -> None:
        self.raw = raw
        self.source = source
        self.problems: list[Problem] = []
        self.language: str = DEFAULT_LANGUAGE
        self.acts_declared: dict[str, Act] = {}
        self.phases_declared: dict[str, Phase] = {}

    # -- reporting -------------------------------------------------------------------------

    def error(self, path: PathParts, message: str, *, code: str, key: bool = False) -> None:
        """Report an error of the kind ``code`` (see docs/format.md) at ``path``."""
        self.problems.append(self.source.problem(path, message, key=key, code=code))

    def warn(self, path: PathParts, message: str, *, code: str) -> None:
        self.problems.append(self.source.problem(path, message, severity="warning", code=code))

    def unknown(
        self,
        path: PathParts,
        word: str,
        choices: Iterable[str],
        templates: tuple[str, ...],
        *,
        code: str,
        at_key: bool = False,
        **fields: str,
    ) -> None:
        """Report ``word`` as not one of ``choices``, with the closest one or the list of them.

        ``templates`` are the message (marked with ``N_``) with a close ``{suggestion}``, with
        the valid ``{choices}``, and, where there may be no choice at all, with neither.
        """
        kind, hint = _hint(word, choices)
        template = templates[0 if kind == "close" else 1 if kind == "valid" else 2]
        message = _(template).format(suggestion=hint, choices=hint, **fields)
        self.error(path, message, code=code, key=at_key)

    # -- typed readers: each returns None (after reporting) when the value is wrong ------------

    def mapping(self, value: Any, path: PathParts, what: str) -> dict[Any, Any] | None:
        if isinstance(value, dict):
            return value
        self.error(
            path,
            # TRANSLATORS: {what} is a key of the file (acts, lint) or a thing such as "a step",
            # in the nominative; {kind} is what was found instead ("a list", "nothing")
            _("{what} must be a mapping of keys and values, not {kind}").format(
                what=what, kind=_kind(value)
            ),
            code="wrong-type",
        )
        return None

    def keys(
        self, value: dict[Any, Any], fields: dict[str, tuple[bool, str]], path: PathParts, what: str
    ) -> None:
        for key in value:
            if key in fields or is_extension_key(key):
                continue
            self.unknown(
                (*path, key),
                str(key),
                fields,
                (
                    # TRANSLATORS: {what} is "the model", "a step", "act 'x'"... (nominative)
                    N_("unknown key {key} in {what}; did you mean {suggestion}?"),
                    N_("unknown key {key} in {what}; valid: {choices}"),
                ),
                at_key=True,
                code="unknown-key",
                what=what,
                key=repr(key),
            )
        for key, (required, _unused) in fields.items():
            if required and key not in value:
                self.error(
                    path,
                    _("{what} needs the key '{key}'").format(what=what, key=key),
                    code="missing-key",
                )

    def written(self, value: Any, path: PathParts) -> str | None:
        """A scalar as the text written (``off``, ``007``), without reporting; else ``None``."""
        if isinstance(value, str):
            return value
        if isinstance(value, bool | int | float):
            # YAML read it as a number or yes/no; the analyst meant the text as written
            written = self.source.scalar_text(path)
            return written if written is not None else str(value)
        return None

    def text(self, value: Any, path: PathParts) -> str | None:
        written = self.written(value, path)
        if written is not None:
            return written
        if value is None:
            self.error(path, _("expected text, found nothing"), code="missing-value")
            return None
        self.error(
            path, _("expected text, not {kind}").format(kind=_kind(value)), code="wrong-type"
        )
        return None

    def ident(self, value: Any, path: PathParts, what: str) -> str | None:
        text = self.text(value, path)
        if text is None:
            return None
        if not ID_PATTERN.fullmatch(text):
            self.error(path, _(_INVALID_ID[what]).format(text=repr(text)), code="invalid-id")
            return None
        return text

    def number(
        self, value: Any, path: PathParts, what: str, *, minimum: float = 0.0
    ) -> float | None:
        # TRANSLATORS: {what} is a key of the file (volume, fee) or "a probability" (nominative)
        not_a_number = N_("{what} must be a number, not {kind}")
        if isinstance(value, bool) or not isinstance(value, int | float):
            message = _(not_a_number).format(what=what, kind=_kind(value))
            self.error(path, message, code="not-a-number")
            return None
        try:
            figure = float(value)
        except OverflowError:  # an integer of hundreds of digits
            self.error(
                path,
                _(
                    "{what} is too large a number to compute with (over 1e308); "
                    "check the number of digits"
                ).format(what=what),
                code="number-too-large",
            )
            return None
        if math.isnan(figure):
            message = _(not_a_number).format(what=what, kind=_kind(value))
            self.error(path, message, code="not-a-number")
            return None
        if math.isinf(figure) or figure < minimum:
            self.error(
                path,
                _("{what} must be a finite number of at least {minimum}, not {value}").format(
                    what=what, minimum=number(minimum, "g"), value=value
                ),
                code="out-of-range",
            )
            return None
        return figure

    def id_list(self, value: Any, path: PathParts, what: str) -> list[str]:
        if value is None:
            return []
        single = self.written(value, path)  # one id instead of a list: 'needs: passport'
        if single is not None:
            ident = self.ident(single, path, what)
            return [] if ident is None else [ident]
        if not isinstance(value, list):
            message = _(_ID_LIST[what]).format(kind=_kind(value))
            self.error(path, message, code="wrong-type")
            return []
        out = []
        for i, item in enumerate(value):
            ident = self.ident(item, (*path, i), what)
            if ident is not None:
                out.append(ident)
        return out

    def duration(self, value: Any, path: PathParts) -> Duration:
        try:
            return parse_duration(value)
        except DurationError as exc:
            message = str(exc)
            written = self.written(value, path) if isinstance(value, int | float) else None
            if written is not None:  # a number told as written: '1e3', not '1000.0'
                message = message.replace(f"'{value}'", f"'{written}'")
            self.error(path, message, code="invalid-duration")
            return ZERO

    def optional_duration(
        self, entry: dict[str, Any], key: str, path: PathParts
    ) -> Duration | None:
        if entry.get(key) is None:
            return None
        return self.duration(entry[key], (*path, key))

    def choose(
        self,
        value: Any,
        path: PathParts,
        templates: tuple[str, str],
        choices: tuple[str, ...],
        code: str,
    ) -> str | None:
        """One of ``choices``; else an error with the closest or all of them (``templates``:
        the message with a ``{suggestion}`` and with the ``{choices}``, see :meth:`unknown`)."""
        written = self.written(value, path)
        if written in choices:
            return written
        shown = repr(written if written is not None else value)
        self.unknown(path, str(written), choices, templates, code=code, value=shown)
        return None

    def boolean(self, entry: dict[str, Any], key: str, path: PathParts) -> bool | None:
        value = entry.get(key)
        if value is None:
            return None
        if not isinstance(value, bool):
            message = _(_NOT_A_BOOLEAN).format(key=key, value=repr(value))
            self.error((*path, key), message, code="not-a-boolean")
            return None
        return value

    def names(self, value: Any, path: PathParts) -> tuple[str | None, dict[str, str]]:
        """A name as plain text or a mapping of languages to text: the text in the file's
        language (else English, else the first given) and the mapping (empty for plain)."""
        if not isinstance(value, dict):
            return self.text(value, path), {}
        if not value:
            self.error(
                path,
                _("a name map is empty; give the text of at least one language"),
                code="empty-name-map",
            )
            return None, {}
        names: dict[str, str] = {}
        for key, item in value.items():
            where: PathParts = (*path, key)
            if not is_language(key):
                self.unknown(
                    where,
                    str(key),
                    LANGUAGES,
                    (
                        N_(
                            "unknown language {key}; did you mean {suggestion}?; "
                            "the known languages are {languages}"
                        ),
                        N_(
                            "unknown language {key}; valid: {choices}; the known languages are "
                            "{languages}"
                        ),
                    ),
                    at_key=True,
                    code="unknown-language",
                    key=repr(key),
                    languages=", ".join(LANGUAGES),
                )
                continue
            text = self.text(item, where)
            if text is not None:
                names[key] = text
        if not names:
            return None, {}
        if self.language not in names:
            self.warn(
                path,
                _(
                    "this name has no text in the file's language '{language}'; "
                    "add {language}: ... (shown meanwhile: {given})"
                ).format(language=self.language, given=", ".join(names)),
                code="name-without-file-language",
            )
        for choice in (self.language, DEFAULT_LANGUAGE):
            if choice in names:
                return names[choice], names
        return next(iter(names.values())), names

    def basis(self, value: Any, path: PathParts) -> tuple[Basis, ...]:
        """Provisions: a list of ``{act, article}`` or of bare act ids."""
        if value is None:
            return ()
        items = value if isinstance(value, list) else [value]
        out: list[Basis] = []
        for i, item in enumerate(items):
            where: PathParts = (*path, i) if isinstance(value, list) else path
            if isinstance(item, dict):
                self.keys(item, BASIS_FIELDS, where, "a provision")
                if "act" not in item:
                    continue
                act = self.ident(item["act"], (*where, "act"), "act")
                article = (
                    self.text(item["article"], (*where, "article"))
                    if item.get("article") is not None
                    else None
                )
                act_path: PathParts = (*where, "act")
            else:
                act, article, act_path = self.ident(item, where, "act"), None, where
            if act is None:
                continue
            if act not in self.acts_declared:
                self.unknown(
                    act_path,
                    act,
                    self.acts_declared,
                    (
                        N_("unknown act '{act}'; did you mean {suggestion}?"),
                        N_("unknown act '{act}'; valid: {choices}"),
                        N_("unknown act '{act}'; declare it under 'acts:'"),
                    ),
                    code="unknown-act",
                    act=act,
                )
                continue
            out.append(Basis(act, article))
        return tuple(out)

    def date(self, value: Any, path: PathParts) -> datetime.date | None:
        text = value.isoformat() if isinstance(value, datetime.date) else self.written(value, path)
        try:
            return datetime.date.fromisoformat(str(text))
        except ValueError:
            self.error(
                path,
                _("{text} is not a date; write YYYY-MM-DD, such as 2017-02-27").format(
                    text=repr(text)
                ),
                code="invalid-date",
            )
            return None

    def fraction(self, raw: dict[str, Any], key: str) -> float | None:
        value = self.number(raw[key], (key,), key)
        if value is not None and value > 1:
            message = _("{key} is a share between 0 and 1, not {value}").format(
                key=key, value=number(value, "g")
            )
            self.error((key,), message, code="out-of-range")
            return None
        return value

    def acts(self, value: Any) -> dict[str, Act]:
        if value is None:
            return {}
        table = self.mapping(value, ("acts",), "acts")
        if table is None:
            return {}
        acts: dict[str, Act] = {}
        for key, body in table.items():
            path: PathParts = ("acts", key)
            ident = self.ident(key, path, "act")
            entry = self.mapping(body, path, _("act {id}").format(id=repr(key)))
            if ident is None or entry is None:
                continue
            self.keys(entry, ACT_FIELDS, path, _("act {id}").format(id=f"'{ident}'"))
            title, titles = (
                self.names(entry["title"], (*path, "title")) if "title" in entry else (None, {})
            )
            number = (
                self.text(entry["number"], (*path, "number"))
                if entry.get("number") is not None
                else None
            )
            date = (
                self.date(entry["date"], (*path, "date")) if entry.get("date") is not None else None
            )
            kind: ActKind = "other"
            if entry.get("kind") is not None:
                chosen = self.choose(
                    entry["kind"],
                    (*path, "kind"),
                    (
                        N_("unknown act kind {value}; did you mean {suggestion}?"),
                        N_("unknown act kind {value}; valid: {choices}"),
                    ),
                    ACT_KINDS,
                    "unknown-act-kind",
                )
                if is_act_kind(chosen):
                    kind = chosen
            acts[ident] = Act(ident, title or ident, number, date, kind, titles)
        return acts

    def phases(self, value: Any) -> dict[str, Phase]:
        if value is None:
            return {}
        table = self.mapping(value, ("phases",), "phases")
        if table is None:
            return {}
        phases: dict[str, Phase] = {}
        for key, body in table.items():
            path: PathParts = ("phases", key)
            ident = self.ident(key, path, "phase")
            if ident is None:
                continue
            if isinstance(body, str):  # phases: {apply: Application}
                body = {"name": body}
            entry = self.mapping(body, path, _("phase {id}").format(id=repr(key)))
            if entry is None:
                continue
            self.keys(entry, PHASE_FIELDS, path, _("phase {id}").format(id=f"'{ident}'"))
            name, names = (
                self.names(entry["name"], (*path, "name")) if "name" in entry else (None, {})
            )
            phases[ident] = Phase(ident, name or ident, names)
        return phases

    def hours(self, value: Any, path: PathParts) -> Schedule | None:
        text = self.text(value, path)
        if text is None:
            return None
        try:
            schedule = parse_hours(text)
        except ScheduleError as exc:
            self.error(path, str(exc), code="invalid-hours")
            return None
        return None if schedule is ALWAYS else schedule

    def arrivals(self, value: Any) -> Arrivals:
        if value is None:
            return Arrivals()
        if isinstance(value, str):
            if value in ("uniform", "office-hours"):
                return Arrivals(value)
            self.unknown(
                ("arrivals",),
                value,
                ("uniform", "office-hours"),
                (
                    N_(
                        "unknown arrivals {value}; did you mean {suggestion}?; write uniform, "
                        "office-hours or {{months: [...12], weekdays: [...7]}}"
                    ),
                    N_(
                        "unknown arrivals {value}; valid: {choices}; write uniform, "
                        "office-hours or {{months: [...12], weekdays: [...7]}}"
                    ),
                ),
                code="invalid-arrivals",
                value=repr(value),
            )
            return Arrivals()
        entry = self.mapping(value, ("arrivals",), "arrivals")
        if entry is None:
            return Arrivals()
        self.keys(entry, ARRIVALS_FIELDS, ("arrivals",), "arrivals")
        weights = {}
        for key, size in (("months", 12), ("weekdays", 7)):
            if entry.get(key) is None:
                weights[key] = (1.0,) * size
                continue
            items = entry[key]
            path: PathParts = ("arrivals", key)
            if not isinstance(items, list) or len(items) != size:
                self.error(
                    path,
                    ngettext(
                        "arrivals {key} is a list of {size} relative weight",
                        "arrivals {key} is a list of {size} relative weights",
                        size,
                    ).format(key=key, size=size),
                    code="invalid-arrivals",
                )
                weights[key] = (1.0,) * size
                continue
            # TRANSLATORS: {key} is months or weekdays, as written in the file
            what = _("a weight of {key}").format(key=key)
            numbers = [self.number(w, (*path, i), what) for i, w in enumerate(items)]
            if any(n is None for n in numbers) or not sum(n or 0 for n in numbers):
                if all(n is not None for n in numbers):
                    message = _("the weights of {key} are all 0").format(key=key)
                    self.error(path, message, code="invalid-arrivals")
                weights[key] = (1.0,) * size
                continue
            weights[key] = tuple(float(n or 0) for n in numbers)
        return Arrivals("pattern", weights["months"], weights["weekdays"])

    def holidays(self, value: Any) -> tuple[datetime.date, ...]:
        if value is None:
            return ()
        if not isinstance(value, list):
            message = _("holidays is a list of dates YYYY-MM-DD")
            self.error(("holidays",), message, code="wrong-type")
            return ()
        out = [self.date(item, ("holidays", i)) for i, item in enumerate(value)]
        return tuple(sorted({d for d in out if d is not None}))

    # -- the model -------------------------------------------------------------------------

    def build(self) -> Model:
        raw = self.raw
        if not isinstance(raw, dict):
            self.error(
                (),
                _(
                    "a model is a mapping with the keys bpr, service, variant, actors and steps, "
                    "not {kind}"
                ).format(kind=_kind(raw)),
                code="wrong-type",
            )
            raise ModelError(self.problems)
        self.keys(raw, TOP_FIELDS, (), _("the model"))

        version = raw.get("bpr")
        if "bpr" in raw and (isinstance(version, bool) or version != FORMAT_VERSION):
            self.error(
                ("bpr",),
                _("format version {version} is not supported; this release reads 'bpr: 1'").format(
                    version=repr(version)
                ),
                code="unsupported-version",
            )
        service = self.ident(raw["service"], ("service",), "service") if "service" in raw else None
        variant = self.text(raw["variant"], ("variant",)) if "variant" in raw else None
        if variant is not None and not variant.strip():
            self.error(
                ("variant",),
                _("the variant is empty; write as-is, to-be or a label"),
                code="empty-variant",
            )
        self.language = DEFAULT_LANGUAGE
        if raw.get("language") is not None:
            chosen = self.choose(
                raw["language"],
                ("language",),
                (
                    N_("unknown language {value}; did you mean {suggestion}?"),
                    N_("unknown language {value}; valid: {choices}"),
                ),
                LANGUAGES,
                "unknown-language",
            )
            if chosen is not None:
                self.language = chosen
        acts = self.acts(raw.get("acts"))
        self.acts_declared = acts
        name, names = (
            self.names(raw["name"], ("name",)) if raw.get("name") is not None else (None, {})
        )
        currency = (
            self.text(raw["currency"], ("currency",)) if raw.get("currency") is not None else None
        )
        maturity = self.maturity(raw)
        volume = (
            self.number(raw["volume"], ("volume",), "volume")
            if raw.get("volume") is not None
            else None
        )
        tariff = (
            self.number(raw["tariff"], ("tariff",), "tariff")
            if raw.get("tariff") is not None
            else None
        )
        sources = self.sources(raw.get("sources"))
        lint = self.lint(raw.get("lint"))
        basis = self.basis(raw.get("basis"), ("basis",))
        phases = self.phases(raw.get("phases"))
        self.phases_declared = phases
        travel = self.optional_duration(raw, "travel", ()) or ZERO
        queue = self.optional_duration(raw, "queue", ()) or ZERO
        staff_tariff = (
            self.number(raw["staff_tariff"], ("staff_tariff",), "staff_tariff")
            if raw.get("staff_tariff") is not None
            else None
        )
        uptake = self.fraction(raw, "uptake") if raw.get("uptake") is not None else None
        passport = self.passport(raw)
        arrivals = self.arrivals(raw.get("arrivals"))
        holidays = self.holidays(raw.get("holidays"))

        actors = self.actors(raw.get("actors"))
        documents = self.documents(raw.get("documents"), actors)
        steps = self.steps(raw.get("steps"), actors, documents)
        staffed = [a for a in actors.values() if a.staff is not None]
        if staffed and volume is None:
            self.error(
                ("actors", staffed[0].id, "staff"),
                _(
                    "an actor with staff needs the model's 'volume' (cases per year): bpr "
                    "simulate makes cases arrive at that rate to queue for the staff"
                ),
                code="staff-without-volume",
            )

        if any(p.is_error for p in self.problems) or service is None or variant is None:
            raise ModelError(self.problems)
        if not steps:  # pragma: no cover - every way to lose all steps reports an error
            raise ModelError(
                [
                    self.source.problem(
                        ("steps",), _("a model needs at least one step"), code="no-steps"
                    )
                ]
            )
        model = Model(
            service=service,
            variant=variant,
            actors=actors,
            steps=tuple(steps),
            documents=documents,
            name=name,
            maturity=maturity,
            volume=volume,
            currency=currency,
            tariff=tariff,
            sources=tuple(sources),
            lint=lint,
            file=self.source.file,
            source=self.source,
            language=self.language,
            names=names,
            phases=phases,
            acts=acts,
            basis=basis,
            travel=travel,
            queue=queue,
            staff_tariff=staff_tariff,
            uptake=1.0 if uptake is None else uptake,
            arrivals=arrivals,
            holidays=holidays,
            **passport,
        )
        self.problems.extend(check_flow(model))
        if any(p.is_error for p in self.problems):
            raise ModelError(self.problems)
        model.warnings = [p for p in self.problems if not p.is_error]
        self.source.release()
        # the names in the language bpr writes in now (the file's own where it has no map)
        return model.in_language(current_language())

    def passport(self, raw: dict[str, Any]) -> dict[str, Any]:
        """The service passport: owner, applicants, result, deadline, register id."""
        out: dict[str, Any] = {}
        for key in ("owner", "result", "register_id"):
            if raw.get(key) is not None:
                out[key] = self.text(raw[key], (key,))
        if raw.get("applicants") is not None:
            chosen = self.choose(
                raw["applicants"],
                ("applicants",),
                (
                    N_("unknown applicant type {value}; did you mean {suggestion}?"),
                    N_("unknown applicant type {value}; valid: {choices}"),
                ),
                APPLICANT_TYPES,
                "unknown-applicant-type",
            )
            if is_applicant_type(chosen):
                applicants: ApplicantType = chosen
                out["applicants"] = applicants
        out["deadline"] = self.optional_duration(raw, "deadline", ())
        return out

    def maturity(self, raw: dict[str, Any]) -> int | None:
        value = raw.get("maturity")
        if value is None:
            return None
        if isinstance(value, bool) or not isinstance(value, int) or not 1 <= value <= 4:
            self.error(
                ("maturity",),
                _(
                    "maturity must be a UN e-service maturity stage 1, 2, 3 or 4, not {value} "
                    "(1 information, 2 downloadable forms, 3 transactional, 4 proactive)"
                ).format(value=repr(value)),
                code="invalid-maturity",
            )
            return None
        return value

    def sources(self, value: Any) -> list[str]:
        if value is None:
            return []
        if isinstance(value, str):
            return [value]
        if not isinstance(value, list):
            self.error(
                ("sources",),
                _("sources must be a list of text, not {kind}").format(kind=_kind(value)),
                code="wrong-type",
            )
            return []
        out = []
        for i, item in enumerate(value):
            text = self.text(item, ("sources", i))
            if text is not None:
                out.append(text)
        return out

    def lint(self, value: Any) -> dict[str, Any]:
        if value is None:
            return {}
        settings = self.mapping(value, ("lint",), "lint")
        if settings is None:
            return {}
        self.keys(settings, LINT_FIELDS, ("lint",), "lint")
        ignore = settings.get("ignore") or []
        if not isinstance(ignore, list):
            ignore = [ignore]
        rules: dict[str, str] = {}
        for i, item in enumerate(ignore):
            path: PathParts = ("lint", "ignore", i)
            if isinstance(item, dict):
                if "rule" not in item:
                    self.error(
                        path,
                        _("an ignored rule is a rule id or {{rule: ID, reason: TEXT}}").format(),
                        code="invalid-lint-ignore",
                    )
                    continue
                rule = self.text(item["rule"], (*path, "rule"))
                reason = self.text(item.get("reason", ""), (*path, "reason")) or ""
            else:
                rule, reason = self.text(item, path), ""
            if rule:
                rules[rule] = reason
        return {"ignore": rules}

    def actors(self, value: Any) -> dict[str, Actor]:
        if value is None:
            if "actors" in self.raw:
                self.error(
                    ("actors",),
                    _("actors is empty; a model needs at least one actor"),
                    code="no-actors",
                )
            return {}
        table = self.mapping(value, ("actors",), "actors")
        if table is None:
            return {}
        if not table:
            message = _("a model needs at least one actor")
            self.error(("actors",), message, code="no-actors")
        actors: dict[str, Actor] = {}
        for key, body in table.items():
            path: PathParts = ("actors", key)
            ident = self.ident(key, path, "actor")
            entry = self.mapping(body, path, _("actor {id}").format(id=repr(key)))
            if ident is None or entry is None:
                continue
            self.keys(entry, ACTOR_FIELDS, path, _("actor {id}").format(id=f"'{ident}'"))
            name, names = (
                self.names(entry["name"], (*path, "name")) if "name" in entry else (ident, {})
            )
            written = entry.get("kind", DEFAULT_ACTOR_KIND)
            kind: ActorKind = DEFAULT_ACTOR_KIND
            if is_actor_kind(written):
                kind = written
            else:
                self.unknown(
                    (*path, "kind"),
                    str(written),
                    ACTOR_KINDS,
                    (
                        N_("unknown actor kind {value}; did you mean {suggestion}?"),
                        N_("unknown actor kind {value}; valid: {choices}"),
                    ),
                    code="unknown-actor-kind",
                    value=repr(written),
                )
            agency = (
                self.text(entry["agency"], (*path, "agency"))
                if entry.get("agency") is not None
                else None
            )
            staff = None
            if entry.get("staff") is not None:
                value = entry["staff"]
                if isinstance(value, bool) or not isinstance(value, int) or value < 1:
                    self.error(
                        (*path, "staff"),
                        _("staff is a whole number of people, at least 1, not {value}").format(
                            value=repr(value)
                        ),
                        code="invalid-staff",
                    )
                else:
                    staff = value
            hours = (
                self.hours(entry["hours"], (*path, "hours"))
                if entry.get("hours") is not None
                else None
            )
            actors[ident] = Actor(
                ident,
                name or ident,
                kind,
                agency,
                registry=self.boolean(entry, "registry", path),
                staff=staff,
                hours=hours,
                names=names,
            )
        return actors

    def documents(self, value: Any, actors: dict[str, Actor]) -> dict[str, Document]:
        if value is None:
            return {}
        table = self.mapping(value, ("documents",), "documents")
        if table is None:
            return {}
        documents: dict[str, Document] = {}
        for key, body in table.items():
            path: PathParts = ("documents", key)
            ident = self.ident(key, path, "document")
            entry = self.mapping(body, path, _("document {id}").format(id=repr(key)))
            if ident is None or entry is None:
                continue
            self.keys(entry, DOCUMENT_FIELDS, path, _("document {id}").format(id=f"'{ident}'"))
            name, names = (
                self.names(entry["name"], (*path, "name")) if "name" in entry else (ident, {})
            )
            issuer = None
            if entry.get("issuer") is not None:
                issuer = self.ident(entry["issuer"], (*path, "issuer"), "actor")
                if issuer is not None and issuer not in actors:
                    self.unknown(
                        (*path, "issuer"),
                        issuer,
                        actors,
                        _UNKNOWN_ACTOR,
                        code="unknown-actor",
                        actor=issuer,
                    )
            exchange = entry.get("exchange", False)
            if not isinstance(exchange, bool):
                self.error(
                    (*path, "exchange"),
                    _(_NOT_A_BOOLEAN).format(key="exchange", value=repr(exchange)),
                    code="not-a-boolean",
                )
                exchange = False
            if exchange and issuer is None:
                self.error(
                    (*path, "exchange"),
                    _(
                        "a document pulled by data exchange needs an 'issuer': the actor whose "
                        "registry holds it"
                    ),
                    code="exchange-without-issuer",
                )
            kind: DocumentKind | None = None
            if entry.get("kind") is not None:
                chosen = self.choose(
                    entry["kind"],
                    (*path, "kind"),
                    (
                        N_("unknown document kind {value}; did you mean {suggestion}?"),
                        N_("unknown document kind {value}; valid: {choices}"),
                    ),
                    DOCUMENT_KINDS,
                    "unknown-document-kind",
                )
                if is_document_kind(chosen):
                    kind = chosen
            documents[ident] = Document(
                ident,
                name or ident,
                issuer,
                exchange,
                kind=kind,
                basis=self.basis(entry.get("basis"), (*path, "basis")),
                names=names,
            )
        return documents

    def steps(
        self, value: Any, actors: dict[str, Actor], documents: dict[str, Document]
    ) -> list[Step]:
        if value is None:
            if "steps" in self.raw:
                message = _("steps is empty; a model needs at least one step")
                self.error(("steps",), message, code="no-steps")
            return []
        if not isinstance(value, list):
            message = _("steps must be a list of steps, not {kind}").format(kind=_kind(value))
            self.error(("steps",), message, code="wrong-type")
            return []
        if not value:
            self.error(("steps",), _("a model needs at least one step"), code="no-steps")
            return []
        ids: dict[str, int] = {}
        for i, body in enumerate(value):
            if isinstance(body, dict) and "id" in body:
                ident = self.written(body["id"], ("steps", i, "id"))
                if isinstance(ident, str) and ident in ids:
                    self.error(
                        ("steps", i, "id"),
                        _(
                            "duplicate step id {id}: steps[{index}] has it too; "
                            "give each step its own id"
                        ).format(id=repr(ident), index=ids[ident]),
                        code="duplicate-step-id",
                    )
                elif isinstance(ident, str):
                    ids[ident] = i
        steps = []
        for i, body in enumerate(value):
            step = self.step(body, i, value, ids, actors, documents)
            if step is not None:
                steps.append(step)
        return steps

    def step(
        self,
        body: Any,
        index: int,
        all_steps: list[Any],
        ids: dict[str, int],
        actors: dict[str, Actor],
        documents: dict[str, Document],
    ) -> Step | None:
        path: PathParts = ("steps", index)
        entry = self.mapping(body, path, _("a step"))
        if entry is None:
            return None
        self.keys(entry, STEP_FIELDS, path, _("a step"))
        ident = self.ident(entry["id"], (*path, "id"), "step") if "id" in entry else None
        if ident == END:
            self.error(
                (*path, "id"),
                _("'end' is reserved for the end of a case; rename the step"),
                code="reserved-id",
            )
        actor = None
        if "actor" in entry:
            actor = self.ident(entry["actor"], (*path, "actor"), "actor")
            if actor is not None and actor not in actors:
                self.unknown(
                    (*path, "actor"),
                    actor,
                    actors,
                    _UNKNOWN_ACTOR,
                    code="unknown-actor",
                    actor=actor,
                )
                actor = None
        name, names = (
            self.names(entry["name"], (*path, "name"))
            if entry.get("name") is not None
            else (None, {})
        )
        written = entry.get("channel", DEFAULT_CHANNEL)
        channel: Channel = DEFAULT_CHANNEL
        if is_channel(written):
            channel = written
        else:
            self.unknown(
                (*path, "channel"),
                str(written),
                CHANNELS,
                (
                    N_("unknown channel {value}; did you mean {suggestion}?"),
                    N_("unknown channel {value}; valid: {choices}"),
                ),
                code="unknown-channel",
                value=repr(written),
            )
        work = self.duration(entry.get("work"), (*path, "work"))
        wait = self.duration(entry.get("wait"), (*path, "wait"))
        fee = 0.0
        if entry.get("fee") is not None:
            fee = self.number(entry["fee"], (*path, "fee"), "fee") or 0.0
        needs = self.references(entry.get("needs"), (*path, "needs"), documents)
        produces = self.references(entry.get("produces"), (*path, "produces"), documents)
        join = entry.get("join")
        if join is not None and join != "all":
            message = _("join takes the value 'all', not {value}").format(value=repr(join))
            self.error((*path, "join"), message, code="invalid-join")
            join = None
        replaces = tuple(self.id_list(entry.get("replaces"), (*path, "replaces"), "step"))
        following = index + 1
        fallthrough: Any = END
        if following < len(all_steps):
            nxt = all_steps[following]
            fallthrough = (
                self.written(nxt.get("id"), ("steps", following, "id"))
                if isinstance(nxt, dict)
                else None
            )
        flow = self.flow(entry, path, ids, fallthrough)
        fee_kind: FeeKind = DEFAULT_FEE_KIND
        if entry.get("fee_kind") is not None:
            chosen = self.choose(
                entry["fee_kind"],
                (*path, "fee_kind"),
                (
                    N_("unknown fee kind {value}; did you mean {suggestion}?"),
                    N_("unknown fee kind {value}; valid: {choices}"),
                ),
                FEE_KINDS,
                "unknown-fee-kind",
            )
            if is_fee_kind(chosen):
                fee_kind = chosen
        phase = None
        if entry.get("phase") is not None:
            phase = self.ident(entry["phase"], (*path, "phase"), "phase")
            if phase is not None and phase not in self.phases_declared:
                self.unknown(
                    (*path, "phase"),
                    phase,
                    self.phases_declared,
                    (
                        N_("unknown phase '{phase}'; did you mean {suggestion}?"),
                        N_("unknown phase '{phase}'; valid: {choices}"),
                        N_("unknown phase '{phase}'; declare it under 'phases:'"),
                    ),
                    code="unknown-phase",
                    phase=phase,
                )
                phase = None
        travel = self.optional_duration(entry, "travel", path)
        queue = self.optional_duration(entry, "queue", path)
        basis = self.basis(entry.get("basis"), (*path, "basis"))
        if ident is None or actor is None or flow is None:
            return None
        return Step(
            id=ident,
            actor=actor,
            name=name or ident,
            channel=channel,
            work=work,
            wait=wait,
            fee=fee,
            needs=tuple(needs),
            produces=tuple(produces),
            next=flow,
            join=join,
            replaces=replaces,
            index=index,
            fee_kind=fee_kind,
            travel=travel,
            queue=queue,
            phase=phase,
            basis=basis,
            names=names,
        )

    def references(self, value: Any, path: PathParts, documents: dict[str, Document]) -> list[str]:
        out = []
        for i, ident in enumerate(self.id_list(value, path, "document")):
            if ident not in documents:
                where = (*path, i) if isinstance(value, list) else path
                self.unknown(
                    where,
                    ident,
                    documents,
                    (
                        N_("unknown document '{document}'; did you mean {suggestion}?"),
                        N_("unknown document '{document}'; valid: {choices}"),
                        N_("unknown document '{document}'; declare it under 'documents:'"),
                    ),
                    code="unknown-document",
                    document=ident,
                )
            elif ident not in out:
                out.append(ident)
        return out

    def target(self, value: Any, path: PathParts, ids: dict[str, int]) -> str | None:
        ident = self.ident(value, path, "step")
        if ident is None:
            return None
        if ident != END and ident not in ids:
            self.unknown(
                path,
                ident,
                [*ids, END],
                (
                    N_("unknown step '{step}'; did you mean {suggestion}?"),
                    N_("unknown step '{step}'; valid: {choices}"),
                ),
                code="unknown-step",
                step=ident,
            )
            return None
        return ident

    def flow(
        self, entry: dict[str, Any], path: PathParts, ids: dict[str, int], fallthrough: Any
    ) -> Flow | None:
        if "next" not in entry or entry["next"] is None:
            target = fallthrough if isinstance(fallthrough, str) else END
            return Flow("sequence", (Branch(target),), implicit=True)
        value = entry["next"]
        where: PathParts = (*path, "next")
        if isinstance(value, dict):
            return self.parallel(value, where, ids)
        if isinstance(value, list):
            return self.choice(value, where, ids)
        single = self.target(value, where, ids)
        return None if single is None else Flow("sequence", (Branch(single),))

    def parallel(self, value: dict[Any, Any], path: PathParts, ids: dict[str, int]) -> Flow | None:
        if set(value) != {"all"}:
            self.error(
                path,
                _(
                    "a mapping under 'next' is a parallel split written "
                    "{{all: [step, step, ...]}}; for a choice write a list of {{to, p, when}}"
                ).format(),
                code="invalid-parallel",
            )
            return None
        targets = value["all"]
        if not isinstance(targets, list) or not targets:
            self.error(
                (*path, "all"),
                _("a parallel split lists the step ids of its branches"),
                code="invalid-parallel",
            )
            return None
        branches: list[Branch] = []
        for i, item in enumerate(targets):
            target = self.target(item, (*path, "all", i), ids)
            if target == END:
                self.error(
                    (*path, "all", i),
                    _("a parallel branch cannot be 'end'; name a step"),
                    code="parallel-to-end",
                )
            elif target is not None and target in (b.to for b in branches):
                self.error(
                    (*path, "all", i),
                    _("step '{step}' is named twice in this parallel split").format(step=target),
                    code="duplicate-branch",
                )
            elif target is not None:
                branches.append(Branch(target))
        if len(branches) < len(targets):
            return None
        if len(branches) == 1:
            self.warn(
                path,
                _("a parallel split with one branch is a plain 'next'"),
                code="one-branch-parallel",
            )
        return Flow("parallel", tuple(branches))

    def choice(self, value: list[Any], path: PathParts, ids: dict[str, int]) -> Flow | None:
        if not value:
            self.error(
                path,
                _("an empty choice: list the branches as {{to, p, when}}").format(),
                code="empty-choice",
            )
            return None
        raw_branches: list[tuple[str, float | None, str | None, dict[str, str]]] = []
        ok = True
        for i, item in enumerate(value):
            where: PathParts = (*path, i)
            if isinstance(item, str):
                item = {"to": item}
            entry = self.mapping(item, where, _("a branch of a choice"))
            if entry is None:
                ok = False
                continue
            self.keys(entry, BRANCH_FIELDS, where, _("a branch"))
            target = self.target(entry["to"], (*where, "to"), ids) if "to" in entry else None
            p = None
            if entry.get("p") is not None:
                p = self.number(entry["p"], (*where, "p"), _("a probability"))
                if p is not None and p > 1:
                    self.error(
                        (*where, "p"),
                        _("a probability is between 0 and 1, not {value}").format(
                            value=number(p, "g")
                        ),
                        code="out-of-range",
                    )
                    p = None
                if p is None:
                    ok = False
            when, whens = (
                self.names(entry["when"], (*where, "when"))
                if entry.get("when") is not None
                else (None, {})
            )
            if target is None:
                ok = False
                continue
            raw_branches.append((target, p, when, whens))
        if not ok:
            return None
        given = sum(b[1] for b in raw_branches if b[1] is not None)
        missing = [b for b in raw_branches if b[1] is None]
        if not missing and abs(given - 1) > _PROBABILITY_TOLERANCE:
            self.error(
                path,
                _(
                    "the probabilities of this choice add up to {sum}, not 1; "
                    "correct the p of its branches"
                ).format(sum=number(given, ".6g")),
                code="probabilities-sum",
            )
            return None
        if missing and given > 1 + _PROBABILITY_TOLERANCE:
            self.error(
                path,
                _("the given probabilities already add up to {sum}, more than 1").format(
                    sum=number(given, ".6g")
                ),
                code="probabilities-sum",
            )
            return None
        share = (1 - given) / len(missing) if missing else 0.0
        return Flow(
            "choice",
            tuple(Branch(t, share if p is None else p, w, ws) for t, p, w, ws in raw_branches),
        )


#: The message of an id that breaks the format's pattern, for each kind of id.
_INVALID_ID: dict[str, str] = {
    "service": N_("{text} is not a valid service id: use letters, digits, '_' and '-' only"),
    "act": N_("{text} is not a valid act id: use letters, digits, '_' and '-' only"),
    "phase": N_("{text} is not a valid phase id: use letters, digits, '_' and '-' only"),
    "actor": N_("{text} is not a valid actor id: use letters, digits, '_' and '-' only"),
    "document": N_("{text} is not a valid document id: use letters, digits, '_' and '-' only"),
    "step": N_("{text} is not a valid step id: use letters, digits, '_' and '-' only"),
}
#: The message of a value where a list of ids belongs, for each kind of id.
_ID_LIST: dict[str, str] = {
    "step": N_("expected a list of step ids, not {kind}"),
    "document": N_("expected a list of document ids, not {kind}"),
}
_NOT_A_BOOLEAN = N_("{key} must be true or false, not {value}")
_UNKNOWN_ACTOR = (
    N_("unknown actor '{actor}'; did you mean {suggestion}?"),
    N_("unknown actor '{actor}'; valid: {choices}"),
    N_("unknown actor '{actor}'"),
)
_CLOSE, _VALID = "; did you mean ", "; valid: "
_MORE = re.compile(r", \.\.\. \((\d+) in all\)$")


def _hint(word: str, choices: Iterable[str]) -> tuple[str, str]:
    """What :func:`bpr.errors.did_you_mean` suggests, as ``("close", "'fund'")``,
    ``("valid", "a, b")`` or ``("", "")`` where there is no choice at all.

    >>> _hint("fnd", ["fund", "tax"]), _hint("x", ["fund", "tax"]), _hint("x", [])
    (('close', "'fund'"), ('valid', 'fund, tax'), ('', ''))
    """
    text = did_you_mean(word, choices)
    if text.startswith(_CLOSE):
        return "close", text[len(_CLOSE) : -1]
    if not text.startswith(_VALID):
        return "", ""
    listed = text[len(_VALID) :]
    more = _MORE.search(listed)
    if more:
        listed = _("{shown}, ... ({n} in all)").format(
            shown=listed[: more.start()], n=more.group(1)
        )
    return "valid", listed


def _kind(value: Any) -> str:
    """What a wrong value is, for a message: "a list", "the text 'x'", "nothing"."""
    if value is None:
        return _("nothing")
    if isinstance(value, bool):
        return f"'{str(value).lower()}'"
    if isinstance(value, dict):
        return _("a mapping")
    if isinstance(value, list):
        return _("a list")
    if isinstance(value, str):
        shown = value if len(value) <= 40 else value[:37] + "..."
        return _("the text {text}").format(text=repr(shown))
    if isinstance(value, int):
        return _("int {value}").format(value=repr(value))
    if isinstance(value, float):
        return _("float {value}").format(value=repr(value))
    return f"{type(value).__name__} {value!r}"
