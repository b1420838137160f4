"""Scheduled training of each tenant's triage model from its agents' corrections.

A correction holds the customer's words with personal data masked, the labels the agent gave, and
when. Each task (sentiment, intent, urgency) learns from the corrections that set or confirmed it;
the built-in scores for each text are recomputed at training time, so the blending weight is chosen
against the classifier the tenant actually runs. A tenant whose corrections have not changed since
the last training is skipped.
"""

from typing import Any

from mentiondesk.clock import now_iso
from mentiondesk.observability import logger, metrics
from mentiondesk.store.factory import Store
from mentiondesk.triage.classifier import classify
from mentiondesk.triage.learned import MIN_EXAMPLES, Example, LinearModel, TenantModels, fit, weight

LABELS = {
    "sentiment": ["negative", "neutral", "positive"],
    "intent": ["complaint", "other", "praise", "problem", "question", "request"],
    "urgency": ["high", "low", "normal"],
}


def train_tenant(store: Store, tenant: str, force: bool = False) -> dict[str, Any]:
    corrections = store.learning.corrections(tenant)
    current = store.learning.models(tenant)
    if not force and current is not None and current.corrections == len(corrections):
        return {"tenant_id": tenant, "trained": False, "corrections": len(corrections)}
    if len(corrections) < MIN_EXAMPLES:
        return {"tenant_id": tenant, "trained": False, "corrections": len(corrections), "reason": "too few"}
    builtin = [classify(str(c.get("text", "")), c.get("language")) for c in corrections]
    models: dict[str, LinearModel] = {}
    for task, labels in LABELS.items():
        examples = [
            Example(str(c.get("text", "")), str(c["labels"][task]), dict(getattr(result, f"{task}_scores")))
            for c, result in zip(corrections, builtin, strict=True)
            if isinstance(c.get("labels"), dict) and c["labels"].get(task) in labels
        ]
        if len(examples) >= MIN_EXAMPLES and len({e.label for e in examples}) >= 2:
            scored = [Example(e.text, e.label, {k: e.builtin.get(k, 0.0) for k in labels}) for e in examples]
            models[task] = fit(scored, labels)
    if not models:
        return {"tenant_id": tenant, "trained": False, "corrections": len(corrections), "reason": "one label only"}
    trained = TenantModels(models=models, trained_at=now_iso(), corrections=len(corrections))
    store.learning.save_models(tenant, trained)
    weights = {task: weight(model) for task, model in models.items()}
    metrics.add_metric(name="TenantModelTrained", unit="Count", value=1)
    logger.info(
        "tenant model trained", extra={"tenant_id": tenant, "corrections": len(corrections), "weights": weights}
    )
    return {"tenant_id": tenant, "trained": True, "corrections": len(corrections), "weights": weights}


def train_all(store: Store) -> list[dict[str, Any]]:
    return [train_tenant(store, tenant) for tenant in store.directory.tenants()]
