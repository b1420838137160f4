"""Unit tests for the evaluation harness and the ``evaluate`` command, on a tiny synthetic data folder.

The folder is written here, in the shapes of the real files (same names, columns and quirks), with
posts of our own. The real evaluation data is never read by the test suite.
"""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path
from typing import Any

import pytest
from mentiondesk.triage import Classification, classify
from mentiondesk.triage.cli import evaluate_main
from mentiondesk.triage.evaluate import (
    DataFolderMissing,
    default_data_dir,
    evaluate,
    f1_scores,
    format_table,
    wrime_proxy_polarity,
)
from mentiondesk.triage.pii import PiiMatch

pytestmark = pytest.mark.unit

EMOTIONS = ("Joy", "Sadness", "Anticipation", "Surprise", "Anger", "Fear", "Disgust", "Trust")


def _write_csv(path: Path, header: list[str], rows: list[list[Any]], delimiter: str = ",") -> None:
    with path.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle, delimiter=delimiter)
        writer.writerow(header)
        writer.writerows(rows)


def _wrime_row(sentence: str, **avg: float) -> list[Any]:
    writer = [0] * 8
    readers = [0] * 24
    average = [avg.get(name, 0.0) for name in EMOTIONS]
    return [sentence, 1, "2017/01/01 10:00", "dev", *writer, *readers, *average]


@pytest.fixture
def data_dir(tmp_path: Path) -> Path:
    """A folder with one tiny file per dataset the harness knows."""
    folder = tmp_path / "data"
    folder.mkdir()
    _write_csv(
        folder / "en_airline_sentiment_dev.csv",
        ["tweet_id", "airline_sentiment", "text", "holdout_split", "duplicate_tweet_id"],
        [
            [1, "positive", "@SkyJet thank you so much, the crew were wonderful", "dev", 0],
            [2, "negative", "@SkyJet delayed again and nobody answers the phone", "dev", 0],
            [3, "neutral", "@SkyJet what time does boarding start for SJ12?", "dev", 0],
            [2, "negative", "@SkyJet delayed again and nobody answers the phone", "dev", 1],  # repeated id
            [4, "positive", "a held-out row", "test", 0],
        ],
    )
    _write_csv(
        folder / "en_tweeteval_sentiment_val.csv",
        ["text", "label_id", "label"],
        [["what a lovely sunny morning", 2, "positive"], ["the bus is late again, awful", 0, "negative"]],
    )
    _write_csv(
        folder / "ja_chabsa_polarity_train.csv",
        ["split", "text", "label_id", "label"],
        [
            ["train", "売上高は前年を上回り、好調に推移しました", 1, "positive"],
            ["train", "原材料価格の上昇により、利益は減少しました", 0, "negative"],
            ["train", "当期の設備投資は主に工場の更新です", 1, "positive"],
        ],
    )
    header = ["Sentence", "UserID", "Datetime", "Train/Dev/Test"]
    header += [f"{who}_{e}" for who in ("Writer", "Reader1", "Reader2", "Reader3") for e in EMOTIONS]
    header += [f"Avg. Readers_{e}" for e in EMOTIONS]
    _write_csv(
        folder / "ja_wrime_v1_dev.tsv",
        header,
        [
            _wrime_row("今日のケーキ最高に美味しかった", Joy=2.0),
            _wrime_row("また電車が止まって最悪", Anger=1.5, Disgust=0.5),
            _wrime_row("明日は雨らしい", Surprise=0.3),
        ],
        delimiter="\t",
    )
    support = [
        {"id": "s1", "text": "アプリが落ちて使えない", "lang": "ja", "sentiment": "negative", "intent": "problem",
         "urgency": "normal", "pii": []},
        {"id": "s2", "text": "いつも丁寧な対応ありがとうございます", "lang": "ja", "sentiment": "positive",
         "intent": "praise", "urgency": "low", "pii": []},
        {"id": "s3", "text": "連絡先は090-1111-2222です。注文番号 B-55555 の件", "lang": "ja",
         "sentiment": "neutral", "intent": "problem", "urgency": "normal", "pii": ["phone", "order_number"]},
    ]  # fmt: skip
    (folder / "ja_support_dev.jsonl").write_text(
        "\n".join(json.dumps(r, ensure_ascii=False) for r in support) + "\n", encoding="utf-8"
    )
    _write_csv(
        folder / "ja_toxic_subset.csv",
        ["id", "text", "Not Toxic", "Hard to Say", "Toxic", "Very Toxic", "annotation_num"],
        [
            [1, "お前ほんと最低だな、消えろ", 0, 0, 2, 1, 3],  # toxic
            [2, "ありがとう、助かった", 3, 0, 0, 0, 3],  # clean
            [3, "まあ微妙かな", 1, 1, 1, 0, 3],  # ambiguous: skipped
        ],
    )
    _write_csv(
        folder / "en_twcs_airlines_intent_labeled.csv",
        ["first_tweet_id", "tag", "first_utterance", "context"],
        [
            [10, "DELAY", "<cust__  __company__  my flight is delayed 3 hours __cust>", ""],
            [11, "NEWFEAT", "<cust__  __company__  please add more flights to Sapporo __cust>", ""],
        ],
    )
    return folder


