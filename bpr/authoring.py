"""Helping analysts write models: starter files, the editor schema, and a live report preview."""

from __future__ import annotations

import os
import threading
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from bpr.core.schema import ID_PATTERN
from bpr.errors import BprError, OutputError
from bpr.files.jsonschema import schema_text
from bpr.files.output import atomic_write
from bpr.files.writer import Commented, model_text
from bpr.report import Collected, ReportResult, write_report

__all__ = [
    "SCHEMA_NAME",
    "InitResult",
    "RebuildResult",
    "init_service",
    "rebuild",
    "starter_files",
    "watch_models",
]

#: The file name ``bpr init`` gives the schema, in the folder that holds the service folders.
SCHEMA_NAME = "model.schema.json"


def _as_is(service: str, title: str) -> dict[str, object]:
    """The starter As-Is as data, with the comments that explain each part of the format."""
    c = Commented
    return {
        "bpr": 1,
        "service": service,
        "variant": "as-is",
        "name": f"{title} (As-Is)",
        "maturity": c(
            1, after="UN e-service maturity: 1 information, 2 forms, 3 transactional, 4 proactive"
        ),
        "volume": c(10000, after="cases per year (estimate): drives the yearly figures"),
        "currency": c("USD", after="currency of fees and tariff"),
        "tariff": c(5, after="value of one hour of the applicant's time, in the currency"),
        "staff_tariff": c(8, after="cost of one staff hour: prices the cost to government"),
        "travel": c("1h", after="the applicant's trip to an office, for each visit (estimate)"),
        "queue": c("30m", after="the applicant's wait at the office, for each visit (estimate)"),
        "sources": [
            "Where the facts come from: interviews, regulations, statistics, with their dates"
        ],
        "acts": c(
            {
                "procedure": {
                    "title": "Regulation on the procedure of the service (fill in its title)",
                    "kind": "regulation",
                },
            },
            after="the legal acts that impose steps, documents and fees; add number and date",
        ),
        "basis": c(["procedure"], after="the provisions the service stands on"),
        "actors": c(
            {
                "applicant": {"name": "Applicant", "kind": "applicant"},
                "front_office": {"name": "Front office", "agency": "Service agency"},
                "back_office": {"name": "Back office", "agency": "Service agency"},
                "registry": c(
                    {"name": "Registry office", "agency": "Registry agency", "registry": False},
                    after="registry: can other agencies query its register? (once-only needs it)",
                ),
            },
            after="who performs steps; kind applicant is the citizen or business, system an "
            "information system",
        ),
        "documents": c(
            {
                "id_card": c(
                    {"name": "Identity card", "kind": "identity"}, after="the applicant brings it"
                ),
                "certificate": c(
                    {"name": "Registry certificate", "issuer": "registry"},
                    after="fetched from another office",
                ),
                "decision": {"name": "Decision", "issuer": "back_office", "kind": "decision"},
            },
            after="what steps need and produce; kind: certificate, form, receipt, identity, ...",
        ),
        "steps": c(
            [
                {
                    "id": "get_certificate",
                    "name": "Obtain the registry certificate",
                    "actor": "registry",
                    "channel": c(
                        "in-person", after="in-person, online, phone, post, automatic or internal"
                    ),
                    "work": c("30m", after="hands-on time of the actor"),
                    "wait": c("3d", after="elapsed time the case waits here"),
                    "fee": c(10, after="money the applicant pays here"),
                    "fee_kind": c("duty", after="duty (state duty, tax) or charge (a price)"),
                    "basis": c(["procedure"], after="the provision that imposes this step"),
                    "needs": ["id_card"],
                    "produces": ["certificate"],
                },
                {
                    "id": "apply",
                    "name": "Submit the application at the front office",
                    "actor": "front_office",
                    "channel": "in-person",
                    "work": "30m",
                    "wait": "1d",
                    "needs": ["id_card", "certificate"],
                },
                {
                    "id": "examine",
                    "name": "Examine the application",
                    "actor": "back_office",
                    "work": "1h",
                    "wait": "5d",
                    "next": c(
                        [
                            {"to": "decide", "p": 0.8, "when": "complete"},
                            c(
                                {"to": "apply", "p": 0.2, "when": "incomplete"},
                                after="a rework loop back to an earlier step",
                            ),
                        ],
                        after="a choice: one branch is taken; the p add up to 1",
                    ),
                },
                {
                    "id": "decide",
                    "name": "Decide and sign",
                    "actor": "back_office",
                    "work": "30m",
                    "wait": "2d",
                    "produces": ["decision"],
                },
                {
                    "id": "collect",
                    "name": "Collect the decision at the front office",
                    "actor": "front_office",
                    "channel": "in-person",
                    "work": "15m",
                    "wait": "1d",
                    "next": "end",
                },
            ],
            after="in order: a case starts at the first and goes on to the next",
        ),
    }


