"""SQL text for DuckDB: quoted names and literals, and DuckDB's errors said in one line.

>>> print(identifier('the "case" id'), literal("O'Brien.parquet"))
"the ""case"" id" 'O''Brien.parquet'
"""

from __future__ import annotations

__all__ = ["identifier", "literal", "problem"]


def identifier(name: str) -> str:
    """A column or table name as SQL: in double quotes, its own double quotes doubled."""
    return '"' + name.replace('"', '""') + '"'


def literal(text: str) -> str:
    """A text (a file path, a value) as an SQL string literal."""
    return "'" + text.replace("'", "''") + "'"


def problem(error: BaseException) -> str:
    """What went wrong, in one line: DuckDB's message without the SQL text and the caret it
    adds below it (what the user has to act on is in the first line).

    >>> problem(ValueError("Invalid Input Error: too small\\n\\nLINE 1: SELECT ...\\n^^^"))
    'Invalid Input Error: too small'
    """
    lines = [line for line in str(error).splitlines() if line.strip()]
    return lines[0] if lines else type(error).__name__