def _fake(labels: dict[str, dict[str, Any]]) -> Any:
    """A classifier that answers from a table keyed by text (neutral/other by default)."""

    def classify_fn(text: str, lang_hint: str | None) -> Classification:
        known = labels.get(text, {})
        return Classification(
            language=lang_hint or "en",
            language_score=1.0,
            sentiment=known.get("sentiment", "neutral"),
            sentiment_scores={"positive": 0.0, "neutral": 1.0, "negative": 0.0},
            intent=known.get("intent", "other"),
            urgency=known.get("urgency", "normal"),
            pii=known.get("pii", []),
        )

    return classify_fn


# --- metrics -------------------------------------------------------------------------------------


def test_macro_f1_by_hand() -> None:
    # Given gold and predicted labels worked out by hand
    gold = ["pos", "pos", "neg", "neg", "neu"]
    predicted = ["pos", "neg", "neg", "neg", "pos"]
    # When scored
    macro, per_class = f1_scores(gold, predicted)
    # Then pos: P 1/2 R 1/2 -> 0.5; neg: P 2/3 R 1 -> 0.8; neu: 0 -> macro 0.4333
    assert per_class == {"neg": 0.8, "neu": 0.0, "pos": 0.5}
    assert macro == pytest.approx(0.4333, abs=1e-4)


def test_predictions_outside_the_label_set_are_misses() -> None:
    # Given a two-class file and a classifier that answers neutral once
    macro, per_class = f1_scores(["positive", "negative"], ["positive", "neutral"], ("negative", "positive"))
    # Then neutral is no class of its own, only a missed negative
    assert per_class == {"negative": 0.0, "positive": 1.0}
    assert macro == 0.5


@pytest.mark.parametrize(
    ("avg", "expected"),
    [
        ({"Joy": 1.0}, "positive"),
        ({"Joy": 0.5, "Trust": 0.2, "Sadness": 0.2}, "positive"),  # 0.7 - 0.2 is exactly the boundary
        ({"Anger": 0.4, "Fear": 0.3}, "negative"),
        ({"Joy": 0.4, "Anger": 0.2}, "neutral"),
        ({"Surprise": 2.0, "Anticipation": 1.0}, "neutral"),  # emotions outside the proxy do not count
    ],
)
def test_wrime_proxy_polarity(avg: dict[str, float], expected: str) -> None:
    # Given average reader emotions
    record = {f"Avg. Readers_{e}": str(avg.get(e, 0.0)) for e in EMOTIONS}
    # When the proxy polarity is computed
    # Then it follows pos - neg >= 0.5 -> positive, <= -0.5 -> negative, neutral otherwise
    assert wrime_proxy_polarity(record) == expected


# --- the harness on the synthetic folder ---------------------------------------------------------