def _to_be(service: str, title: str) -> dict[str, object]:
    """The starter To-Be as data: the As-Is redesigned, with comments on what changed."""
    c = Commented
    return {
        "bpr": 1,
        "service": service,
        "variant": c("to-be", after="or a label such as to-be-2030 for a second To-Be"),
        "name": f"{title} (To-Be)",
        "maturity": 3,
        "volume": 10000,
        "currency": "USD",
        "tariff": 5,
        "staff_tariff": 8,
        "uptake": c(0.5, after="share of cases that will use the To-Be in its first year"),
        "sources": ["Which decision or plan the redesign follows"],
        "actors": {
            "applicant": {"name": "Applicant", "kind": "applicant"},
            "back_office": {"name": "Back office", "agency": "Service agency"},
            "registry": {"name": "Registry office", "agency": "Registry agency", "registry": True},
            "portal": c(
                {"name": "E-government portal", "kind": "system"},
                after="an information system: its steps are automation, not staff time",
            ),
        },
        "documents": {
            "id_card": {"name": "Identity card"},
            "certificate": c(
                {"name": "Registry certificate", "issuer": "registry", "exchange": True},
                ("exchange: true - the agency pulls it from the issuer's registry (once-only)",),
            ),
            "decision": {"name": "Decision", "issuer": "back_office"},
        },
        "steps": [
            {
                "id": "apply_online",
                "name": "Apply online",
                "actor": "applicant",
                "channel": "online",
                "work": "20m",
                "needs": ["id_card", "certificate"],
                "replaces": ["get_certificate", "apply"],
            },
            {
                "id": "examine",
                "name": "Examine the application",
                "actor": "back_office",
                "work": "45m",
                "wait": "2d",
                "next": [
                    {"to": "decide", "p": 0.95, "when": "complete"},
                    {"to": "apply_online", "p": 0.05, "when": "incomplete"},
                ],
            },
            {
                "id": "decide",
                "name": "Decide and sign electronically",
                "actor": "back_office",
                "work": "30m",
                "wait": "1d",
                "produces": ["decision"],
            },
            {
                "id": "notify",
                "name": "Send the decision to the applicant's online account",
                "actor": "portal",
                "channel": "automatic",
                "replaces": ["collect"],
            },
        ],
    }


@dataclass
class InitResult:
    """What ``bpr init`` wrote, and what it left alone and why."""

    written: list[Path] = field(default_factory=list)
    kept: list[str] = field(default_factory=list)


def _title(service: str) -> str:
    words = service.replace("_", " ").replace("-", " ").split()
    text = " ".join(words)
    return text[:1].upper() + text[1:]


def starter_files(
    service: str,
    *,
    title: str | None = None,
    schema: str = f"../{SCHEMA_NAME}",
    folder: str | None = None,
) -> dict[str, str]:
    """The text of a commented As-Is/To-Be pair for ``service``, by file name.

    ``schema`` is what the ``# yaml-language-server: $schema=`` line points to: a path
    relative to the file, or an address.

    >>> import bpr
    >>> files = starter_files("birth-registration")
    >>> sorted(files)
    ['as-is.yaml', 'to-be.yaml']
    >>> bpr.loads(files["to-be.yaml"]).variant
    'to-be'
    """
    if not ID_PATTERN.fullmatch(service):
        raise BprError(
            f"'{service}' is not a valid service id: use letters, digits, '_' and '-' only "
            "(such as birth-registration)"
        )
    name = title or _title(service)
    where = folder or service
    schema_line = f"yaml-language-server: $schema={schema}"
    as_is_header = [
        schema_line,
        "",
        f'As-Is of the service "{service}": the procedure as it works today, step by step.',
        "This is a starting point: replace the example actors, documents and steps with what you",
        "observe, and note under `sources` where each fact comes from. Check the file on every",
        "save:",
        f"    bpr validate {where}",
        f"    bpr metrics {where}/as-is.yaml",
        "Durations are a number and a unit: 30m, 2h, 5d, 1w (or a range such as 2d..5d).",
    ]
    to_be_header = [
        schema_line,
        "",
        f'To-Be of the service "{service}": the redesigned procedure. Steps keep their As-Is',
        "ids where they stay; a new step names the As-Is steps it takes the place of under",
        "`replaces`. Compare it with the As-Is:",
        f"    bpr diff {where}/as-is.yaml {where}/to-be.yaml",
        f"    bpr report {where} -o report.html",
    ]
    # One writer for every model bpr writes: an id such as "off" or "007" stays text, and
    # what goes into a comment stays on its line whatever it holds.
    return {
        "as-is.yaml": model_text(_as_is(service, name), as_is_header, comment_column=24),
        "to-be.yaml": model_text(_to_be(service, name), to_be_header, comment_column=24),
    }


