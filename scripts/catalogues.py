"""bpr's message catalogues: extract the messages, update every language's .po, compile .mo.

    python scripts/catalogues.py update [DOMAIN ...]   # extract, merge into bpr/locale/*/*.po
    python scripts/catalogues.py compile               # .po -> .mo (what bpr reads)
    python scripts/catalogues.py check                 # what the tests check; exit 1 on a problem

A module belongs to the domain it names in ``domain("...")`` (see :mod:`bpr.core.i18n`); its
``_()``, ``ngettext()``, ``pgettext()`` and ``N_()`` calls are the domain's messages. English is
the message id itself and has no catalogue. A translator edits only the ``.po`` files (Poedit,
Lokalize, any text editor) and runs ``compile``.

Babel does the reading, merging and compiling: it is the standard Python toolchain for
gettext, so bpr keeps no parser of its own for the format.
"""

from __future__ import annotations

import io
import re
import string
import sys
from collections.abc import Iterable, Iterator
from pathlib import Path

from babel.messages.catalog import Catalog
from babel.messages.extract import DEFAULT_KEYWORDS, extract_from_file
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po, write_po

ROOT = Path(__file__).resolve().parent.parent
PACKAGE = ROOT / "bpr"
sys.path.insert(0, str(ROOT))

from bpr.core.i18n import DOMAINS, LOCALE_DIR, catalogue_dir  # noqa: E402
from bpr.core.vocab import DEFAULT_LANGUAGE, LANGUAGES  # noqa: E402

#: The languages with catalogues: every one but English, the language of the message ids.
TRANSLATED = tuple(lang for lang in LANGUAGES if lang != DEFAULT_LANGUAGE)
_DOMAIN_CALL = re.compile(r"""\bdomain\(\s*["'](\w+)["']\s*\)""")
_WIDTH = 100


def domain_files() -> dict[str, list[Path]]:
    """Each domain's modules, found by the ``domain("...")`` they call."""
    found: dict[str, list[Path]] = {name: [] for name in DOMAINS}
    for path in sorted(PACKAGE.rglob("*.py")):
        if path.name == "i18n.py" and path.parent.name == "core":
            continue
        names = set(_DOMAIN_CALL.findall(path.read_text(encoding="utf-8")))
        if len(names) > 1:
            raise SystemExit(f"{path}: a module belongs to one domain, not {sorted(names)}")
        for name in names:
            if name not in found:
                raise SystemExit(f"{path}: unknown domain {name!r}; add it to DOMAINS")
            found[name].append(path)
    return found


def template(name: str, files: Iterable[Path]) -> Catalog:
    """The messages of one domain as the source writes them (a .pot in memory)."""
    catalog = Catalog(domain=name, project="bpr", msgid_bugs_address="", fuzzy=False)
    for path in files:
        for lineno, message, comments, context in extract_from_file(
            "python", path, keywords=DEFAULT_KEYWORDS, comment_tags=("TRANSLATORS:",)
        ):
            catalog.add(
                message,
                locations=[(path.relative_to(ROOT).as_posix(), lineno)],
                auto_comments=comments,
                context=context,
                flags=("python-brace-format",) if _fields(_first(message)) else (),
            )
    return catalog


def _first(message: str | tuple[str, ...]) -> str:
    return message[0] if isinstance(message, tuple) else message


def _fields(text: str) -> set[str]:
    """The ``{placeholders}`` of a str.format template."""
    try:
        return {field for _, field, _, _ in string.Formatter().parse(text) if field is not None}
    except ValueError:
        return set()


def po_path(lang: str, name: str) -> Path:
    return LOCALE_DIR / catalogue_dir(lang) / "LC_MESSAGES" / f"{name}.po"


def _read(path: Path, lang: str, name: str) -> Catalog:
    if path.exists():
        with path.open("rb") as handle:
            return read_po(handle, locale=lang.replace("-", "_"), domain=name)
    return Catalog(locale=lang.replace("-", "_"), domain=name, project="bpr", fuzzy=False)


