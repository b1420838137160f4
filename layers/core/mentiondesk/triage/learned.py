"""A tenant's own model, learned from its agents' label corrections and blended with the built-in one.

The model is multinomial logistic regression over hashed features of the normalised text: character
1-3-grams (Japanese needs no tokenizer for them) and word 1-2-grams. Hashing is CRC-32, stable across
processes and versions, into ``DIM`` buckets; only the weights training touched are kept, so a model
of a few thousand corrections is tens of kilobytes, stored compressed in the tenant's partition.

Blending: the built-in classifier's scores and the tenant model's are mixed with a weight chosen when
the model is trained: out-of-fold predictions on the corrections themselves (each third predicted by
a model that did not see it) are blended at each weight in ``ALPHAS`` with the built-in scores, and
the weight with the best macro-F1 wins (ties go to the smaller one). So a tenant model only counts as
much as it has shown it helps that tenant's own posts; below ``MIN_EXAMPLES`` corrections, or when
it does not help, the built-in answer stands alone. The tenant model is smoothed towards uniform, so
a label its agents never used is not ruled out.
"""

from __future__ import annotations

import itertools
import json
import math
import random
import zlib
from collections.abc import Sequence
from dataclasses import dataclass, field

from mentiondesk.triage.normalize import PLACEHOLDER_RE, normalize

DIM = 1 << 20
MIN_EXAMPLES = 20
ALPHAS = (0.0, 0.1, 0.2, 0.35, 0.5, 0.65, 0.8)
FOLDS = 3
SMOOTHING = 0.1
MAX_STORED_BYTES = 120_000  # per task: three fit in one item, under DynamoDB's 400 KB limit
TASKS = ("sentiment", "intent", "urgency")


def features(text: str) -> dict[int, float]:
    """Hashed, L2-normalised binary features of a post."""
    normalized = PLACEHOLDER_RE.sub(" ", normalize(text or ""))
    grams: set[str] = set()
    squeezed = " ".join(normalized.split())
    padded = f" {squeezed} "
    for n in (1, 2, 3):
        for i in range(len(padded) - n + 1):
            gram = padded[i : i + n]
            if gram.strip():
                grams.add(f"c{n}:{gram}")
    words = [w for w in squeezed.split(" ") if w]
    grams.update(f"w:{w}" for w in words)
    grams.update(f"b:{a} {b}" for a, b in itertools.pairwise(words))
    if not grams:
        return {}
    value = 1.0 / math.sqrt(len(grams))
    out: dict[int, float] = {}
    for gram in grams:
        out[zlib.crc32(gram.encode("utf-8")) % DIM] = value
    return out


