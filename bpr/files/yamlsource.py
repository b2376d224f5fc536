"""Safe YAML reading that keeps where every value stands in the file."""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import yaml

from bpr.core.i18n import N_, domain, number
from bpr.core.vocab import ProblemSeverity
from bpr.errors import ModelError, Problem

__all__ = ["SourceMap", "format_path", "parse_yaml"]

_ = domain("validate").gettext

_SYNTAX = "YAML syntax: "
#: What the YAML parser (libyaml) says most often, each a whole message to translate; a reason
#: not listed is written as the parser says it, after "YAML syntax: ".
_SYNTAX_MESSAGES = (
    N_("YAML syntax: mapping values are not allowed in this context"),
    N_("YAML syntax: block sequence entries are not allowed in this context"),
    N_("YAML syntax: while scanning a simple key could not find expected ':'"),
    N_(
        "YAML syntax: while scanning for the next token found character that cannot start any token"
    ),
    N_("YAML syntax: while scanning a quoted scalar found unexpected end of stream"),
    N_("YAML syntax: while parsing a quoted scalar found unknown escape character"),
    N_("YAML syntax: while parsing a block collection did not find expected '-' indicator"),
    N_("YAML syntax: while parsing a block mapping did not find expected key"),
    N_("YAML syntax: while parsing a flow sequence did not find expected ',' or ']'"),
    N_("YAML syntax: while parsing a flow mapping did not find expected ',' or '}'"),
    N_("YAML syntax: while parsing a flow node did not find expected node content"),
    N_("YAML syntax: while parsing a block node did not find expected node content"),
    N_("YAML syntax: did not find expected <document start>"),
    N_("YAML syntax: found undefined alias"),
    N_("YAML syntax: found duplicate anchor; first occurrence second occurrence"),
    N_(
        "YAML syntax: while scanning an alias did not find expected alphabetic or numeric character"
    ),
    N_(
        "YAML syntax: while scanning an anchor did not find expected alphabetic or numeric "
        "character"
    ),
    N_(
        "YAML syntax: while scanning a block scalar found a tab character where an indentation "
        "space is expected"
    ),
    N_(
        "YAML syntax: while scanning a plain scalar found a tab character that violates indentation"
    ),
    N_("YAML syntax: while scanning a tag did not find the expected '>'"),
)
_SYNTAX_REASONS = {message[len(_SYNTAX) :]: message for message in _SYNTAX_MESSAGES}


def _syntax_message(reason: str) -> str:
    """The message of a YAML syntax error, in the output language where bpr knows the reason."""
    known = _SYNTAX_REASONS.get(reason)
    if known is not None:
        return _(known)
    # TRANSLATORS: {reason} is what the YAML parser (libyaml) says, in English
    return _("YAML syntax: {reason}").format(reason=reason)


try:  # libyaml's parser is several times faster; fall back to the pure-Python one
    _Base: type = yaml.CSafeLoader
except AttributeError:  # pragma: no cover - depends on how PyYAML was built
    _Base = yaml.SafeLoader


class _Loader(_Base):
    """The safe loader, reading ``1e6`` and ``1.5e3`` as numbers as YAML 1.2 does.

    YAML 1.1 (PyYAML) wants a dot and a signed exponent (``1.0e+6``) and reads the rest as text.
    """


_Loader.add_implicit_resolver(
    "tag:yaml.org,2002:float",
    re.compile(r"^[-+]?(?:[0-9]+(?:\.[0-9]*)?|\.[0-9]+)[eE][-+]?[0-9]+$"),
    list("-+0123456789."),
)

_TAG = "tag:yaml.org,2002:"
_STR = _TAG + "str"
_MISSING = object()
_SCALAR_TAGS = {_TAG + t for t in ("str", "int", "float", "bool", "null")}
_KEY_TAGS = _SCALAR_TAGS | {_TAG + "timestamp"}
_MAX_DEPTH = 64
# Aliases may share structure, but what they expand to stays within this many nodes more than
# the file holds: enough for any real use of anchors, far too few for an alias bomb.
_MAX_ALIAS_EXPANSION = 100_000

