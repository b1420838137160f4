"""Triage: classification of customer posts.

This package owns what Mentiondesk infers from the text of a post: language, sentiment, intent,
urgency and personal data, each with scores. Everything here is pure Python with built-in lexicons
(no network, no model downloads), so it runs in the Lambda layer as is; optional Comprehend and
Bedrock providers (providers.py) refine it and fall back to it.

Use :func:`classify`; it returns an immutable :class:`Classification`.
"""

from mentiondesk.triage.classifier import Classification, classify

__all__ = ["Classification", "classify"]
