"""``bpr lint``: redesign opportunities in a model, each with what it would save."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import click

from bpr.cli._common import echo_json, lang_option, load_models, model_paths, output_option
from bpr.core.i18n import domain
from bpr.core.text import for_terminal
from bpr.files.output import atomic_write
from bpr.lint import (
    DEFAULT_MIN_GAIN,
    DEFAULT_REWORK_THRESHOLD,
    RULES,
    SEVERITIES,
    Draft,
    Finding,
    LintResult,
    build_draft,
    lint_result,
)
from bpr.lint.lines import draft_note, result_lines, rule_lines, summary

__all__ = ["lint"]

_ = domain("measures").gettext


@click.command()
@lang_option
@click.argument("paths", nargs=-1, type=click.Path(exists=True))
@click.option(
    "--json", "as_json", is_flag=True, help="Print JSON: one object, an array for several files."
)
@click.option(
    "--severity",
    type=click.Choice(SEVERITIES),
    default="info",
    show_default=True,
    help="The least serious finding that makes the exit status 1.",
)
@click.option(
    "--rework-threshold",
    type=click.FloatRange(0, 1, min_open=True),
    default=DEFAULT_REWORK_THRESHOLD,
    show_default=True,
    help="Share of cases from which a loop back counts as rework.",
)
@click.option(
    "--min-gain",
    type=click.FloatRange(0, 1),
    default=DEFAULT_MIN_GAIN,
    show_default=True,
    help="Share (0.01 = 1%) of the lead time, applicant hours, work or applicant's cost below "
    "which a gain is not reported (a visit, certificate, step or document less always is); "
    "0 reports every gain.",
)
@click.option(
    "--fix-draft",
    is_flag=True,
    help="Write a draft To-Be with the safe suggestions applied (one model file; give -o).",
)
@output_option("The file --fix-draft writes (never the model itself).", required=False)
@click.option("--rules", "list_rules", is_flag=True, help="List the rules and exit.")
def lint(
    paths: tuple[str, ...],
    as_json: bool,
    severity: str,
    rework_threshold: float,
    min_gain: float,
    fix_draft: bool,
    output: str | None,
    list_rules: bool,
) -> int:
    """Point at redesign opportunities in models, with the gain of each.

    PATHS are model files or folders. Each finding is printed as FILE:LINE: RULE: MESSAGE with
    the measures it would change (visits, applicant hours, days, burden per case). A file
    switches rules off with `lint: {ignore: [{rule: ID, reason: WHY}]}`.

    Exit status: 0 with no findings, 1 with findings at least as serious as --severity (or an
    invalid file), 2 on wrong usage. With --fix-draft the status is 0 once the draft is written.
    """
    if list_rules:
        _print_rules(as_json)
        return 0
    if not paths:
        raise click.UsageError(_("name a model file or folder (or use --rules to list the rules)"))
    if output is not None and not fix_draft:
        raise click.UsageError(_("-o/--output names the draft To-Be; use it with --fix-draft"))
    if fix_draft:
        if output is None:
            raise click.UsageError(_("--fix-draft needs -o FILE: where to write the draft To-Be"))
        if len(model_paths(paths)) != 1:
            raise click.UsageError(_("--fix-draft takes one model file"))
    models, failures = load_models(paths)
    results = [lint_result(m, rework_threshold=rework_threshold, min_gain=min_gain) for m in models]
    draft = None
    if fix_draft and results:
        assert output is not None
        result = results[0]
        draft = build_draft(result.model, result.findings)
        atomic_write(output, draft.text, inputs=[result.model.file])
    if as_json:
        objects = [r.as_dict() for r in results]
        if draft is not None:
            objects[0]["draft"] = _draft_dict(draft, output)
        single = len(paths) == 1 and len(objects) == 1 and not failures
        if single and not _is_folder(paths[0]):
            echo_json(objects[0])
        else:
            echo_json(objects)
    else:
        for result in results:
            _print_result(result)
        if results:
            click.echo(_summary(results))
        if draft is not None:
            click.echo(_draft_text(draft, output))
    if failures:
        return 1
    if fix_draft:
        return 0
    return 1 if any(r.fails(severity) for r in results) else 0


def _is_folder(path: str) -> bool:
    return Path(path).is_dir()


def _print_rules(as_json: bool) -> None:
    if as_json:
        echo_json(RULES)
        return
    for line in rule_lines():
        click.echo(line)


def _print_result(result: LintResult) -> None:
    """The findings of one file, one line each; model text (names, reasons) goes through
    :func:`~bpr.core.text.for_terminal`, so it cannot steer the terminal."""
    for line in result_lines(result):
        click.echo(for_terminal(line))


def _summary(results: list[LintResult]) -> str:
    return summary(results)


def _brief(finding: Finding) -> dict[str, Any]:
    return {
        "rule": finding.rule,
        "line": finding.line,
        "steps": list(finding.steps),
        "documents": list(finding.documents),
    }


def _draft_dict(draft: Draft, output: str | None) -> dict[str, Any]:
    return {
        "output": output,
        "variant": draft.model.variant,
        "applied": [_brief(f) for f in draft.applied],
        "not_applied": [{**_brief(f), "why": why} for f, why in draft.skipped],
    }


def _draft_text(draft: Draft, output: str | None) -> str:
    return draft_note(draft, for_terminal(str(output)))