_constructor = yaml.SafeLoader("")  # only its scalar constructors are used, never on mappings

Path = Sequence[str | int]


def format_path(path: Path) -> str:
    """Write a path inside the model as analysts read it: ``steps[3].next``.

    >>> format_path(["steps", 3, "next"])
    'steps[3].next'
    """
    text = ""
    for part in path:
        if isinstance(part, int):
            text += f"[{part}]"
        else:
            text += f".{part}" if text else str(part)
    return text


@dataclass
class SourceMap:
    """Finds the line and column of any value in a parsed file by its path inside the model.

    After a successful load only the text is kept (:meth:`release`): the parsed nodes are
    rebuilt on the first look-up, so a portfolio of loaded models stays small in memory.
    """

    file: str
    root: yaml.Node | None
    text: str = ""

    def release(self) -> None:
        """Drop the parsed nodes; they are parsed again from the text when needed."""
        self.root = None

    def _tree(self) -> yaml.Node | None:
        if self.root is None and self.text:
            try:
                self.root = yaml.compose(self.text, Loader=_Loader)
            except yaml.YAMLError:  # pragma: no cover - the text parsed before
                self.text = ""
        return self.root

    def locate(self, path: Path, *, key: bool = False) -> tuple[int, int]:
        """1-based (line, column) of the value at ``path`` (of its key with ``key=True``).

        Where the path leads off what the file holds, the deepest node found is given.
        """
        node = self._tree()
        mark = node.start_mark if node is not None else None
        for i, part in enumerate(path):
            child, key_node = _child(node, part)
            if child is None:
                break
            last = i == len(path) - 1
            mark = (key_node if (key and last and key_node is not None) else child).start_mark
            node = child
        if mark is None:
            return (0, 0)
        return (mark.line + 1, mark.column + 1)

    def problem(
        self,
        path: Path,
        message: str,
        *,
        key: bool = False,
        severity: ProblemSeverity = "error",
        code: str = "",
    ) -> Problem:
        """A problem of the kind ``code`` located at ``path``."""
        line, column = self.locate(path, key=key)
        return Problem(message, self.file, line, column, format_path(path), severity, code)

    def scalar_text(self, path: Path) -> str | None:
        """The text of the scalar at ``path`` as written in the file (``yes`` stays ``yes``)."""
        node = self._tree()
        for part in path:
            node, _ = _child(node, part)
            if node is None:
                return None
        return node.value if isinstance(node, yaml.ScalarNode) else None


def _child(node: yaml.Node | None, part: str | int) -> tuple[yaml.Node | None, yaml.Node | None]:
    if isinstance(node, yaml.MappingNode):
        found: tuple[yaml.Node | None, yaml.Node | None] = (None, None)
        for key_node, value_node in node.value:
            if isinstance(key_node, yaml.ScalarNode) and key_node.value == str(part):
                found = (value_node, key_node)  # the last one wins, as when loading
        return found
    if isinstance(node, yaml.SequenceNode) and isinstance(part, int):
        return (node.value[part], None) if 0 <= part < len(node.value) else (None, None)
    return None, None


