"""Irregular generated models: random nested choices, rework loops and parallel blocks.

A second generator beside ``generate.py``, written without looking at what the layout or the
other tools find easy: the structure is drawn at random (seeded, so a seed always gives the
same file) from a small grammar of blocks, nested to any depth, over six lanes in three
agencies::

    block  := item+
    item   := task | choice(block | nothing, block, ...) | loop(block) | parallel(block, block, ...)

A choice's branches meet at whatever follows it (one branch may be empty and skip straight
there); a loop repeats its body after a check that sends the case back with some probability;
a parallel block starts its branches together and waits for all of them at a joining step.

>>> import bpr
>>> model = bpr.loads(irregular_model_text(60, seed=3))
>>> len(model.steps) >= 60
True
>>> irregular_model_text(60, seed=3) == irregular_model_text(60, seed=3)
True
"""

from __future__ import annotations

import random
from dataclasses import dataclass, field

__all__ = ["irregular_model_text"]

HEAD = """\
bpr: 1
service: {service}
variant: as-is
name: Irregular generated service {service}
maturity: 2
volume: 5000
currency: AZN
tariff: 8
actors:
  applicant: {{name: Applicant, kind: applicant}}
  front: {{name: Front office, agency: Service centre}}
  back: {{name: Back office, agency: Service centre}}
  archive: {{name: Archive, agency: Ministry}}
  legal: {{name: Legal department, agency: Ministry}}
  register: {{name: State register, agency: Registry agency}}
documents:
  id-card: {{name: Identity card}}
  extract: {{name: Register extract, issuer: register, exchange: true}}
steps:
"""

ACTORS = ("applicant", "front", "back", "archive", "legal", "register")
WORK = ("5m", "15m", "30m", "1h", "2h", "1h..3h")
WAIT = ("0", "1h", "4h", "1d", "2d..5d")


@dataclass
class _Step:
    id: str
    actor: str
    next: str = ""  # YAML of the flow, filled in once the continuation is known
    join: bool = False
    extra: list[str] = field(default_factory=list)


class _Generator:
    def __init__(self, seed: int, largest: int) -> None:
        self.random = random.Random(seed)
        self.largest = largest
        self.count = 0

    def new(self, join: bool = False) -> _Step:
        step = _Step(f"t{self.count}", self.random.choice(ACTORS), join=join)
        self.count += 1
        work = self.random.choice(WORK)
        step.extra.append(f"work: {work}")
        wait = self.random.choice(WAIT)
        if wait != "0":
            step.extra.append(f"wait: {wait}")
        if step.actor == "applicant" and self.random.random() < 0.3:
            step.extra.append("channel: in-person")
            step.extra.append("needs: [id-card]")
        return step

    def block(self, depth: int, size: int) -> list[tuple[str, object]]:
        """A sequence of items worth about ``size`` steps (at least one step)."""
        items: list[tuple[str, object]] = []
        left = max(1, size)
        while left > 0:
            roll = self.random.random()
            room = left >= 4 and depth < 6
            if room and roll < 0.14:
                share = self.random.randint(3, min(left, self.largest))
                branches = self.random.randint(2, 3)
                parts = [self.block(depth + 1, share // branches) for _ in range(branches)]
                if self.random.random() < 0.3:
                    parts[-1] = []  # an empty branch: skip straight to what follows
                items.append(("choice", parts))
                left -= share + 1  # the deciding step
            elif room and roll < 0.24:
                share = self.random.randint(2, min(left, self.largest * 3 // 4))
                items.append(("loop", self.block(depth + 1, share)))
                left -= share + 2  # the step the case comes back to and the check
            elif room and roll < 0.34:
                share = self.random.randint(3, min(left, self.largest))
                branches = self.random.randint(2, 4)
                items.append(
                    (
                        "parallel",
                        [self.block(depth + 1, share // branches) for _ in range(branches)],
                    )
                )
                left -= share + branches + 2  # the split, each branch's start, the join
            else:
                items.append(("task", None))
                left -= 1
        return items


def irregular_model_text(
    steps: int, seed: int = 1, service: str = "irregular", largest: int = 40
) -> str:
    """A valid model of about ``steps`` steps with a random nested structure; ``largest`` is
    the most steps one choice or parallel block may take (a loop three quarters of it)."""
    generator = _Generator(seed, largest)
    tree = generator.block(0, steps)
    lines = [HEAD.format(service=service)]
    emitted = _emit(generator, tree, "end")
    for step in emitted:
        lines.append(f"  - id: {step.id}\n    actor: {step.actor}\n")
        if step.join:
            lines.append("    join: all\n")
        lines.extend(f"    {item}\n" for item in step.extra)
        lines.append(f"    next: {step.next}\n")
    return "".join(lines)


def _emit(generator: _Generator, tree: list[tuple[str, object]], after: str) -> list[_Step]:
    """The steps of ``tree`` in file order, every flow filled in."""
    out: list[_Step] = []
    _sequence(generator, tree, after, out)
    return out


def _sequence(
    generator: _Generator, items: list[tuple[str, object]], after: str, out: list[_Step]
) -> str:
    """Emit ``items`` back to front (each needs the entry of what follows); returns the entry.
    The steps are then put in front-to-back order in ``out``."""
    pieces: list[list[_Step]] = []
    entry = after
    for kind, body in reversed(items):
        piece: list[_Step] = []
        entry = _item(generator, kind, body, entry, piece)
        pieces.append(piece)
    for piece in reversed(pieces):
        out.extend(piece)
    return entry


def _item(generator: _Generator, kind: str, body: object, after: str, out: list[_Step]) -> str:
    if kind == "task":
        step = generator.new()
        step.next = after
        out.append(step)
        return step.id
    if kind == "choice":
        assert isinstance(body, list)
        decision = generator.new()
        out.append(decision)
        entries = [_sequence(generator, branch, after, out) for branch in body]
        entries = list(dict.fromkeys(entries))
        if len(entries) == 1:
            decision.next = entries[0]
            return decision.id
        shares = [generator.random.randint(1, 9) for _ in entries]
        total = sum(shares)
        ps = [round(s / total, 2) for s in shares]
        ps[-1] = round(1 - sum(ps[:-1]), 2)
        branches = ", ".join(
            f"{{to: {e}, p: {p}, when: case {k + 1}}}"
            for k, (e, p) in enumerate(zip(entries, ps, strict=True))
        )
        decision.next = f"[{branches}]"
        return decision.id
    if kind == "loop":
        assert isinstance(body, list)
        start = generator.new()  # the step the case comes back to
        out.append(start)
        check = generator.new()
        p = generator.random.choice((0.1, 0.2, 0.3))
        inner: list[_Step] = []
        start.next = _sequence(generator, body, check.id, inner)
        out.extend(inner)
        check.next = f"[{{to: {start.id}, p: {p}, when: rework}}, {{to: {after}, p: {1 - p:.2g}}}]"
        out.append(check)
        return start.id
    assert kind == "parallel" and isinstance(body, list)
    split = generator.new()
    out.append(split)
    join_place: list[_Step] = []
    join = generator.new(join=True)
    join.next = after
    join_place.append(join)
    entries = []
    for branch in body:
        start = generator.new()  # each branch begins with its own step
        out.append(start)
        start.next = _sequence(generator, branch, join.id, out)
        entries.append(start.id)
    split.next = f"{{all: [{', '.join(entries)}]}}"
    out.extend(join_place)
    return split.id