def _write(catalog: Catalog, path: Path) -> None:
    buffer = io.BytesIO()
    write_po(buffer, catalog, width=_WIDTH, sort_by_file=True, ignore_obsolete=True)
    path.parent.mkdir(parents=True, exist_ok=True)
    if not path.exists() or path.read_bytes() != buffer.getvalue():
        path.write_bytes(buffer.getvalue())


def update(names: Iterable[str]) -> None:
    """Merge the source's messages into every language's .po (new ones untranslated)."""
    files = domain_files()
    for name in names:
        pot = template(name, files[name])
        for lang in TRANSLATED:
            path = po_path(lang, name)
            catalog = _read(path, lang, name)
            catalog.update(pot, no_fuzzy_matching=True)
            _write(catalog, path)


def _mo_bytes(catalog: Catalog) -> bytes:
    buffer = io.BytesIO()
    write_mo(buffer, catalog, use_fuzzy=False)
    return buffer.getvalue()


def compile_all() -> None:
    for name in DOMAINS:
        for lang in TRANSLATED:
            path = po_path(lang, name)
            if path.exists():
                mo = path.with_suffix(".mo")
                data = _mo_bytes(_read(path, lang, name))
                if not mo.exists() or mo.read_bytes() != data:
                    mo.write_bytes(data)


def problems() -> Iterator[str]:
    """Every way the catalogues and the source disagree, one line each."""
    files = domain_files()
    for name in DOMAINS:
        pot = template(name, files[name])
        wanted = {(m.context, _key(m.id)) for m in pot if m.id}
        for lang in TRANSLATED:
            path = po_path(lang, name)
            if not wanted and not path.exists():
                continue
            if not path.exists():
                yield f"{path}: missing; run: python scripts/catalogues.py update {name}"
                continue
            catalog = _read(path, lang, name)
            have = {(m.context, _key(m.id)): m for m in catalog if m.id}
            for key in sorted(wanted - have.keys(), key=str):
                yield f"{path}: no entry for {key[1]!r}; run: python scripts/catalogues.py update"
            for key in sorted(have.keys() - wanted, key=str):
                yield f"{path}: {key[1]!r} is no longer in the source; run update"
            for key, message in have.items():
                if key not in wanted:
                    continue
                where = f"{path}:{message.lineno}" if message.lineno else str(path)
                yield from _entry_problems(where, message)
            mo = path.with_suffix(".mo")
            if not mo.exists() or mo.read_bytes() != _mo_bytes(catalog):
                yield f"{mo}: stale or missing; run: python scripts/catalogues.py compile"


def _key(msgid: str | tuple[str, ...]) -> str:
    return msgid if isinstance(msgid, str) else "\x00".join(msgid)


def _entry_problems(where: str, message: object) -> Iterator[str]:
    msgid = message.id  # type: ignore[attr-defined]
    text = msgid[0] if isinstance(msgid, tuple) else msgid
    if message.fuzzy:  # type: ignore[attr-defined]
        yield f"{where}: {text!r} is fuzzy; check the translation and remove the flag"
    strings = message.string  # type: ignore[attr-defined]
    translations = list(strings) if isinstance(strings, tuple) else [strings]
    if not all(translations):
        yield f"{where}: {text!r} has no translation"
        return
    ids = list(msgid) if isinstance(msgid, tuple) else [msgid]
    expected = set().union(*(_fields(i) for i in ids))
    for translation in translations:
        got = _fields(translation)
        if not got <= expected or (len(ids) == 1 and got != expected):
            yield (
                f"{where}: {text!r}: the translation's placeholders {sorted(got)} differ from "
                f"the message's {sorted(expected)}"
            )


def main(argv: list[str]) -> int:
    if not argv or argv[0] not in ("update", "compile", "check"):
        print(__doc__)
        return 2
    if argv[0] == "update":
        chosen = argv[1:] or list(DOMAINS)
        unknown = [n for n in chosen if n not in DOMAINS]
        if unknown:
            print(f"unknown domain(s) {', '.join(unknown)}; the domains are {', '.join(DOMAINS)}")
            return 2
        update(chosen)
        compile_all()
        return 0
    if argv[0] == "compile":
        compile_all()
        return 0
    found = list(problems())
    for line in found:
        print(line)
    return 1 if found else 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
