"""The lint rules, one module each, and the registry that collects them.

Each module holds one ``RULE`` (:class:`bpr.lint.context.Rule`): its id, the most serious
severity it reports, what it looks for, and its check. A new rule is a new module here plus
its place in :data:`REGISTRY` (the order ``bpr lint --rules`` and the docs list them in).

>>> [rule.id for rule in REGISTRY][:3]
['once-only', 'payment-proof', 'physical-item']
"""

from __future__ import annotations

from bpr.lint.context import Rule
from bpr.lint.rules import (
    dead_document,
    knock_out_order,
    legal_basis,
    lint_config,
    maturity_mismatch,
    once_only,
    payment_proof,
    physical_item,
    repeated_contact,
    rework,
    sequential_independent,
)

__all__ = ["REGISTRY", "RULES"]

#: Every rule, in the order the documentation presents them.
REGISTRY: tuple[Rule, ...] = (
    once_only.RULE,
    payment_proof.RULE,
    physical_item.RULE,
    repeated_contact.RULE,
    sequential_independent.RULE,
    rework.RULE,
    knock_out_order.RULE,
    maturity_mismatch.RULE,
    dead_document.RULE,
    legal_basis.RULE,
    lint_config.RULE,
)

#: Every rule id with what it looks for, in the order the documentation presents them.
RULES: dict[str, str] = {rule.id: rule.description for rule in REGISTRY}