def init_service(
    service: str,
    directory: str | os.PathLike[str] = ".",
    *,
    force: bool = False,
    title: str | None = None,
    schema: str | None = None,
) -> InitResult:
    """Write ``DIRECTORY/SERVICE/as-is.yaml`` and ``to-be.yaml``, and the schema beside them.

    Existing model files are refused unless ``force``. Unless ``schema`` names another schema
    (a path or an address for the editor), ``DIRECTORY/model.schema.json`` is written where it
    is missing, and refreshed where it differs only with ``force``.
    """
    base = Path(directory)
    folder = base / service
    ref = schema or f"../{SCHEMA_NAME}"
    files = starter_files(service, title=title, schema=ref, folder=str(folder))
    targets = [folder / name for name in files]
    existing = [str(t) for t in targets if t.exists()]
    if existing and not force:
        raise OutputError(
            f"{', '.join(existing)} already exist{'s' if len(existing) == 1 else ''}; "
            "choose another service or --dir, or pass --force to overwrite"
        )
    if base.exists() and not base.is_dir():
        raise OutputError(f"{base} is a file, not a folder; choose another --dir")
    if folder.exists() and not folder.is_dir():
        raise OutputError(
            f"{folder} is a file, not a folder for the service's models; move it, or choose "
            "another service or --dir"
        )
    try:
        folder.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise OutputError(f"{folder}: cannot make the folder: {exc.strerror or exc}") from None
    result = InitResult()
    for target, text in zip(targets, files.values(), strict=True):
        result.written.append(atomic_write(target, text))
    if schema is None:
        schema_path = base / SCHEMA_NAME
        wanted = schema_text()
        if not schema_path.exists() or force:
            result.written.append(atomic_write(schema_path, wanted))
        elif schema_path.read_text(encoding="utf-8") != wanted:
            result.kept.append(
                f"{schema_path} differs from this release's schema and was kept; refresh it "
                f"with: bpr schema -o {schema_path}"
            )
    return result


# -- live preview -------------------------------------------------------------------------


@dataclass
class RebuildResult:
    """One rebuild of the report: what was written, or the error that stopped it."""

    output: Path
    report: ReportResult | None = None
    error: BprError | None = None

    @property
    def ok(self) -> bool:
        return self.error is None

    def summary(self) -> str:
        if self.error is not None:
            return f"not rebuilt: {self.error}"
        assert self.report is not None
        return self.report.summary()


def rebuild(
    paths: Sequence[str | os.PathLike[str]],
    output: str | os.PathLike[str],
    *,
    refresh: int = 0,
    memo: Collected | None = None,
) -> RebuildResult:
    """Build the report of ``paths`` into ``output`` once; errors are returned, not raised.

    ``refresh`` (seconds, HTML only) makes the page reload itself, for a live preview;
    ``memo`` carries the models and comparisons of the last build, so that only the files
    that changed are read again (the diagrams of the others come from the diagram cache).
    """
    target = Path(output)
    try:
        report = write_report(paths, target, refresh=refresh, memo=memo)
    except BprError as exc:
        return RebuildResult(target, error=exc)
    return RebuildResult(target, report=report)


def _watched(
    paths: Sequence[str | os.PathLike[str]],
) -> tuple[list[Path], Callable[[object, str], bool]]:
    """Folders to watch, and a filter that lets model files under ``paths`` through.

    A file is watched through its folder: editors that save by writing a new file and renaming
    it over the old one would otherwise end the watch.
    """
    folders: dict[Path, None] = {}
    files: set[Path] = set()
    trees: list[Path] = []
    for entry in paths:
        path = Path(entry).resolve()
        if path.is_dir():
            trees.append(path)
            folders.setdefault(path, None)
        else:
            files.add(path)
            folders.setdefault(path.parent, None)

    def accept(_change: object, changed: str) -> bool:
        path = Path(changed)
        if path.name.startswith(".") or path.suffix not in (".yaml", ".yml"):
            return False
        return path in files or any(tree in path.parents for tree in trees)

    return list(folders), accept


def watch_models(
    paths: Sequence[str | os.PathLike[str]],
    output: str | os.PathLike[str],
    *,
    refresh: int = 2,
    on_rebuild: Callable[[RebuildResult, Iterable[str]], None] | None = None,
    stop_event: threading.Event | None = None,
    debounce_ms: int = 400,
) -> int:
    """Rebuild the report whenever a model file under ``paths`` changes, until stopped.

    Builds once at the start; calls ``on_rebuild(result, changed_files)`` after each build.
    Stops when ``stop_event`` is set or on Ctrl-C; returns the number of builds. Each
    rebuild reads, measures, lints and compares again only the files that changed, and
    draws only their diagrams (on every core); the rest is taken from the last build.
    """
    import watchfiles

    memo = Collected()

    def build(changed: Iterable[str]) -> None:
        result = rebuild(paths, output, refresh=refresh, memo=memo)
        if on_rebuild is not None:
            on_rebuild(result, changed)

    folders, accept = _watched(paths)
    builds = 0
    try:  # Ctrl-C is how a watch ends, whether it comes mid-build or while waiting
        build([])
        builds += 1
        for changes in watchfiles.watch(
            *folders,
            watch_filter=accept,
            debounce=debounce_ms,
            stop_event=stop_event,
            raise_interrupt=True,
        ):
            build(sorted({path for _, path in changes}))
            builds += 1
    except KeyboardInterrupt:
        pass
    return builds