def parse_yaml(data: bytes | str, file: str = "<string>") -> tuple[Any, SourceMap]:
    """Parse one YAML document safely into plain Python values and its source map.

    Only plain YAML is accepted: tags that would build Python objects are errors, nothing in
    the file is ever run, and aliases are bounded. Raises :class:`ModelError` with the file,
    line and column of what is wrong.
    """
    text = _decode(data, file)
    try:
        root = yaml.compose(text, Loader=_Loader)
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line, column = (mark.line + 1, mark.column + 1) if mark else (0, 0)
        reason = " ".join(x for x in (exc.context, exc.problem) if x)
        code = "yaml-syntax"
        message = _syntax_message(reason)
        if "expected a single document" in reason:
            message = _(
                "YAML syntax: the file holds more than one YAML document; keep one model per file"
            )
            code = "several-documents"
        tab = _tab_in_indentation(text, mark.line) if mark else None
        if tab is not None:
            message = _("YAML syntax: a tab in the indentation of this line; indent with spaces")
            code, column = "tab-indent", tab + 1
        raise ModelError([Problem(message, file, line, column, code=code)]) from None
    except yaml.reader.ReaderError as exc:  # a character YAML does not allow in a file
        before = text[: exc.position]
        line, column = before.count("\n") + 1, exc.position - (before.rfind("\n") + 1) + 1
        raise ModelError(
            [
                Problem(
                    _(
                        "the control character {character} is not allowed in a YAML file; remove "
                        "it, or write it as an escape such as \\x1b inside double quotes"
                    ).format(character=f"U+{exc.character:04X}"),
                    file,
                    line,
                    column,
                    code="control-character",
                )
            ]
        ) from None
    except yaml.YAMLError as exc:
        message = _syntax_message(str(exc))
        raise ModelError([Problem(message, file, code="yaml-syntax")]) from None
    except RecursionError:
        raise ModelError(
            [Problem(_("YAML nested too deeply to read"), file, code="too-deep")]
        ) from None
    source = SourceMap(file, root, text)
    if root is None:
        raise ModelError(
            [
                Problem(
                    _("the file is empty; a model starts with 'bpr: 1'"),
                    file,
                    1,
                    1,
                    code="empty-file",
                )
            ]
        )
    try:
        return _Converter(file).convert(root), source
    except RecursionError:
        raise ModelError(
            [Problem(_("values or aliases are nested too deeply to read"), file, code="too-deep")]
        ) from None


def _tab_in_indentation(text: str, line: int) -> int | None:
    """The 0-based column of a tab in the indentation of ``line``, or ``None``."""
    lines = text.splitlines()
    if not 0 <= line < len(lines):
        return None
    written = lines[line]
    indentation = written[: len(written) - len(written.lstrip(" \t"))]
    return indentation.index("\t") if "\t" in indentation else None


def _decode(data: bytes | str, file: str) -> str:
    if isinstance(data, str):
        return data
    if b"\x00" in data[:8192] and not data.startswith((b"\xff\xfe", b"\xfe\xff")):
        raise ModelError(
            [Problem(_("this is a binary file, not a YAML model"), file, code="binary-file")]
        )
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = data[: exc.start].count(b"\n") + 1
        raise ModelError(
            [
                Problem(
                    _("the file is not UTF-8 text; save it as UTF-8"),
                    file,
                    line,
                    1,
                    code="not-utf8",
                )
            ]
        ) from None