def test_every_file_is_scored_with_a_perfect_fake(data_dir: Path) -> None:
    # Given a fake classifier that knows every gold answer of the folder
    answers: dict[str, dict[str, Any]] = {
        "@SkyJet thank you so much, the crew were wonderful": {"sentiment": "positive"},
        "@SkyJet delayed again and nobody answers the phone": {"sentiment": "negative"},
        "what a lovely sunny morning": {"sentiment": "positive"},
        "the bus is late again, awful": {"sentiment": "negative"},
        "売上高は前年を上回り、好調に推移しました": {"sentiment": "positive"},
        "原材料価格の上昇により、利益は減少しました": {"sentiment": "negative"},
        "当期の設備投資は主に工場の更新です": {"sentiment": "positive"},
        "今日のケーキ最高に美味しかった": {"sentiment": "positive"},
        "また電車が止まって最悪": {"sentiment": "negative"},
        "アプリが落ちて使えない": {"sentiment": "negative", "intent": "problem"},
        "いつも丁寧な対応ありがとうございます": {"sentiment": "positive", "intent": "praise", "urgency": "low"},
        "連絡先は090-1111-2222です。注文番号 B-55555 の件": {
            "intent": "problem",
            "pii": [PiiMatch(type="phone", start=4, end=17), PiiMatch(type="order_number", start=25, end=32)],
        },
        "お前ほんと最低だな、消えろ": {"sentiment": "negative"},
    }
    # When the folder is evaluated
    report = evaluate(data_dir, classify_fn=_fake(answers))
    rows = {(row.dataset, row.label): row for row in report.rows}
    # Then each file and label has a row, scored perfectly, with the right counts
    assert report.skipped == []
    assert rows[("en_airline_sentiment_dev.csv", "sentiment")].n == 3  # repeated id and held-out row skipped
    assert rows[("ja_toxic_subset.csv", "toxic→negative")].n == 2  # ambiguous votes skipped
    scored = [row for row in report.rows if row.macro_f1 is not None]
    assert {(row.dataset, row.label) for row in scored} == {
        ("en_airline_sentiment_dev.csv", "sentiment"),
        ("en_tweeteval_sentiment_val.csv", "sentiment"),
        ("ja_chabsa_polarity_train.csv", "sentiment"),
        ("ja_wrime_v1_dev.tsv", "sentiment"),
        ("ja_support_dev.jsonl", "sentiment"),
        ("ja_support_dev.jsonl", "intent"),
        ("ja_support_dev.jsonl", "urgency"),
        ("ja_support_dev.jsonl", "pii (post-level type)"),
        ("ja_toxic_subset.csv", "toxic→negative"),
    }
    assert all(row.macro_f1 == 1.0 for row in scored), [(r.dataset, r.label, r.macro_f1) for r in scored]
    assert {row.language for row in scored} == {"en", "ja"}


def test_twcs_topics_are_described_not_scored(data_dir: Path) -> None:
    # Given a classifier that records what it was asked
    seen: list[str] = []

    def recording(text: str, lang_hint: str | None) -> Classification:
        seen.append(text)
        return _fake({})(text, lang_hint)

    # When the folder is evaluated
    report = evaluate(data_dir, classify_fn=recording)
    row = next(r for r in report.rows if r.dataset == "en_twcs_airlines_intent_labeled.csv")
    # Then the topic tags get a predicted-intent distribution, no F1, and the thread wrappers are stripped
    assert row.macro_f1 is None
    assert row.details["predicted_intent_by_tag"] == {"DELAY": {"other": 1}, "NEWFEAT": {"other": 1}}
    assert "my flight is delayed 3 hours" in seen
    assert not any("__" in text or "<cust" in text for text in seen)


