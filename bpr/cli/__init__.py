"""The ``bpr`` command: a thin shell that parses arguments and calls the public API."""

from __future__ import annotations

import contextlib
import errno
import importlib
import importlib.util
import os
import signal
import sys
from typing import Any

import click

from bpr.backend.graphviz import end_children
from bpr.cli._common import problem_line
from bpr.core import i18n
from bpr.core.i18n import domain
from bpr.core.text import for_terminal
from bpr.core.version import __version__
from bpr.core.vocab import DEFAULT_LANGUAGE
from bpr.errors import BprError, ModelError, UsageError

__all__ = ["cli", "main"]

_ = domain("measures").gettext

# Each command lives in its own module and is imported only when it runs (or for --help), so
# that `bpr validate` never pays for the imports of rendering or process mining.
_COMMANDS: dict[str, str] = {
    "validate": "bpr.cli.core:validate",
    "metrics": "bpr.cli.core:metrics",
    "diff": "bpr.cli.diff:diff",
    "render": "bpr.cli.render:render",
    "export": "bpr.cli.bpmn:export",
    "import": "bpr.cli.bpmn:import_",
    "check": "bpr.cli.bpmn:check",
    "simulate": "bpr.cli.simulate:simulate",
    "mine": "bpr.cli.mining:mine",
    "conform": "bpr.cli.mining:conform",
    "report": "bpr.cli.report:report",
    "init": "bpr.cli.authoring:init",
    "schema": "bpr.cli.authoring:schema",
    "watch": "bpr.cli.authoring:watch",
    "lint": "bpr.cli.lint:lint",
    "portfolio": "bpr.cli.portfolio:portfolio",
}


class _LazyGroup(click.Group):
    def list_commands(self, ctx: click.Context) -> list[str]:
        return [name for name, target in _COMMANDS.items() if _available(target)]

    def get_command(self, ctx: click.Context, cmd_name: str) -> click.Command | None:
        target = _COMMANDS.get(cmd_name)
        if target is None or not _available(target):
            return None
        module_name, attribute = target.split(":")
        command = getattr(importlib.import_module(module_name), attribute)
        assert isinstance(command, click.Command)
        return command


def _available(target: str) -> bool:
    return importlib.util.find_spec(target.split(":")[0]) is not None


@click.group(cls=_LazyGroup, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, "--version", "-V", prog_name="bpr")
def cli() -> None:
    """Business-process reengineering of public services.

    Describe each variant of a service (As-Is, To-Be) in a YAML file, then check it, measure
    it, compare the variants, draw them, export them to BPMN and connect them with event logs.
    """


def _stop_on_terminate() -> None:
    """Turn SIGTERM into an exception, so half-written temporary files are removed; on SIGTERM
    and SIGINT the Graphviz runs that any thread waits on end too."""

    def stop(signum: int, frame: object) -> None:
        end_children()
        if signum == signal.SIGINT:
            raise KeyboardInterrupt
        raise SystemExit(128 + signum)

    with contextlib.suppress(ValueError):  # not the main thread: leave signals alone
        signal.signal(signal.SIGTERM, stop)
        if signal.getsignal(signal.SIGINT) is signal.default_int_handler:  # not ignored
            signal.signal(signal.SIGINT, stop)


def main(argv: list[str] | None = None) -> int:
    """Run the command line; returns the exit status (0 ok, 1 failure, 2 wrong usage).

    The errors a command ends with are written in the language it wrote in (``--lang``, else
    ``BPR_LANG``, else the locale), once the command itself has finished.
    """
    _stop_on_terminate()
    with i18n.use(_language(sys.argv[1:] if argv is None else argv)):
        return _run(argv)


def _language(argv: list[str]) -> str:
    """The language ``--lang`` (else ``BPR_LANG``, else the locale) asks for; English where
    the value is unknown (the command's own option then says so).

    >>> _language(["metrics", "--lang", "ru", "m.yaml"]), _language(["validate", "--lang=kk"])
    ('ru', 'kk')
    """
    value = None
    for index, arg in enumerate(argv):
        if arg == "--":
            break
        if arg == "--lang" and index + 1 < len(argv):
            value = argv[index + 1]
        elif arg.startswith("--lang="):
            value = arg.partition("=")[2]
    try:
        return i18n.resolve(value)
    except UsageError:
        return DEFAULT_LANGUAGE


def _run(argv: list[str] | None) -> int:
    try:
        result = cli.main(args=argv, prog_name="bpr", standalone_mode=False)
        sys.stdout.flush()  # a full device fails here, not at exit with a traceback
    except click.exceptions.Abort:
        click.echo(_("Aborted."), err=True)
        return 130
    except click.exceptions.Exit as exc:
        return int(exc.exit_code)
    except click.ClickException as exc:
        exc.show()
        return exc.exit_code
    except ModelError as exc:
        for problem in exc.problems:
            click.echo(problem_line(problem), err=True)
        return exc.exit_code
    except BprError as exc:
        message = "\n".join(for_terminal(line) for line in str(exc).splitlines())
        click.echo(_("bpr: error: {message}").format(message=message), err=True)
        return exc.exit_code
    except BrokenPipeError:
        sys.stderr.close()  # the reader went away (``bpr metrics | head``): not an error
        return 0
    except OSError as exc:
        if exc.errno not in _OUTPUT_FAILURES:
            raise
        _drop_standard_output()
        cannot = _("bpr: error: cannot write the output: {reason}").format(reason=exc.strerror)
        click.echo(cannot, err=True)
        return 1
    except KeyboardInterrupt:
        click.echo(_("Interrupted."), err=True)
        return 130
    return int(result) if isinstance(result, int) else 0


# Standard output that cannot take what is written (``bpr metrics m.yaml > /dev/full``).
_OUTPUT_FAILURES = {errno.ENOSPC, errno.EDQUOT, errno.EFBIG, errno.EIO}


def _drop_standard_output() -> None:
    """Point standard output at the null device, so that what is still buffered in it does
    not fail again (with a traceback) when Python flushes it at exit."""
    try:
        null = os.open(os.devnull, os.O_WRONLY)
        os.dup2(null, sys.stdout.fileno())
        os.close(null)
    except (OSError, ValueError):  # not a real file (a test's capture): nothing to flush at exit
        pass


def run() -> Any:  # pragma: no cover - the console script
    sys.exit(main())