class _Converter:
    """Turns composed nodes into Python values, refusing tags and bounding aliases."""

    def __init__(self, file: str) -> None:
        self.file = file
        self.done: dict[int, Any] = {}
        self.sizes: dict[int, int] = {}
        self.distinct = 0
        self.aliased = False

    def fail(self, node: yaml.Node, message: str, *, code: str) -> ModelError:
        mark = node.start_mark
        return ModelError([Problem(message, self.file, mark.line + 1, mark.column + 1, code=code)])

    def convert(self, root: yaml.Node) -> Any:
        value = self.node(root, 0)
        if not self.aliased:
            return value
        expanded = self.size(root, set())
        if expanded > self.distinct + _MAX_ALIAS_EXPANSION:
            raise self.fail(
                root,
                _(
                    "the file's aliases expand to {expanded} values from {written} written "
                    "ones; this looks like an alias bomb and is refused"
                ).format(expanded=number(expanded, ","), written=number(self.distinct, ",")),
                code="alias-bomb",
            )
        return value

    def size(self, node: yaml.Node, stack: set[int]) -> int:
        """How many values the node stands for with every alias expanded."""
        known = self.sizes.get(id(node))
        if known is not None:
            return known
        if isinstance(node, yaml.ScalarNode):
            return 1
        if id(node) in stack:
            raise self.fail(
                node,
                _("an alias refers to the value that contains it (a recursive alias)"),
                code="recursive-alias",
            )
        stack.add(id(node))
        children = node.value if isinstance(node, yaml.SequenceNode) else [v for _, v in node.value]
        total = 1
        for child in children:
            total += self.size(child, stack)
            if total > 10**12:
                break
        stack.discard(id(node))
        self.sizes[id(node)] = total
        return total

    def node(self, node: yaml.Node, depth: int) -> Any:
        self.distinct += 1
        if type(node) is yaml.ScalarNode:  # most nodes: kept off the alias bookkeeping
            if node.tag == _STR:
                return node.value
            return self.scalar(node)
        known = self.done.get(id(node), _MISSING)
        if known is not _MISSING:
            self.aliased = True
            return known
        if depth > _MAX_DEPTH:
            raise self.fail(
                node,
                _("values are nested more than {depth} levels deep").format(depth=_MAX_DEPTH),
                code="too-deep",
            )
        if isinstance(node, yaml.SequenceNode):
            if node.tag != _TAG + "seq":
                raise self.fail(node, _tag_message(node.tag), code="yaml-tag")
            items: list[Any] = []
            self.done[id(node)] = items
            items.extend(self.node(item, depth + 1) for item in node.value)
            return items
        if node.tag != _TAG + "map":
            raise self.fail(node, _tag_message(node.tag), code="yaml-tag")
        mapping: dict[Any, Any] = {}
        self.done[id(node)] = mapping
        self.mapping(node, mapping, depth)  # type: ignore[arg-type]
        return mapping

    def mapping(self, node: yaml.MappingNode, into: dict[Any, Any], depth: int) -> None:
        written: dict[Any, yaml.Node] = {}  # the keys written in this mapping, not merged in
        for key_node, value_node in node.value:
            if key_node.tag == _TAG + "merge":
                merged = self.node(value_node, depth + 1)
                sources = merged if isinstance(merged, list) else [merged]
                for source in sources:
                    if not isinstance(source, dict):
                        raise self.fail(
                            value_node,
                            _("a merge key '<<' takes a mapping or a list of mappings"),
                            code="bad-merge",
                        )
                    for k, v in source.items():
                        into.setdefault(k, v)
                continue
            key = self.key(key_node, depth)
            if key in written:
                first = written[key].start_mark.line + 1
                raise self.fail(
                    key_node,
                    _(
                        "duplicate key {key}: line {line} has it too, and only one would be "
                        "kept; merge the two or rename one"
                    ).format(key=repr(key), line=first),
                    code="duplicate-key",
                )
            written[key] = key_node
            into[key] = self.node(value_node, depth + 1)

    def key(self, node: yaml.Node, depth: int) -> Any:
        """A mapping key as the text written: ``off``, ``007`` and ``0x1f`` are ids, not values."""
        if isinstance(node, yaml.ScalarNode):
            self.distinct += 1
            if node.tag != _STR and node.tag not in _KEY_TAGS:
                raise self.fail(node, _tag_message(node.tag), code="yaml-tag")
            return node.value
        raise self.fail(
            node, _("a mapping key must be plain text, not a list or mapping"), code="bad-key"
        )

    def scalar(self, node: yaml.ScalarNode) -> Any:
        tag = node.tag
        if tag in _SCALAR_TAGS:
            try:
                return _constructor.yaml_constructors[tag](_constructor, node)
            except ValueError:  # an integer of thousands of digits (Python's limit is 4300)
                raise self.fail(
                    node,
                    _("this number has too many digits to compute with"),
                    code="number-too-large",
                ) from None
        if tag == _TAG + "timestamp":
            return node.value  # dates stay the text the analyst wrote
        raise self.fail(node, _tag_message(tag), code="yaml-tag")


def _tag_message(tag: str) -> str:
    return _(
        "the YAML tag '{tag}' is not allowed: a model holds plain values only "
        "(text, numbers, lists, mappings); remove the tag"
    ).format(tag=tag)