def test_absent_files_are_listed_as_skipped(data_dir: Path) -> None:
    # Given a folder missing two files
    (data_dir / "ja_toxic_subset.csv").unlink()
    (data_dir / "ja_wrime_v1_dev.tsv").unlink()
    # When it is evaluated
    report = evaluate(data_dir, classify_fn=_fake({}))
    # Then they are named as skipped and the rest is scored
    assert report.skipped == ["ja_wrime_v1_dev.tsv", "ja_toxic_subset.csv"]
    assert "skipped (absent): ja_wrime_v1_dev.tsv, ja_toxic_subset.csv" in format_table(report)


def test_missing_folder_is_an_error(tmp_path: Path) -> None:
    with pytest.raises(DataFolderMissing):
        evaluate(tmp_path / "nowhere")


def test_real_classifier_on_the_synthetic_folder(data_dir: Path) -> None:
    # Given the built-in classifier
    # When the synthetic folder is evaluated
    report = evaluate(data_dir, classify_fn=classify)
    # Then every score is a valid F1, and the clear-cut support posts come out right
    for row in report.rows:
        assert row.macro_f1 is None or 0.0 <= row.macro_f1 <= 1.0
    pii = next(r for r in report.rows if r.label.startswith("pii"))
    assert pii.macro_f1 == 1.0


def test_default_data_dir_is_next_to_the_repository() -> None:
    # Given the package installed from this repository
    # Then the default data folder is ../shared/data seen from the repository root
    repo = Path(__file__).resolve().parents[2]
    assert default_data_dir() == (repo / ".." / "shared" / "data").resolve()


# --- the evaluate command ------------------------------------------------------------------------


def test_evaluate_command_prints_a_table(data_dir: Path) -> None:
    out = io.StringIO()
    assert evaluate_main([str(data_dir)], stdout=out) == 0
    text = out.getvalue()
    assert "macro-F1" in text
    assert "ja_support_dev.jsonl" in text and "urgency" in text


def test_evaluate_command_prints_json(data_dir: Path) -> None:
    out = io.StringIO()
    assert evaluate_main([str(data_dir), "--json"], stdout=out) == 0
    report = json.loads(out.getvalue())
    assert report["data_dir"] == str(data_dir)
    assert {"dataset", "label", "language", "n", "macro_f1", "per_class"} <= set(report["rows"][0])


def test_evaluate_command_without_data_fails_clearly(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    # Given a folder that does not exist
    missing = tmp_path / "shared" / "data"
    # When the command runs
    code = evaluate_main([str(missing)], stdout=io.StringIO())
    # Then it exits 2 and says where it looked and why the data is not there
    assert code == 2
    err = capsys.readouterr().err
    assert str(missing) in err and "not part of the repository" in err


def test_learning_gain_learns_a_tenants_own_words_from_half_and_scores_the_other_half(tmp_path: Path) -> None:
    from mentiondesk.triage.evaluate import format_learning, learning_gain

    folder = tmp_path / "data"
    folder.mkdir()
    # Our own words, a music shop's: a "delay pedal" or the "broken chord" album is no complaint,
    # but the built-in classifier reads the words as one.
    rows = []
    for i in range(120):
        if i % 3 == 0:
            rows.append([str(i), "neutral", f"my delay pedal order {i}", "dev", "0"])
        elif i % 3 == 1:
            rows.append([str(i), "neutral", f"the broken chord album {i} is out", "dev", "0"])
        else:
            rows.append([str(i), "negative", f"order {i} arrived damaged and nobody answers", "dev", "0"])
    _write_csv(
        folder / "en_airline_sentiment_dev.csv",
        ["tweet_id", "airline_sentiment", "text", "holdout_split", "duplicate_tweet_id"],
        rows,
    )
    (row,) = learning_gain(folder)
    assert (row["corrections"], row["test"]) == (60, 60)
    assert row["weight"] > 0 and row["builtin_f1"] < 0.6 and row["blended_f1"] > 0.9, row
    assert "en_airline_sentiment_dev.csv" in format_learning([row])


def test_evaluate_command_with_learning(data_dir: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert evaluate_main([str(data_dir), "--learning"]) == 0
    assert "the gain from a batch of corrections" in capsys.readouterr().out
