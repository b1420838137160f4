"""Accuracy of the built-in classifier on the third-party evaluation data (``../shared/data``).

The data is research material under non-commercial licences: it is read in place, never copied,
and nothing shipped learns from it (:func:`learning_gain` trains throw-away tenant models to measure
what corrections buy, and keeps nothing). :func:`evaluate` scores every label it can against each file that
is present and returns rows of macro-F1 (over the label set of that file) per label and language.

Datasets and what is scored (see ``PROVENANCE.md`` next to the data):

- ``en_airline_sentiment_dev.csv``: sentiment (repeated tweet ids skipped).
- ``en_tweeteval_sentiment_val.csv``: sentiment on general tweets (out of domain).
- ``ja_chabsa_polarity_train.csv``: sentiment, positive/negative only (business reports).
- ``ja_wrime_v1_dev.tsv``: sentiment against a proxy polarity from the readers' emotions:
  pos = Joy + Trust, neg = Sadness + Anger + Fear + Disgust; positive if pos - neg >= 0.5,
  negative if neg - pos >= 0.5, neutral otherwise.
- ``ja_support_dev.jsonl``: sentiment, intent, urgency and personal data (post-level PII types).
- ``ja_toxic_subset.csv``: proxy "toxic posts are negative": toxic when at least half the votes are
  Toxic or Very Toxic, clean when more than half are Not Toxic (the rest is skipped); scored as
  negative vs not negative.
- ``en_twcs_airlines_intent_labeled.csv``: its tags are topics (DELAY, BAGGAGE, NEWFEAT, ...), not
  intents, so no F1 is computed; the row holds the predicted-intent distribution per tag.
"""

from __future__ import annotations

import csv
import json
import re
from collections import Counter
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from mentiondesk.triage.classifier import Classification, classify

ClassifyFn = Callable[[str, str | None], Classification]

PII_TYPES = ("phone", "email", "postal_address", "card_number", "order_number", "full_name")
_TWCS_WRAPPER_RE = re.compile(r"<cust__|__cust>|<rep__|__rep>|__company__|__cust__")


class DataFolderMissing(Exception):
    """The evaluation data folder does not exist (it is not part of the repository)."""


@dataclass
class Row:
    """One line of the table: a label scored on one file."""

    dataset: str
    label: str
    language: str
    n: int
    macro_f1: float | None
    per_class: dict[str, float] = field(default_factory=dict)
    note: str = ""
    details: dict[str, Any] = field(default_factory=dict)


@dataclass
class Report:
    data_dir: str
    rows: list[Row]
    skipped: list[str]

    def as_dict(self) -> dict[str, Any]:
        return {"data_dir": self.data_dir, "rows": [asdict(row) for row in self.rows], "skipped": self.skipped}


def default_data_dir() -> Path:
    """``../shared/data`` next to the repository (found from this file, else the working directory)."""
    repo = Path(__file__).resolve().parents[4]
    base = repo if (repo / "pyproject.toml").is_file() else Path.cwd()
    return (base / ".." / "shared" / "data").resolve()


def f1_scores(
    gold: Sequence[str], predicted: Sequence[str], labels: Iterable[str] | None = None
) -> tuple[float, dict[str, float]]:
    """Macro-F1 over ``labels`` (default: the gold label set) and the F1 of each label.

    Predictions outside the label set (neutral on a positive/negative file) count as misses.
    """
    names = sorted(set(gold)) if labels is None else list(labels)
    per_class: dict[str, float] = {}
    for name in names:
        tp = sum(1 for g, p in zip(gold, predicted, strict=True) if g == name and p == name)
        fp = sum(1 for g, p in zip(gold, predicted, strict=True) if g != name and p == name)
        fn = sum(1 for g, p in zip(gold, predicted, strict=True) if g == name and p != name)
        per_class[name] = round(2 * tp / (2 * tp + fp + fn), 4) if tp else 0.0
    macro = round(sum(per_class.values()) / len(per_class), 4) if per_class else 0.0
    return macro, per_class


def evaluate(data_dir: Path, classify_fn: ClassifyFn = classify) -> Report:
    """Score the classifier on every known file in ``data_dir``; absent files are listed as skipped."""
    if not data_dir.is_dir():
        raise DataFolderMissing(str(data_dir))
    rows: list[Row] = []
    skipped: list[str] = []
    for name, scorer in _SCORERS:
        path = data_dir / name
        if not path.is_file():
            skipped.append(name)
            continue
        rows.extend(scorer(path, classify_fn))
    return Report(data_dir=str(data_dir), rows=rows, skipped=skipped)


