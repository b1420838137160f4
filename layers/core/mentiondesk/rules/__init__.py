"""Automation rules: supervisors' ordered rules (trigger, condition tree, actions) and the engine
that evaluates them against a message's facts. Storage, API and workflow wiring live elsewhere."""

from mentiondesk.rules.engine import (
    Evaluation,
    Facts,
    Fired,
    FoldedText,
    Highlight,
    dry_run,
    evaluate,
    fold_text,
    run_rules,
)
from mentiondesk.rules.model import (
    Action,
    All,
    Any,
    Condition,
    ConditionNode,
    Not,
    Rule,
    Trigger,
    check_pattern,
)

__all__ = [
    "Action",
    "All",
    "Any",
    "Condition",
    "ConditionNode",
    "Evaluation",
    "Facts",
    "Fired",
    "FoldedText",
    "Highlight",
    "Not",
    "Rule",
    "Trigger",
    "check_pattern",
    "dry_run",
    "evaluate",
    "fold_text",
    "run_rules",
]
