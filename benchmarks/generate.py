"""Generated models for benchmarks: any number of steps, with loops and parallel blocks."""

from __future__ import annotations

from pathlib import Path

HEAD = """\
bpr: 1
service: {service}
variant: {variant}
name: Generated service {service} ({variant})
maturity: 2
volume: 10000
currency: UZS
tariff: 12000
actors:
  applicant: {{name: Applicant, kind: applicant}}
  desk: {{name: Front desk, agency: Agency A}}
  office: {{name: Back office, agency: Agency A}}
  registry: {{name: Registry, agency: Agency B}}
documents:
  passport: {{name: Passport}}
  cert: {{name: Certificate, issuer: registry}}
  pulled: {{name: Registry extract, issuer: registry, exchange: true}}
steps:
"""


def unit(i: int, last: bool) -> str:
    """Ten steps: a sequence, a parallel block of two branches, a rework loop."""
    b = i * 10
    after = "end" if last else f"s{b + 10}"
    return f"""\
  - id: s{b}
    name: Submit application part {i}
    actor: applicant
    channel: in-person
    work: 30m
    wait: 1h
    needs: [passport, cert]
  - id: s{b + 1}
    actor: desk
    work: 15m
    wait: 2h..6h
  - id: s{b + 2}
    actor: office
    work: 1h
    next: {{all: [s{b + 3}, s{b + 4}]}}
  - id: s{b + 3}
    actor: registry
    work: 20m
    wait: 1d
    needs: [pulled]
    next: s{b + 5}
  - id: s{b + 4}
    actor: office
    work: 2h
    wait: {{min: 4h, mode: 8h, max: 2d}}
    next: s{b + 5}
  - id: s{b + 5}
    actor: office
    join: all
    work: 30m
  - id: s{b + 6}
    actor: desk
    work: 10m
    fee: 5000
  - id: s{b + 7}
    name: Check completeness
    actor: office
    work: 45m
    wait: 1d
    next:
      - {{to: s{b + 6}, p: 0.2, when: incomplete}}
      - {{to: s{b + 8}, p: 0.8, when: complete}}
  - id: s{b + 8}
    actor: registry
    channel: automatic
  - id: s{b + 9}
    actor: desk
    work: 5m
    next: {after}
"""


def model_text(steps: int, service: str = "generated", variant: str = "as-is") -> str:
    """A valid model of ``steps`` steps (rounded up to a multiple of ten)."""
    units = max(1, -(-steps // 10))
    parts = [HEAD.format(service=service, variant=variant)]
    parts.extend(unit(i, i == units - 1) for i in range(units))
    return "".join(parts)


def write_portfolio(folder: Path, services: int, steps: int) -> list[Path]:
    """``services`` folders with an as-is and a to-be of ``steps`` steps each."""
    written = []
    for s in range(services):
        for variant in ("as-is", "to-be"):
            path = folder / f"service-{s:03d}" / f"{variant}.yaml"
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text(model_text(steps, f"service-{s:03d}", variant), encoding="utf-8")
            written.append(path)
    return written
