"""Reading model files: parse, check every rule of the format at once, build the Model."""

from __future__ import annotations

import math
import os
import stat
from typing import Any

from bpr.core._gc import gc_paused
from bpr.core.durations import ZERO, Duration, DurationError, parse_duration
from bpr.core.flow import check_flow
from bpr.core.model import END, Actor, Branch, Document, Flow, Model, Step
from bpr.core.schema import (
    ACTOR_FIELDS,
    BRANCH_FIELDS,
    DOCUMENT_FIELDS,
    FORMAT_VERSION,
    ID_PATTERN,
    LINT_FIELDS,
    STEP_FIELDS,
    TOP_FIELDS,
    is_extension_key,
)
from bpr.core.vocab import (
    ACTOR_KINDS,
    CHANNELS,
    DEFAULT_ACTOR_KIND,
    DEFAULT_CHANNEL,
    ActorKind,
    Channel,
    is_actor_kind,
    is_channel,
)
from bpr.errors import ModelError, Problem, did_you_mean
from bpr.files.yamlsource import SourceMap, parse_yaml

__all__ = ["load", "loads"]

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
            [Problem("no such file; check the path", name, code="file-not-found")]
        ) from None
    except IsADirectoryError:
        raise ModelError(
            [
                Problem(
                    "this is a folder; name a model file, or use a command that takes folders",
                    name,
                    code="is-a-folder",
                )
            ]
        ) from None
    except _NotRegular:
        raise ModelError(
            [
                Problem(
                    "this is not a regular file (a FIFO, device or socket); name a model file",
                    name,
                    code="not-a-file",
                )
            ]
        ) from None
    except OSError as exc:
        raise ModelError(
            [Problem(f"cannot read the file: {exc.strerror}", name, code="unreadable-file")]
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

    # -- reporting -------------------------------------------------------------------------

    def error(self, path: PathParts, message: str, *, code: str, key: bool = False) -> None:
        """Report an error of the kind ``code`` (see docs/format.md) at ``path``."""
        self.problems.append(self.source.problem(path, message, key=key, code=code))

    def warn(self, path: PathParts, message: str, *, code: str) -> None:
        self.problems.append(self.source.problem(path, message, severity="warning", code=code))

    # -- typed readers: each returns None (after reporting) when the value is wrong ------------

    def mapping(self, value: Any, path: PathParts, what: str) -> dict[Any, Any] | None:
        if isinstance(value, dict):
            return value
        self.error(
            path,
            f"{what} must be a mapping of keys and values, not {_kind(value)}",
            code="wrong-type",
        )
        return None

    def keys(
        self, value: dict[Any, Any], fields: dict[str, tuple[bool, str]], path: PathParts, what: str
    ) -> None:
        for key in value:
            if key in fields or is_extension_key(key):
                continue
            self.error(
                (*path, key),
                f"unknown key {key!r} in {what}{did_you_mean(str(key), fields)}",
                key=True,
                code="unknown-key",
            )
        for key, (required, _) in fields.items():
            if required and key not in value:
                self.error(path, f"{what} needs the key '{key}'", code="missing-key")

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
            self.error(path, "expected text, found nothing", code="missing-value")
            return None
        self.error(path, f"expected text, not {_kind(value)}", code="wrong-type")
        return None

    def ident(self, value: Any, path: PathParts, what: str) -> str | None:
        text = self.text(value, path)
        if text is None:
            return None
        if not ID_PATTERN.fullmatch(text):
            self.error(
                path,
                f"{text!r} is not a valid {what} id: use letters, digits, '_' and '-' only",
                code="invalid-id",
            )
            return None
        return text

    def number(
        self, value: Any, path: PathParts, what: str, *, minimum: float = 0.0
    ) -> float | None:
        if isinstance(value, bool) or not isinstance(value, int | float):
            self.error(path, f"{what} must be a number, not {_kind(value)}", code="not-a-number")
            return None
        try:
            number = float(value)
        except OverflowError:  # an integer of hundreds of digits
            self.error(
                path,
                f"{what} is too large a number to compute with (over 1e308); "
                "check the number of digits",
                code="number-too-large",
            )
            return None
        if math.isnan(number):
            self.error(path, f"{what} must be a number, not {_kind(value)}", code="not-a-number")
            return None
        if math.isinf(number) or number < minimum:
            self.error(
                path,
                f"{what} must be a finite number of at least {minimum:g}, not {value}",
                code="out-of-range",
            )
            return None
        return number

    def id_list(self, value: Any, path: PathParts, what: str) -> list[str]:
        if value is None:
            return []
        single = self.written(value, path)  # one id instead of a list: 'needs: passport'
        if single is not None:
            ident = self.ident(single, path, what)
            return [] if ident is None else [ident]
        if not isinstance(value, list):
            self.error(
                path, f"expected a list of {what} ids, not {_kind(value)}", code="wrong-type"
            )
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

    # -- the model -------------------------------------------------------------------------

    def build(self) -> Model:
        raw = self.raw
        if not isinstance(raw, dict):
            self.error(
                (),
                f"a model is a mapping with the keys bpr, service, variant, actors and steps, "
                f"not {_kind(raw)}",
                code="wrong-type",
            )
            raise ModelError(self.problems)
        self.keys(raw, TOP_FIELDS, (), "the model")

        version = raw.get("bpr")
        if "bpr" in raw and (isinstance(version, bool) or version != FORMAT_VERSION):
            self.error(
                ("bpr",),
                f"format version {version!r} is not supported; this release reads 'bpr: 1'",
                code="unsupported-version",
            )
        service = self.ident(raw["service"], ("service",), "service") if "service" in raw else None
        variant = self.text(raw["variant"], ("variant",)) if "variant" in raw else None
        if variant is not None and not variant.strip():
            self.error(
                ("variant",),
                "the variant is empty; write as-is, to-be or a label",
                code="empty-variant",
            )
        name = self.text(raw["name"], ("name",)) if raw.get("name") is not None else None
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

        actors = self.actors(raw.get("actors"))
        documents = self.documents(raw.get("documents"), actors)
        steps = self.steps(raw.get("steps"), actors, documents)

        if any(p.is_error for p in self.problems) or service is None or variant is None:
            raise ModelError(self.problems)
        if not steps:  # pragma: no cover - every way to lose all steps reports an error
            raise ModelError(
                [
                    self.source.problem(
                        ("steps",), "a model needs at least one step", code="no-steps"
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
        )
        self.problems.extend(check_flow(model))
        if any(p.is_error for p in self.problems):
            raise ModelError(self.problems)
        model.warnings = [p for p in self.problems if not p.is_error]
        self.source.release()
        return model

    def maturity(self, raw: dict[str, Any]) -> int | None:
        value = raw.get("maturity")
        if value is None:
            return None
        if isinstance(value, bool) or not isinstance(value, int) or not 1 <= value <= 4:
            self.error(
                ("maturity",),
                f"maturity must be a UN e-service maturity stage 1, 2, 3 or 4, not {value!r} "
                "(1 information, 2 downloadable forms, 3 transactional, 4 proactive)",
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
                f"sources must be a list of text, not {_kind(value)}",
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
                        "an ignored rule is a rule id or {rule: ID, reason: TEXT}",
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
                    "actors is empty; a model needs at least one actor",
                    code="no-actors",
                )
            return {}
        table = self.mapping(value, ("actors",), "actors")
        if table is None:
            return {}
        if not table:
            self.error(("actors",), "a model needs at least one actor", code="no-actors")
        actors: dict[str, Actor] = {}
        for key, body in table.items():
            path: PathParts = ("actors", key)
            ident = self.ident(key, path, "actor")
            entry = self.mapping(body, path, f"actor {key!r}")
            if ident is None or entry is None:
                continue
            self.keys(entry, ACTOR_FIELDS, path, f"actor '{ident}'")
            name = self.text(entry["name"], (*path, "name")) if "name" in entry else ident
            written = entry.get("kind", DEFAULT_ACTOR_KIND)
            kind: ActorKind = DEFAULT_ACTOR_KIND
            if is_actor_kind(written):
                kind = written
            else:
                self.error(
                    (*path, "kind"),
                    f"unknown actor kind {written!r}{did_you_mean(str(written), ACTOR_KINDS)}",
                    code="unknown-actor-kind",
                )
            agency = (
                self.text(entry["agency"], (*path, "agency"))
                if entry.get("agency") is not None
                else None
            )
            actors[ident] = Actor(ident, name or ident, kind, agency)
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
            entry = self.mapping(body, path, f"document {key!r}")
            if ident is None or entry is None:
                continue
            self.keys(entry, DOCUMENT_FIELDS, path, f"document '{ident}'")
            name = self.text(entry["name"], (*path, "name")) if "name" in entry else ident
            issuer = None
            if entry.get("issuer") is not None:
                issuer = self.ident(entry["issuer"], (*path, "issuer"), "actor")
                if issuer is not None and issuer not in actors:
                    self.error(
                        (*path, "issuer"),
                        f"unknown actor '{issuer}'{did_you_mean(issuer, actors)}",
                        code="unknown-actor",
                    )
            exchange = entry.get("exchange", False)
            if not isinstance(exchange, bool):
                self.error(
                    (*path, "exchange"),
                    f"exchange must be true or false, not {exchange!r}",
                    code="not-a-boolean",
                )
                exchange = False
            if exchange and issuer is None:
                self.error(
                    (*path, "exchange"),
                    "a document pulled by data exchange needs an 'issuer': the actor whose "
                    "registry holds it",
                    code="exchange-without-issuer",
                )
            documents[ident] = Document(ident, name or ident, issuer, exchange)
        return documents

    def steps(
        self, value: Any, actors: dict[str, Actor], documents: dict[str, Document]
    ) -> list[Step]:
        if value is None:
            if "steps" in self.raw:
                self.error(
                    ("steps",), "steps is empty; a model needs at least one step", code="no-steps"
                )
            return []
        if not isinstance(value, list):
            self.error(
                ("steps",), f"steps must be a list of steps, not {_kind(value)}", code="wrong-type"
            )
            return []
        if not value:
            self.error(("steps",), "a model needs at least one step", code="no-steps")
            return []
        ids: dict[str, int] = {}
        for i, body in enumerate(value):
            if isinstance(body, dict) and "id" in body:
                ident = self.written(body["id"], ("steps", i, "id"))
                if isinstance(ident, str) and ident in ids:
                    self.error(
                        ("steps", i, "id"),
                        f"duplicate step id {ident!r}: steps[{ids[ident]}] has it too; "
                        "give each step its own id",
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
        entry = self.mapping(body, path, "a step")
        if entry is None:
            return None
        self.keys(entry, STEP_FIELDS, path, "a step")
        ident = self.ident(entry["id"], (*path, "id"), "step") if "id" in entry else None
        if ident == END:
            self.error(
                (*path, "id"),
                "'end' is reserved for the end of a case; rename the step",
                code="reserved-id",
            )
        actor = None
        if "actor" in entry:
            actor = self.ident(entry["actor"], (*path, "actor"), "actor")
            if actor is not None and actor not in actors:
                self.error(
                    (*path, "actor"),
                    f"unknown actor '{actor}'{did_you_mean(actor, actors)}",
                    code="unknown-actor",
                )
                actor = None
        name = self.text(entry["name"], (*path, "name")) if entry.get("name") is not None else None
        written = entry.get("channel", DEFAULT_CHANNEL)
        channel: Channel = DEFAULT_CHANNEL
        if is_channel(written):
            channel = written
        else:
            self.error(
                (*path, "channel"),
                f"unknown channel {written!r}{did_you_mean(str(written), CHANNELS)}",
                code="unknown-channel",
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
            self.error(
                (*path, "join"), f"join takes the value 'all', not {join!r}", code="invalid-join"
            )
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
        )

    def references(self, value: Any, path: PathParts, documents: dict[str, Document]) -> list[str]:
        out = []
        for i, ident in enumerate(self.id_list(value, path, "document")):
            if ident not in documents:
                where = (*path, i) if isinstance(value, list) else path
                self.error(
                    where,
                    f"unknown document '{ident}'{did_you_mean(ident, documents)}"
                    + ("" if documents else "; declare it under 'documents:'"),
                    code="unknown-document",
                )
            elif ident not in out:
                out.append(ident)
        return out

    def target(self, value: Any, path: PathParts, ids: dict[str, int]) -> str | None:
        ident = self.ident(value, path, "step")
        if ident is None:
            return None
        if ident != END and ident not in ids:
            self.error(
                path,
                f"unknown step '{ident}'{did_you_mean(ident, [*ids, END])}",
                code="unknown-step",
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
                "a mapping under 'next' is a parallel split written {all: [step, step, ...]}; "
                "for a choice write a list of {to, p, when}",
                code="invalid-parallel",
            )
            return None
        targets = value["all"]
        if not isinstance(targets, list) or not targets:
            self.error(
                (*path, "all"),
                "a parallel split lists the step ids of its branches",
                code="invalid-parallel",
            )
            return None
        branches: list[Branch] = []
        for i, item in enumerate(targets):
            target = self.target(item, (*path, "all", i), ids)
            if target == END:
                self.error(
                    (*path, "all", i),
                    "a parallel branch cannot be 'end'; name a step",
                    code="parallel-to-end",
                )
            elif target is not None and target in (b.to for b in branches):
                self.error(
                    (*path, "all", i),
                    f"step '{target}' is named twice in this parallel split",
                    code="duplicate-branch",
                )
            elif target is not None:
                branches.append(Branch(target))
        if len(branches) < len(targets):
            return None
        if len(branches) == 1:
            self.warn(
                path,
                "a parallel split with one branch is a plain 'next'",
                code="one-branch-parallel",
            )
        return Flow("parallel", tuple(branches))

    def choice(self, value: list[Any], path: PathParts, ids: dict[str, int]) -> Flow | None:
        if not value:
            self.error(
                path, "an empty choice: list the branches as {to, p, when}", code="empty-choice"
            )
            return None
        raw_branches: list[tuple[str, float | None, str | None]] = []
        ok = True
        for i, item in enumerate(value):
            where: PathParts = (*path, i)
            if isinstance(item, str):
                item = {"to": item}
            entry = self.mapping(item, where, "a branch of a choice")
            if entry is None:
                ok = False
                continue
            self.keys(entry, BRANCH_FIELDS, where, "a branch")
            target = self.target(entry["to"], (*where, "to"), ids) if "to" in entry else None
            p = None
            if entry.get("p") is not None:
                p = self.number(entry["p"], (*where, "p"), "a probability")
                if p is not None and p > 1:
                    self.error(
                        (*where, "p"),
                        f"a probability is between 0 and 1, not {p:g}",
                        code="out-of-range",
                    )
                    p = None
                if p is None:
                    ok = False
            when = (
                self.text(entry["when"], (*where, "when"))
                if entry.get("when") is not None
                else None
            )
            if target is None:
                ok = False
                continue
            raw_branches.append((target, p, when))
        if not ok:
            return None
        given = sum(p for _, p, _ in raw_branches if p is not None)
        missing = [b for b in raw_branches if b[1] is None]
        if not missing and abs(given - 1) > _PROBABILITY_TOLERANCE:
            self.error(
                path,
                f"the probabilities of this choice add up to {given:.6g}, not 1; "
                "correct the p of its branches",
                code="probabilities-sum",
            )
            return None
        if missing and given > 1 + _PROBABILITY_TOLERANCE:
            self.error(
                path,
                f"the given probabilities already add up to {given:.6g}, more than 1",
                code="probabilities-sum",
            )
            return None
        share = (1 - given) / len(missing) if missing else 0.0
        return Flow(
            "choice",
            tuple(Branch(t, share if p is None else p, w) for t, p, w in raw_branches),
        )


def _kind(value: Any) -> str:
    if value is None:
        return "nothing"
    if isinstance(value, bool):
        return f"'{str(value).lower()}'"
    if isinstance(value, dict):
        return "a mapping"
    if isinstance(value, list):
        return "a list"
    if isinstance(value, str):
        shown = value if len(value) <= 40 else value[:37] + "..."
        return f"the text {shown!r}"
    return f"{type(value).__name__} {value!r}"