@dataclass
class LinearModel:
    labels: list[str]
    weights: dict[int, list[float]] = field(default_factory=dict)
    bias: list[float] = field(default_factory=list)
    examples: int = 0
    per_label: dict[str, int] = field(default_factory=dict)
    alpha: float = 0.0  # the blending weight chosen by fit()

    def probabilities(self, feats: dict[int, float]) -> dict[str, float]:
        logits = list(self.bias) if self.bias else [0.0] * len(self.labels)
        for index, value in feats.items():
            row = self.weights.get(index)
            if row is not None:
                for k, w in enumerate(row):
                    logits[k] += w * value
        top = max(logits)
        exps = [math.exp(x - top) for x in logits]
        total = sum(exps)
        return {label: e / total for label, e in zip(self.labels, exps, strict=True)}

    def to_bytes(self) -> bytes:
        """Compressed JSON; the smallest weights are dropped until it fits ``MAX_STORED_BYTES``."""
        weights = {k: [round(w, 4) for w in row] for k, row in self.weights.items()}
        while True:
            body = {
                "labels": self.labels,
                "bias": [round(b, 4) for b in self.bias],
                "examples": self.examples,
                "per_label": self.per_label,
                "alpha": self.alpha,
                "weights": {str(k): row for k, row in weights.items()},
            }
            packed = zlib.compress(json.dumps(body, separators=(",", ":")).encode(), 9)
            if len(packed) <= MAX_STORED_BYTES or not weights:
                return packed
            ranked = sorted(weights, key=lambda k: max(abs(w) for w in weights[k]))
            for k in ranked[: max(1, len(ranked) // 4)]:
                del weights[k]

    @classmethod
    def from_bytes(cls, packed: bytes) -> LinearModel:
        body = json.loads(zlib.decompress(packed))
        return cls(
            labels=list(body["labels"]),
            weights={int(k): [float(w) for w in row] for k, row in body["weights"].items()},
            bias=[float(b) for b in body["bias"]],
            examples=int(body["examples"]),
            per_label={str(k): int(v) for k, v in body["per_label"].items()},
            alpha=float(body.get("alpha", 0.0)),
        )


def train(
    examples: Sequence[tuple[str, str]], labels: Sequence[str], epochs: int = 8, rate: float = 0.8, l2: float = 1e-5
) -> LinearModel:
    """Fit the model by stochastic gradient descent (deterministic: the order is shuffled with a fixed seed)."""
    names = list(labels)
    index = {name: k for k, name in enumerate(names)}
    data = [(features(text), index[label]) for text, label in examples if label in index]
    model = LinearModel(labels=names, bias=[0.0] * len(names), examples=len(data))
    for _text, label in examples:
        if label in index:
            model.per_label[label] = model.per_label.get(label, 0) + 1
    # Balanced: each label weighs as much in total as any other, so macro-F1 is what improves.
    counts = [sum(1 for _f, g in data if g == k) for k in range(len(names))]
    balance = [len(data) / (len(names) * c) if c else 0.0 for c in counts]
    order = list(range(len(data)))
    shuffler = random.Random(20261123)  # noqa: S311 - ordering training examples, not security
    for epoch in range(epochs):
        shuffler.shuffle(order)
        step = rate / (1 + epoch * 0.5)
        for i in order:
            feats, gold = data[i]
            probs = model.probabilities(feats)
            for k, name in enumerate(names):
                gradient = (probs[name] - (1.0 if k == gold else 0.0)) * balance[gold]
                if gradient == 0.0:
                    continue
                model.bias[k] -= step * gradient
                for f, value in feats.items():
                    row = model.weights.setdefault(f, [0.0] * len(names))
                    row[k] -= step * (gradient * value + l2 * row[k])
    return model


def weight(model: LinearModel | None) -> float:
    """How much the tenant model counts (0 below MIN_EXAMPLES)."""
    if model is None or model.examples < MIN_EXAMPLES:
        return 0.0
    return model.alpha


@dataclass(frozen=True)
class Example:
    """One correction: the customer's words, the label the agent gave, the built-in scores for them."""

    text: str
    label: str
    builtin: dict[str, float]


def fit(examples: Sequence[Example], labels: Sequence[str]) -> LinearModel:
    """Train on every example and choose the blending weight from out-of-fold predictions."""
    model = train([(e.text, e.label) for e in examples], labels)
    if model.examples < MIN_EXAMPLES:
        return model
    usable = [e for e in examples if e.label in labels]
    random.Random(FOLDS).shuffle(usable)  # noqa: S311 - folds must not follow the order corrections came in
    folds = [usable[i::FOLDS] for i in range(FOLDS)]
    oof: list[tuple[Example, dict[str, float]]] = []
    for i, held in enumerate(folds):
        rest = [e for j, fold in enumerate(folds) if j != i for e in fold]
        part = train([(e.text, e.label) for e in rest], labels)
        oof += [(e, part.probabilities(features(e.text))) for e in held]
    gold = [e.label for e, _ in oof]
    best, best_f1 = 0.0, -1.0
    for alpha in ALPHAS:
        predicted = [_mix(e.builtin, learned, alpha)[0] for e, learned in oof]
        score = _macro_f1(gold, predicted, labels)
        if score > best_f1 + 1e-9:
            best, best_f1 = alpha, score
    model.alpha = best
    return model


def _mix(builtin: dict[str, float], learned: dict[str, float], alpha: float) -> tuple[str, dict[str, float]]:
    k = len(builtin) or 1
    scores = {
        name: (1 - alpha) * builtin[name] + alpha * ((1 - SMOOTHING) * learned.get(name, 0.0) + SMOOTHING / k)
        for name in builtin
    }
    total = sum(scores.values()) or 1.0
    scores = {name: value / total for name, value in scores.items()}
    return max(scores, key=lambda n: scores[n]), scores


def _macro_f1(gold: Sequence[str], predicted: Sequence[str], labels: Sequence[str]) -> float:
    total = 0.0
    for name in labels:
        tp = sum(1 for g, p in zip(gold, predicted, strict=True) if g == name and p == name)
        fp = sum(1 for g, p in zip(gold, predicted, strict=True) if g != name and p == name)
        fn = sum(1 for g, p in zip(gold, predicted, strict=True) if g == name and p != name)
        total += 2 * tp / (2 * tp + fp + fn) if tp else 0.0
    return total / len(labels) if labels else 0.0


def blend(builtin: dict[str, float], model: LinearModel | None, text: str) -> tuple[str, dict[str, float]]:
    """The blended label and scores over the built-in label set."""
    alpha = weight(model)
    if model is None or alpha == 0.0:
        return max(builtin, key=lambda k: builtin[k]), dict(builtin)
    return _mix(builtin, model.probabilities(features(text)), alpha)


@dataclass
class TenantModels:
    """A tenant's models per task, trained together from its corrections."""

    models: dict[str, LinearModel]
    trained_at: str
    corrections: int

    def for_task(self, task: str) -> LinearModel | None:
        return self.models.get(task)