def format_table(report: Report) -> str:
    """The report as a fixed-width text table."""
    header = f"{'dataset':<36} {'label':<22} {'lang':<4} {'n':>6} {'macro-F1':>8}  per class"
    lines = [f"data: {report.data_dir}", header, "-" * len(header)]
    for row in report.rows:
        score = f"{row.macro_f1:.3f}" if row.macro_f1 is not None else "n/a"
        classes = " ".join(f"{k}={v:.2f}" for k, v in row.per_class.items())
        text = f"{row.dataset:<36} {row.label:<22} {row.language:<4} {row.n:>6} {score:>8}  {classes}"
        if row.note:
            text += f"  ({row.note})"
        lines.append(text)
    if report.skipped:
        lines.append("skipped (absent): " + ", ".join(report.skipped))
    return "\n".join(lines)


# --- one scorer per file ------------------------------------------------------------------------


def _score(
    dataset: str,
    label: str,
    language: str,
    gold: Sequence[str],
    predicted: Sequence[str],
    labels: Iterable[str] | None = None,
) -> Row:
    macro, per_class = f1_scores(gold, predicted, labels)
    return Row(dataset=dataset, label=label, language=language, n=len(gold), macro_f1=macro, per_class=per_class)


def _read_csv(path: Path, delimiter: str = ",") -> Iterator[dict[str, str]]:
    with path.open(encoding="utf-8", newline="") as handle:
        yield from csv.DictReader(handle, delimiter=delimiter)


def _airline(path: Path, classify_fn: ClassifyFn) -> list[Row]:
    gold, predicted = [], []
    for record in _read_csv(path):
        if record.get("duplicate_tweet_id") == "1" or record.get("holdout_split", "dev") != "dev":
            continue
        gold.append(record["airline_sentiment"])
        predicted.append(classify_fn(record["text"], None).sentiment)
    return [_score(path.name, "sentiment", "en", gold, predicted)]


def _tweeteval(path: Path, classify_fn: ClassifyFn) -> list[Row]:
    gold, predicted = [], []
    for record in _read_csv(path):
        gold.append(record["label"])
        predicted.append(classify_fn(record["text"], None).sentiment)
    row = _score(path.name, "sentiment", "en", gold, predicted)
    row.note = "general tweets, out of domain"
    return [row]


def _chabsa(path: Path, classify_fn: ClassifyFn) -> list[Row]:
    gold, predicted = [], []
    for record in _read_csv(path):
        gold.append(record["label"])
        predicted.append(classify_fn(record["text"], "ja").sentiment)
    row = _score(path.name, "sentiment", "ja", gold, predicted, ("negative", "positive"))
    row.note = "business reports; neutral predictions count as misses"
    return [row]


def wrime_proxy_polarity(record: dict[str, str]) -> str:
    """The proxy polarity of one WRIME ver.1 row from the average readers' emotion intensities."""

    def avg(name: str) -> float:
        return float(record[f"Avg. Readers_{name}"])

    # Rounded: the averages are thirds, and 0.7 - 0.2 must count as 0.5 (floats say 0.49999...).
    difference = round(avg("Joy") + avg("Trust") - (avg("Sadness") + avg("Anger") + avg("Fear") + avg("Disgust")), 6)
    if difference >= 0.5:
        return "positive"
    if difference <= -0.5:
        return "negative"
    return "neutral"


def _wrime(path: Path, classify_fn: ClassifyFn) -> list[Row]:
    gold, predicted = [], []
    for record in _read_csv(path, delimiter="\t"):
        gold.append(wrime_proxy_polarity(record))
        predicted.append(classify_fn(record["Sentence"], "ja").sentiment)
    row = _score(path.name, "sentiment", "ja", gold, predicted)
    row.note = "proxy polarity from readers' emotions"
    return [row]


