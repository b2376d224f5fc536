"""What the commands share: loading many files, printing problems, writing JSON."""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable, Sequence
from pathlib import Path
from typing import Any

import click

from bpr.core import i18n
from bpr.core.i18n import N_, domain
from bpr.core.model import Model
from bpr.core.text import for_terminal
from bpr.core.vocab import LANGUAGES
from bpr.errors import ModelError, Problem, UsageError
from bpr.files.finder import find_models
from bpr.files.load import load
from bpr.files.output import STDOUT

__all__ = [
    "echo_json",
    "echo_problems",
    "lang_option",
    "load_models",
    "model_paths",
    "output_option",
    "problem_line",
]

_ = domain("validate").gettext
#: A problem line per severity: ``{where}`` is FILE or FILE:LINE:COL, ``{inside}`` the place
#: in the model followed by ": " (or nothing), as :class:`bpr.errors.Problem` writes them.
_PROBLEM_LINES = {
    # TRANSLATORS: keep {where} first: editors and CI jump to FILE:LINE:COL at the start
    "error": N_("{where}: error: {inside}{message}"),
    # TRANSLATORS: keep {where} first: editors and CI jump to FILE:LINE:COL at the start
    "warning": N_("{where}: warning: {inside}{message}"),
}


def output_option(
    help: str, *, required: bool = True, allow_dash: bool = False
) -> Callable[[Callable[..., Any]], Callable[..., Any]]:
    """The ``-o/--output FILE`` option of the commands that write a file.

    With ``allow_dash``, ``-o -`` is standard output (for formats that are text); without it
    ``-`` is refused instead of becoming a file named ``-``. Devices, FIFOs and links are
    written through, and a missing folder is created (see :mod:`bpr.files.output`).
    """

    def refuse_dash(ctx: click.Context, param: click.Parameter, value: str | None) -> str | None:
        if value == STDOUT and not allow_dash:
            raise click.BadParameter(
                "this command cannot write to standard output (-); name a file "
                "(./- for a file named -)",
                ctx=ctx,
                param=param,
            )
        return value

    return click.option(
        "-o",
        "--output",
        required=required,
        type=click.Path(dir_okay=False, allow_dash=allow_dash),
        callback=refuse_dash,
        help=help,
    )


def lang_option(command: Callable[..., Any]) -> Callable[..., Any]:
    """The ``--lang L`` option of every command that writes words: the language of bpr's own
    words and of the models' names (default: ``BPR_LANG``, then the locale, then English)."""

    def chosen(ctx: click.Context, param: click.Parameter, value: str | None) -> str:
        before = i18n.chosen()
        try:
            lang = i18n.choose(value)
        except UsageError as exc:
            raise click.BadParameter(str(exc), ctx=ctx, param=param) from None
        # a command run inside a process that goes on (tests, bpr's API callers) leaves the
        # language as it found it
        ctx.call_on_close(lambda: i18n.restore(before))
        return lang

    return click.option(
        "--lang",
        metavar="L",
        default=None,
        is_eager=True,
        expose_value=False,
        callback=chosen,
        help=f"Language of the output: {', '.join(LANGUAGES)} (default: BPR_LANG, then the "
        "locale, then en).",
    )(command)


def model_paths(paths: Sequence[str]) -> list[Path]:
    """The model files named on the command line; a folder with none is a usage error."""
    found = list(find_models(paths))
    if not found:
        raise click.UsageError(
            f"no *.yaml or *.yml files in {', '.join(paths)}; name model files or folders"
        )
    return found


def problem_line(problem: Problem) -> str:
    """A problem as one line for the terminal: the model text in it cannot steer the terminal.

    >>> from bpr.errors import Problem
    >>> problem_line(Problem("unknown key '\\x1b[2J'", "m.yaml", 3, 1))
    "m.yaml:3:1: error: unknown key '\\\\x1b[2J'"
    """
    template = _PROBLEM_LINES.get(problem.severity)
    if template is None:  # pragma: no cover - every severity has its line
        return for_terminal(str(problem))
    where = problem.file + (f":{problem.line}:{problem.column or 1}" if problem.line else "")
    inside = f"{problem.path}: " if problem.path else ""
    line = _(template).format(where=where, inside=inside, message=problem.message)
    return for_terminal(line)


def echo_problems(problems: Iterable[Problem]) -> None:
    """Print problems on standard error, one line each (see :func:`problem_line`)."""
    for problem in problems:
        click.echo(problem_line(problem), err=True)


def load_models(
    paths: Sequence[str], *, warnings: bool = True
) -> tuple[list[Model], list[ModelError]]:
    """Load every model among ``paths``, printing the problems of those that fail."""
    models, failures = [], []
    for path in model_paths(paths):
        try:
            model = load(path)
        except ModelError as exc:
            echo_problems(exc.problems)
            failures.append(exc)
            continue
        if warnings:
            echo_problems(model.warnings)
        models.append(model)
    return models, failures


def echo_json(data: Any) -> None:
    """Print JSON as the contract shows it: UTF-8 text, two-space indent, keys in order."""
    click.echo(json.dumps(data, indent=2, ensure_ascii=False))
