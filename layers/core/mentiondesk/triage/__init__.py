"""Triage: classification of customer posts.

This package owns what Mentiondesk infers from the text of a post: language, sentiment, intent,
urgency and personal data, each with scores. Everything here is pure Python with built-in lexicons
(no network, no model downloads), so it runs in the Lambda layer as is; optional Comprehend and
Bedrock providers (providers.py) refine it and fall back to it.

Use :func:`classify`; it returns an immutable :class:`Classification`. Both are loaded on first use:
a function that only needs a part (templates need `triage.pii`) does not pay for the lexicons at
cold start.
"""

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from mentiondesk.triage.classifier import Classification, classify

__all__ = ["Classification", "classify"]


def __getattr__(name: str) -> Any:
    if name in __all__:
        from mentiondesk.triage import classifier

        return getattr(classifier, name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