def _support(path: Path, classify_fn: ClassifyFn) -> list[Row]:
    records = []
    with path.open(encoding="utf-8") as handle:
        for line in handle:
            if line.strip():
                records.append(json.loads(line))
    results = [classify_fn(str(r.get("text", "")), r.get("lang")) for r in records]
    language = Counter(str(r.get("lang", "?")) for r in records).most_common(1)[0][0] if records else "?"
    rows = []
    for label in ("sentiment", "intent", "urgency"):
        pairs = [(r[label], getattr(c, label, None)) for r, c in zip(records, results, strict=True) if label in r]
        if not pairs:
            continue
        gold = [g for g, _ in pairs]
        predicted = [str(p) for _, p in pairs]
        rows.append(_score(path.name, label, language, gold, predicted))
    pii_pairs = [(r["pii"], c) for r, c in zip(records, results, strict=True) if "pii" in r]
    if pii_pairs and all(hasattr(c, "pii") for _, c in pii_pairs):
        rows.append(_pii_row(path.name, language, pii_pairs))
    return rows


def _pii_row(dataset: str, language: str, pairs: list[tuple[list[str], Classification]]) -> Row:
    """Post-level PII: for each type, did we find it in the posts that have it (and only those)."""
    per_class: dict[str, float] = {}
    counts: dict[str, dict[str, int]] = {}
    for pii_type in PII_TYPES:
        tp = fp = fn = 0
        for gold_types, result in pairs:
            found = any(match.type == pii_type for match in getattr(result, "pii", []))
            expected = pii_type in gold_types
            tp += found and expected
            fp += found and not expected
            fn += expected and not found
        if tp + fp + fn:
            per_class[pii_type] = round(2 * tp / (2 * tp + fp + fn), 4)
            counts[pii_type] = {"tp": tp, "fp": fp, "fn": fn}
    macro = round(sum(per_class.values()) / len(per_class), 4) if per_class else None
    return Row(
        dataset=dataset,
        label="pii (post-level type)",
        language=language,
        n=len(pairs),
        macro_f1=macro,
        per_class=per_class,
        details={"counts": counts},
    )


def _toxic(path: Path, classify_fn: ClassifyFn) -> list[Row]:
    gold, predicted = [], []
    for record in _read_csv(path):
        votes = int(record["annotation_num"] or 0)
        if not votes:
            continue
        toxic = int(record["Toxic"]) + int(record["Very Toxic"])
        if 2 * toxic >= votes:
            gold.append("toxic")
        elif 2 * int(record["Not Toxic"]) > votes:
            gold.append("clean")
        else:
            continue
        negative = classify_fn(record["text"], "ja").sentiment == "negative"
        predicted.append("toxic" if negative else "clean")
    row = _score(path.name, "toxic→negative", "ja", gold, predicted)
    row.note = "proxy: toxic posts should be negative; ambiguous votes skipped"
    return [row]


def _twcs(path: Path, classify_fn: ClassifyFn) -> list[Row]:
    by_tag: dict[str, Counter[str]] = {}
    n = 0
    for record in _read_csv(path):
        text = " ".join(_TWCS_WRAPPER_RE.sub(" ", record["first_utterance"]).split())
        intent = str(getattr(classify_fn(text, "en"), "intent", "?"))
        by_tag.setdefault(record["tag"], Counter())[intent] += 1
        n += 1
    distribution = {tag: dict(counts.most_common()) for tag, counts in sorted(by_tag.items())}
    return [
        Row(
            dataset=path.name,
            label="intent",
            language="en",
            n=n,
            macro_f1=None,
            note="tags are topics, not intents: predicted-intent distribution per tag in --json",
            details={"predicted_intent_by_tag": distribution},
        )
    ]


_SCORERS: tuple[tuple[str, Callable[[Path, ClassifyFn], list[Row]]], ...] = (
    ("en_airline_sentiment_dev.csv", _airline),
    ("en_tweeteval_sentiment_val.csv", _tweeteval),
    ("en_twcs_airlines_intent_labeled.csv", _twcs),
    ("ja_chabsa_polarity_train.csv", _chabsa),
    ("ja_wrime_v1_dev.tsv", _wrime),
    ("ja_support_dev.jsonl", _support),
    ("ja_toxic_subset.csv", _toxic),
)


# --- the gain from a tenant's corrections ---------------------------------------------------------

ExampleSet = tuple[str, str, str, list[tuple[str, str | None, str]]]  # dataset, label, language, (text, hint, gold)


