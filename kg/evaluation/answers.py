"""Answers scored against the gold questions: recall, precision and out-of-scope answers, per set.

Four sets, each reported apart: the seed's 99 questions (tests/gold/questions.json), the 35 of the
dev2 pages (tests/gold/dev2.json), and two sets written blind about the dev and dev2 pages by
helpers who saw neither the code nor its answers: 103 (tests/gold/ask_new.json) and 70 more, written
later (tests/gold/ask_fresh.json). A set's documents are built into a data home of its own (in a temporary
directory, the user's untouched), and a question about one page is asked of that page's plan, as a
reader of that plan would (``kg ask --plan``); an out-of-scope question is asked of every plan and
must get no unit. Units are compared by their names as the page writes them (spaces removed,
punctuation folded).
"""

from __future__ import annotations

import json
import re
import tempfile
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

from ..config import ROOT, Settings
from ..text import fold_width, slugify

DEFAULT_SETS = ("questions.json", "dev2.json", "ask_new.json", "ask_fresh.json")


@dataclass
class Question:
    id: str
    question: str
    expected: list[str]
    doc: Path | None  # the page it is about (None: every plan)
    kind: str = ""


def _name(text: str) -> str:
    return re.sub(r"\s+", "", fold_width(text))


def question_set(settings: Settings, path: Path) -> tuple[list[Path], list[Question]]:
    """The documents a gold set is about and its questions, whichever of the three shapes it has."""
    gold = json.loads(Path(path).read_text(encoding="utf-8"))
    data = ROOT / "tests" / "data"
    if "docs" in gold:  # dev2.json, holdout.json: questions per page
        folder = ROOT / gold.get("data", "tests/data/" + Path(path).stem)
        documents = [folder / name for name in gold["docs"]]
        questions = [Question(f"{Path(path).stem}-{i}", q["q"], q["units"], folder / name)
                     for name, doc in gold["docs"].items() for i, q in enumerate(doc.get("questions", []), 1)]
        questions += [Question(f"{Path(path).stem}-oos{i}", q if isinstance(q, str) else q["q"], [], None, "out_of_scope")
                      for i, q in enumerate(gold.get("out_of_scope", []), 1)]
        return documents, questions
    if any("doc" in q for q in gold["questions"]):  # ask_new.json: "dev/…" or "dev2/…" or "*"
        docs = sorted({q["doc"] for q in gold["questions"] if q.get("doc", "*") != "*"})
        documents = [data / d for d in docs]
        questions = [Question(q["id"], q["question"], q["expected"], None if q.get("doc", "*") == "*" else data / q["doc"],
                              q.get("kind", "")) for q in gold["questions"]]
        return documents, questions
    # questions.json: the bundled plans
    documents = sorted(settings.plans_dir.glob("*.txt"))
    return documents, [Question(q["id"], q["question"], q["expected"], None, q.get("kind", "")) for q in gold["questions"]]


def score_set(service, questions: Iterable[Question], name: str) -> dict:
    tp = predicted = expected = 0
    empty_ok = out_of_scope = 0
    wrong: list[dict] = []
    count = 0
    for q in questions:
        count += 1
        plans = [slugify(q.doc.stem)] if q.doc else None
        answer = service.ask(q.question, plans=plans)
        got = {_name(a["label_zh"]) for a in answer["answers"]}
        want = {_name(u) for u in q.expected}
        if not want:
            out_of_scope += 1
            empty_ok += not got
        else:
            tp += len(got & want)
            predicted += len(got)
            expected += len(want)
        if got != want:
            wrong.append({"id": q.id, "question": q.question, "missed": sorted(want - got), "extra": sorted(got - want),
                          "concepts": [c["label_en"] for c in answer["concepts"]],
                          "not_understood": answer.get("not_understood", [])})
    recall = tp / expected if expected else 1.0
    precision = tp / predicted if predicted else 1.0
    return {
        "gold": name,
        "questions": count,
        "recall": round(recall, 4),
        "precision": round(precision, 4),
        "f1": round(2 * recall * precision / (recall + precision), 4) if recall + precision else 0.0,
        "out_of_scope": {"questions": out_of_scope, "empty": empty_ok},
        "exact": count - len(wrong),
        "wrong": wrong,
    }


def score_ask(settings: Settings, gold_paths: Iterable[Path] = ()) -> dict:
    """Every set scored in a build of its own documents."""
    from ..build.pipeline import build
    from ..service.facade import Service

    paths = list(gold_paths) or [settings.gold_dir / name for name in DEFAULT_SETS]
    sets = []
    for path in paths:
        documents, questions = question_set(settings, path)
        with tempfile.TemporaryDirectory(prefix="kg-eval-") as home:
            scratch = Settings.from_env(home, cache_dir=settings.cache_dir)
            build(scratch, documents, progress=False)
            service = Service(scratch)
            sets.append(score_set(service, questions, Path(path).name))
            del service  # the store is closed before its directory goes
    return {"sets": sets}


def format_ask_scores(scores: dict, errors: bool = False) -> str:
    lines = [f"{'gold':<18}{'questions':>10}{'exact':>7}{'recall':>8}{'precision':>10}{'F1':>7}  out of scope"]
    for s in scores["sets"]:
        oos = s["out_of_scope"]
        lines.append(f"{s['gold']:<18}{s['questions']:>10}{s['exact']:>7}{s['recall']:>8.3f}{s['precision']:>10.3f}"
                     f"{s['f1']:>7.3f}  {oos['empty']}/{oos['questions']} empty")
    if errors:
        for s in scores["sets"]:
            lines.append("")
            lines.append(s["gold"])
            for w in s["wrong"]:
                lines.append(f"  {w['id']} {w['question']}  missed {w['missed']} extra {w['extra']}  "
                             f"concepts {w['concepts']}  not understood {w['not_understood']}")
    return "\n".join(lines)