def _learning_sets(data_dir: Path) -> list[ExampleSet]:
    sets: list[ExampleSet] = []
    rows: list[tuple[str, str | None, str]]
    airline = data_dir / "en_airline_sentiment_dev.csv"
    if airline.is_file():
        rows = [
            (r["text"], None, r["airline_sentiment"])
            for r in _read_csv(airline)
            if r.get("duplicate_tweet_id") != "1" and r.get("holdout_split", "dev") == "dev"
        ]
        sets.append((airline.name, "sentiment", "en", rows))
    wrime = data_dir / "ja_wrime_v1_dev.tsv"
    if wrime.is_file():
        rows = [(r["Sentence"], "ja", wrime_proxy_polarity(r)) for r in _read_csv(wrime, delimiter="\t")]
        sets.append((wrime.name, "sentiment", "ja", rows))
    support = data_dir / "ja_support_dev.jsonl"
    if support.is_file():
        with support.open(encoding="utf-8") as handle:
            records = [json.loads(line) for line in handle if line.strip()]
        for label in ("sentiment", "intent", "urgency"):
            rows = [(str(r.get("text", "")), r.get("lang"), str(r[label])) for r in records if label in r]
            sets.append((support.name, label, "ja", rows))
    return sets


def learning_gain(data_dir: Path, classify_fn: ClassifyFn = classify) -> list[dict[str, Any]]:
    """What a batch of agent corrections buys: each file is split in two (alternate rows); the first
    half plays the corrections a tenant's agents made, a tenant model learns from it exactly as the
    scheduled training does, and both the built-in and the blended classifier are scored on the
    second half. The model is thrown away afterwards: nothing learned here is kept or shipped."""
    from mentiondesk.triage.learned import Example, blend, fit, weight

    if not data_dir.is_dir():
        raise DataFolderMissing(str(data_dir))
    out: list[dict[str, Any]] = []
    for dataset, label, language, rows in _learning_sets(data_dir):
        full, test = rows[0::2], rows[1::2]
        labels = sorted({gold for _t, _h, gold in rows})
        scored = [(text, hint, gold, _scores(classify_fn, text, hint, label, labels)) for text, hint, gold in full]
        tested = [(text, hint, gold, classify_fn(text, hint)) for text, hint, gold in test]
        # A large file also shows what a few hundred corrections (a small team's first weeks) buy.
        sizes = [SMALL_BATCH, len(full)] if len(full) > 2 * SMALL_BATCH else [len(full)]
        for size in sizes:
            model = fit([Example(text, gold, scores) for text, _h, gold, scores in scored[:size]], labels)
            gold, before, after = [], [], []
            for text, _hint, expected, result in tested:
                scores = dict(getattr(result, f"{label}_scores"))
                blended, _ = blend({k: scores.get(k, 0.0) for k in labels}, model, text)
                gold.append(expected)
                before.append(str(getattr(result, label)))
                after.append(blended)
            f1_before, _ = f1_scores(gold, before, labels)
            f1_after, _ = f1_scores(gold, after, labels)
            out.append(
                {
                    "dataset": dataset,
                    "label": label,
                    "language": language,
                    "corrections": size,
                    "test": len(test),
                    "weight": round(weight(model), 3),
                    "builtin_f1": f1_before,
                    "blended_f1": f1_after,
                    "gain": round(f1_after - f1_before, 4),
                }
            )
    return out


SMALL_BATCH = 300


def _scores(classify_fn: ClassifyFn, text: str, hint: str | None, label: str, labels: list[str]) -> dict[str, float]:
    raw = dict(getattr(classify_fn(text, hint), f"{label}_scores"))
    return {k: raw.get(k, 0.0) for k in labels}


def format_learning(rows: list[dict[str, Any]]) -> str:
    header = (
        f"{'dataset':<32} {'label':<10} {'lang':<4} {'batch':>6} {'test':>6} {'weight':>6}"
        f" {'built-in':>8} {'blended':>8} {'gain':>7}"
    )
    lines = ["the gain from a batch of corrections (first half learned, second half scored)", header, "-" * len(header)]
    for r in rows:
        lines.append(
            f"{r['dataset']:<32} {r['label']:<10} {r['language']:<4} {r['corrections']:>6} {r['test']:>6} "
            f"{r['weight']:>6.2f} {r['builtin_f1']:>8.3f} {r['blended_f1']:>8.3f} {r['gain']:>+7.3f}"
        )
    return "\n".join(lines)
