"""Questions in English and Chinese → units, roles, evidence; honest empty answers."""

from __future__ import annotations

import json
import math
import re

import pytest
from hypothesis import given
from hypothesis import strategies as st

from kg.ask.asker import understand, word_finder, word_spans
from kg.cli import main
from kg.errors import BadRequest

DUST = {"市住房城乡建设局", "市城管局", "市交通运输局"}


def units(answer) -> set[str]:
    return {a["label_zh"] for a in answer["answers"]}


@pytest.mark.parametrize(
    "question",
    [
        "who handles construction dust?",
        "Who is in charge of construction-site dust?",
        "工地扬尘归谁管？",
        "工地扬尘找谁",
        "施工扬尘哪个部门负责",
    ],
)
def test_construction_dust(service, question):
    answer = service.ask(question)
    assert units(answer) == DUST
    for unit in answer["answers"]:
        evidence = unit["evidence"][0]
        assert evidence["highlight"], evidence
        marked = "|".join(evidence["text"][a:b] for a, b in evidence["highlight"])
        assert any(word in marked for word in ("扬尘", "工地", "施工")), marked


def test_answer_follows_the_contract(service):
    answer = service.ask("who handles construction dust?")
    assert set(answer) >= {"question", "concepts", "answers", "sparql"}
    unit = answer["answers"][0]
    assert set(unit) >= {"unit", "label_zh", "label_en", "role", "score", "evidence"}
    assert set(unit["evidence"][0]) >= {"duty", "text", "highlight"}
    assert unit["role"] in {"lead", "joint", "support"}
    assert answer["sparql"].startswith("PREFIX")
    assert answer["total"] == len(answer["answers"]) == 3  # at most 50 are listed; total counts them all


def test_the_shown_sparql_runs_and_agrees(service):
    answer = service.ask("谁管渣土车")
    rows = json.loads(service.sparql(answer["sparql"])[0])["results"]["bindings"]
    assert units(answer) <= {r["unit_zh"]["value"] for r in rows}  # the query finds, the ranking keeps
    assert answer["answers"][0]["label_zh"] == "市公安局"


@pytest.mark.parametrize(
    "question, expected",
    [
        ("who deals with dump trucks?", {"市公安局", "市行政审批局"}),  # a synonym of 渣土车; and its transport approval
        ("Which department is responsible for refined oil?", {"市商务局", "市市场监管局"}),
        ("who controls high-emission vehicles?", {"市公安局", "市生态环境局"}),
        ("哪个部门负责成品油质量", {"市市场监管局"}),
    ],
)
def test_synonyms_and_paraphrases(service, question, expected):
    assert units(service.ask(question)) == expected


def test_broader_terms_expand(service):
    answer = service.ask("who deals with vehicles?")
    assert {"市公安局", "市交通运输局"} <= units(answer)
    assert answer["concepts"][0]["narrower"] >= 5


def test_roles_rank_lead_above_support(service):
    answer = service.ask("who handles high-emission vehicles?")
    roles = {a["label_zh"]: a["role"] for a in answer["answers"]}
    assert roles == {"市公安局": "lead", "市生态环境局": "support"}
    assert answer["answers"][0]["label_zh"] == "市公安局"


@pytest.mark.parametrize(
    "question",
    ["Who handles earthquake rescue?", "who handles noise?", "地震救援找谁", "谁负责防汛", "what is the weather like"],
)
def test_out_of_scope_has_no_answer(service, question):
    answer = service.ask(question)
    assert answer["answers"] == []
    assert answer["understood"]


@pytest.mark.parametrize("question", ["冰雹砸坏了庄稼，工地扬尘归谁管？",
                                      "Hail wrecked the crops. Who handles construction dust?"])
def test_what_sets_the_scene_does_not_veto(service, question):
    """Hail and crops are in no duty of the seed; said where the question sets the scene, not where
    it asks, they do not stop the answer. Asked about, they do (the next test)."""
    assert units(service.ask(question)) == DUST


@pytest.mark.parametrize("question", ["Who handles hail?", "冰雹归谁管？", "Who handles construction dust and hail?"])
def test_what_is_asked_and_lacking_vetoes(service, question):
    answer = service.ask(question)
    assert answer["answers"] == [] and "hail" in answer["understood"]


def test_asking_clauses():
    from kg.ask.question import asking_clauses

    assert asking_clauses("The forest fire is near the houses. Who evacuates the residents?") == [
        "who evacuates the residents?"]
    assert asking_clauses("台风要来了，工地上的工人由谁组织撤离？") == ["工地上的工人由谁组织撤离?"]
    assert asking_clauses("地铁突然停运，归谁管？") == []  # the asking clause says nothing else
    assert asking_clauses("Who monitors readings like PM2.5?") == []  # one sentence: no scene


def test_boilerplate_does_not_answer(service):
    answer = service.ask("who completes other tasks assigned by the command?")
    assert answer["answers"] == []


def test_injection_text_is_just_text(service):
    answer = service.ask('") || CONTAINS(?label, "')
    assert answer["answers"] == []


@pytest.mark.parametrize("question", ["", "   ", "x" * 100_000])
def test_absurd_questions_are_refused(service, question):
    with pytest.raises(BadRequest):
        service.ask(question)


def test_understand_strips_cues(thesaurus):
    u = understand("Who is responsible for schools?", thesaurus)
    assert [c.key for p in u.parts for c in p.concepts] == ["school"]
    u = understand("学校的事归谁管", thesaurus)
    assert [c.key for p in u.parts for c in p.concepts] == ["school"]


@pytest.mark.parametrize("question, content", [
    ("工地扬尘归谁管？", "工地扬尘"), ("谁来管", ""), ("谁来管理学校？", "学校"),
    # a one-character cue verb followed by more Chinese is the question's own word
    ("河上的船谁来管制？", "河上的船 管制"), ("谁来管控渣土车？", "管控渣土车"), ("谁问责？", "问责"),
    ("渣土车由谁管控？", "渣土车 管控"),
])
def test_cue_words_leave_the_question_s_own_words(question, content):
    from kg.ask.question import strip_cues

    assert strip_cues(question) == ("zh", content)


def test_an_action_and_a_thing_sharing_a_word_are_one_place(thesaurus):
    """"medical rescue team": the action "medical rescue" and the object "rescue team" share
    "rescue": one slot, either meets it. Two things sharing a word are both asked."""
    from kg.ask.question import concept_slots

    u = understand("Who sends a medical rescue team?", thesaurus)
    assert {p.text for p in u.parts} >= {"medical rescue", "rescue team"}
    slots = concept_slots(u.parts, lambda w: False)
    team = next(s for s in slots if "rescue team" in s.text)
    assert team.text == "medical rescue team" and team.thing
    assert {thesaurus.concepts[i].key for i in team.direct} >= {"medical-treatment", "rescue-force"}
    u = understand("建筑工地扬尘污染源数据库是哪个部门建的？", thesaurus)
    assert len(u.parts) == 2 and len(concept_slots(u.parts, lambda w: False)) == 2


@pytest.mark.parametrize("question, verbs", [
    ("An old man collapsed in the snow. Who organises medical help there?", {"organises"}),
    ("Who actually measures the PM2.5 levels?", {"measures"}),
    ("Which office should check prices?", {"check"}),
    ("Which local authorities repair dams?", {"repair"}),  # any body the cues know, in the plural too
    ("Who is getting the old kilns shut down?", {"getting"}),
    ("Which department is in charge of organisation?", {"in"}),  # the word after is not a verb: no concept
])
def test_an_english_questions_predicate(question, verbs):
    from kg.ask.question import predicates

    assert predicates(question) == verbs


def test_a_word_read_as_an_action_and_a_thing_is_the_action_where_it_is_the_predicate(thesaurus):
    """"Who organises medical help?": "organises" is the action 组织, not the object 组织 (an
    organisation), so it does not gate the clauses as a thing the question asks about; elsewhere
    ("Who pays the organisers of the rescue?") it keeps both readings."""
    from kg.ask.question import concept_slots

    def schemes(question, text):
        u = understand(question, thesaurus)
        part = next(p for p in u.parts if p.text.lower() == text)
        slot = next(s for s in concept_slots(u.parts, lambda w: False) if text in s.text.lower())
        return {c.scheme for c in part.concepts}, slot.thing

    assert schemes("Who organises medical help?", "organises") == ({"action"}, False)
    both, thing = schemes("Who pays the organisers of the rescue?", "organisers")
    assert both >= {"action", "object"} and thing


def test_conjoined_requests_are_asked_apart(thesaurus):
    """"病人救护和人间疫情监测" asks two things: a clause answering either answers (the patients
    gate the first, not the second); "检查和监督渣土车" is one request, its verbs sharing the trucks.
    English likewise, at "and" and "or"."""
    from dataclasses import replace

    from kg.ask.question import question_slots
    from kg.ask.retrieval import score_clauses
    from kg.search.postings import ROLE_IRIS, TableWriter

    def slots_of(question):
        u = understand(question, thesaurus)
        return question_slots(u, u.parts, lambda w: False)

    two = slots_of("谁负责病人救护和人间疫情监测？")
    assert {s.text: s.group for s in two} == {"病人": 0, "救护": 0, "人间": 1, "疫情": 1, "监测": 1}
    assert {s.group for s in slots_of("谁负责检查和监督渣土车？")} == {0}
    english = slots_of("Who monitors the epidemic and treats the injured?")
    assert {s.text: s.group for s in english} == {"monitors": 0, "epidemic": 0, "treats": 1, "injured": 1}
    assert {s.group for s in slots_of("Who inspects and supervises muck trucks?")} == {0}

    by_text = {s.text: s for s in two}
    writer = TableWriter()
    for duty, concepts in (("treat", by_text["病人"].direct | by_text["救护"].direct),
                           ("watch", by_text["疫情"].direct | by_text["监测"].direct), ("other", [])):
        writer.add(duty, [duty], concepts, ROLE_IRIS[0], words=["x"])
    score = score_clauses(writer.table(), [s for s in two if s.direct]).score
    assert score[0] > 0 and score[1] > 0 and score[2] == 0
    one = [replace(s, group=0) for s in two if s.direct]
    assert score_clauses(writer.table(), one).score[1] == 0  # asked as one request, the patients gate it


def test_cli_ask_json(runner, built):
    result = runner.invoke(main, ["--home", str(built.home), "ask", "工地扬尘找谁", "--json"])
    assert result.exit_code == 0, result.output
    assert units(json.loads(result.output)) == DUST


def test_cli_ask_text(runner, built):
    result = runner.invoke(main, ["--home", str(built.home), "ask", "who handles construction dust?"])
    assert "市住房城乡建设局" in result.output and "understood: 施工扬尘" in result.output


def test_api_ask(client):
    body = client.get("/api/ask", query_string={"q": "who handles construction dust?"}).get_json()
    assert units(body) == DUST
    assert client.get("/api/ask").status_code == 400


def test_gold_questions_above_the_floors(service):
    """`kg eval ask` on tests/gold/questions.json: recall ≥ 0.95, precision ≥ 0.90, every
    out-of-scope question answered with no unit."""
    from kg.config import ROOT
    from kg.evaluation.answers import format_ask_scores, question_set, score_set

    _, questions = question_set(service.settings, ROOT / "tests" / "gold" / "questions.json")
    scores = score_set(service, questions, "questions.json")
    print(format_ask_scores({"sets": [scores]}, errors=True))
    assert scores["questions"] >= 60
    assert scores["recall"] >= 0.95
    assert scores["precision"] >= 0.90
    assert scores["out_of_scope"]["empty"] == scores["out_of_scope"]["questions"] >= 8


# The other plans' questions (dev2's 35, the 103 and the 70 written blind): floors at what ask does today, so
# that a change cannot lose ground unnoticed. The aim is higher (recall 0.90, precision 0.85, every
# out-of-scope question empty; see docs/accuracy.md) and is not met yet.
OTHER_PLANS_FLOORS = {"dev2.json": (0.80, 0.78), "ask_new.json": (0.75, 0.76), "ask_fresh.json": (0.66, 0.78)}


@pytest.mark.parametrize("gold", sorted(OTHER_PLANS_FLOORS))
def test_other_plans_questions_keep_their_level(tmp_path, gold):
    from kg.build.pipeline import build
    from kg.config import ROOT, Settings
    from kg.evaluation.answers import format_ask_scores, question_set, score_set
    from kg.service.facade import Service

    settings = Settings.from_env(tmp_path)
    documents, questions = question_set(settings, ROOT / "tests" / "gold" / gold)
    build(settings, documents, progress=False)
    scores = score_set(Service(settings), questions, gold)
    print(format_ask_scores({"sets": [scores]}, errors=True))
    recall, precision = OTHER_PLANS_FLOORS[gold]
    assert scores["questions"] >= 30
    assert scores["recall"] >= recall and scores["precision"] >= precision


def test_a_units_clauses_answer_together():
    """A unit whose two clauses meet the two tasks a question asks ("病人救护和人间疫情监测") ranks
    above one that meets one task, a little below a clause that meets both; a clause that answers
    nothing on its own is not raised."""
    import numpy as np

    from kg.ask.retrieval import Scored, together
    from kg.search.postings import ROLE_IRIS, TableWriter

    writer = TableWriter()
    for duty, unit in (("a1", "A"), ("a2", "A"), ("a3", "A"), ("b1", "B")):
        writer.add(duty, [unit], [], ROLE_IRIS[0])
    table = writer.table()
    treat, watch = np.array([1.0, 0.0, 0.0, 1.0]), np.array([0.0, 1.0, 1.0, 0.0])
    score = np.array([0.5, 0.5, 0.0, 0.5])  # a3 met "watch" but was gated out
    scored = Scored(score, {"treat": treat, "watch": watch}, {"treat": 1.0, "watch": 1.0}, [], {})
    raised = together(table, scored, score, 0.9)
    assert raised.tolist() == [0.9, 0.9, 0.0, 0.5]


def test_a_thing_that_sets_the_scene_does_not_gate_a_clause():
    """"养殖场的猪大批死亡，谁去现场调查核实？": the farm sets the scene, the question asks who
    investigates; a clause that investigates answers without naming the farm (it ranks below one
    that names both). A thing where the question asks still gates: "谁调查养殖场？" is not answered
    by a clause about investigating alone."""
    from kg.ask.question import Slot
    from kg.ask.retrieval import score_clauses
    from kg.search.postings import ROLE_IRIS, TableWriter

    writer = TableWriter()
    for duty, concepts in (("both", ["farm", "investigate"]), ("investigates", ["investigate"]),
                           ("farm", ["farm"]), ("other", ["publicity"])):
        writer.add(duty, [duty], concepts, ROLE_IRIS[0], words=["x"])
    table = writer.table()
    investigate = Slot("c1", "调查", direct=frozenset({"investigate"}))
    for context in (True, False):
        farm = Slot("c0", "养殖场", direct=frozenset({"farm"}), topic=True, thing=True, context=context)
        score = score_clauses(table, [farm, investigate]).score
        assert score[0] == pytest.approx(1.0) and score[3] == 0.0
        assert bool(score[1] > 0) == context  # the scene does not gate; what is asked does
        assert score[1] < score[0]


def test_a_clauses_matched_words_come_in_one_order(service):
    """The words a clause met are listed longest first, then by text: the same answer in every
    process (they came in the order of a set, which differs from process to process)."""
    answer = service.asker.ask("渣土车违规上路，谁来查？")
    lists = [e["matched"]["words"] for a in answer["answers"] for e in a["evidence"]]
    assert any(len(words) >= 3 for words in lists)
    for words in lists:
        assert words == sorted(words, key=lambda w: (-len(w), w))


def test_the_answer_says_what_no_duty_names(service, client):
    """Hail sets the scene and no duty names it: the answer says so (concept and page) instead of
    letting it vanish or count."""
    answer = service.ask("Hail wrecked the crops. Who handles construction dust?")
    hail = next(c for c in answer["concepts"] if c["label_zh"] == "冰雹")
    dust = next(c for c in answer["concepts"] if c["label_zh"] == "施工扬尘")
    assert hail["scene"] and not hail["in_plans"] and dust["in_plans"] and not dust["scene"]
    page = client.get("/ask", query_string={"q": "Hail wrecked the crops. Who handles construction dust?", "lang": "en"})
    html = page.get_data(as_text=True)
    assert "named by no duty" in html and 'chip-absent' in html


@given(st.text(alphabet="扬尘治理工地ＡaAb ", max_size=30), st.lists(st.text(alphabet="扬尘治理工地ＡaAb", min_size=1, max_size=4), max_size=5))
def test_one_scan_finds_every_place_a_word_occurs(text, words):
    # The highlight's one pattern for all the words covers what a scan per word covers, overlaps included.
    from kg.text import fold_width

    def covered(spans):
        return {i for start, end in spans for i in range(start, end)}

    folded = fold_width(text).lower()
    each = [(m.start(), m.start() + len(m.group(1))) for w in words
            for m in re.finditer(f"(?=({re.escape(fold_width(w).lower())}))", folded)]
    assert covered(word_spans(text, word_finder(words))) == covered(each)


def test_a_concept_only_other_plans_name_weighs_what_it_tells_apart_among_them():
    """Asked of one plan, a concept no clause of that plan names but many of other plans' clauses do
    ("people") weighs its IDF over all the plans, not the most a concept can weigh: it does not
    outweigh a rarer thing the plan does name ("who pushes people to switch to electric vehicles?").
    A concept no plan names at all still weighs the most."""
    from kg.ask.question import Slot
    from kg.ask.retrieval import score_clauses
    from kg.search.postings import ROLE_IRIS, TableWriter

    writer = TableWriter()
    writer.add("a-ev", ["A"], ["ev"], ROLE_IRIS[0], ("推广新能源汽车", "plan:a", 0), words=["x"])
    writer.add("a-other", ["B"], ["other"], ROLE_IRIS[0], ("其他", "plan:a", 10), words=["x"])
    for i in range(5):
        writer.add(f"b{i}", ["C"], ["people"], ROLE_IRIS[0], ("人员", "plan:b", i), words=["x"])
    table = writer.table()
    among = table.of_plans(["plan:a"])
    people = Slot("c0", "people", direct=frozenset({"people"}), topic=True, thing=True)
    ev = Slot("c1", "electric vehicles", direct=frozenset({"ev"}), topic=True, thing=True)
    nowhere = Slot("c2", "passports", direct=frozenset({"passport"}), topic=True, thing=True)
    scored = score_clauses(table, [people, ev, nowhere], among)
    assert scored.unmet == ["c0", "c2"]
    assert scored.weight["c0"] < scored.weight["c1"] < scored.weight["c2"]
    assert scored.weight["c2"] == pytest.approx(math.log(1 + 2 / 0.5))


def test_a_clause_that_meets_only_the_scene_does_not_answer():
    """"Our street was evacuated after the tanker crash. Who keeps burglars away?": a clause that meets
    only the scene (the crash) does not answer on its own; one that meets what is asked does. A
    question without a scene, or whose asked part no clause meets, is left as it was."""
    from dataclasses import replace

    import numpy as np

    from kg.ask.question import Slot
    from kg.ask.retrieval import asked, score_clauses
    from kg.search.postings import ROLE_IRIS, TableWriter

    writer = TableWriter()
    for duty, concepts in (("crash", ["crash"]), ("order", ["order"]), ("both", ["crash", "order"]), ("other", ["x"])):
        writer.add(duty, [duty], concepts, ROLE_IRIS[0], words=["x"])
    table = writer.table()
    crash = Slot("c0", "tanker crash", direct=frozenset({"crash"}), topic=True, context=True)
    order = Slot("c1", "keeps burglars away", direct=frozenset({"order"}))
    scored = score_clauses(table, [crash, order])
    assert scored.score[0] > 0  # the crash weighs in the ranking…
    assert asked([crash, order], scored).tolist() == [False, True, True, False]  # …but does not answer alone
    asked_too = replace(crash, context=False)
    assert asked([asked_too, order], score_clauses(table, [asked_too, order])) is None
    nowhere = Slot("c1", "passports", direct=frozenset({"passport"}))
    assert asked([crash, nowhere], score_clauses(table, [crash, nowhere])) is None
    assert np.count_nonzero(scored.score) == 3


def test_a_place_of_the_question_is_in_the_clause_that_asks_even_without_its_fillers():
    """"If the taps run dry, who brings water by truck to set points?": "water truck" (the content
    without its filler "by") is asked, not the scene; "the taps" is the scene."""
    from kg.ask.question import _inside, asking_clauses

    question = "If the taps run dry, who brings water by truck to set points?"
    clauses = asking_clauses(question)
    assert clauses == ["who brings water by truck to set points?"]
    assert _inside("water truck", clauses[0]) and _inside("truck", clauses[0])
    assert not _inside("taps", clauses[0]) and not _inside("water tanker", clauses[0])
    assert _inside("供水车", "谁调供水车") and not _inside("供水", "谁来送")


@pytest.mark.parametrize("short, name, expected", [
    ("辽宁移动沈阳分公司", "辽宁移动通讯有限责任公司沈阳分公司", True),
    ("市安监局", "市安全生产监督管理局", True),
    ("市公安局", "市公安局交通警察支队", False),  # another end: another unit
    ("市卫生局", "市卫生局", False),  # the name itself is matched exactly, not as a short form
    ("公安局", "市公安局", False),  # too short to tell, and another start
    ("市局", "市公安局", False),
])
def test_a_short_form_of_a_units_name(short, name, expected):
    from kg.ask.asker import abbreviates

    assert abbreviates(short, name) is expected


def test_a_question_about_a_unit_by_its_short_name(service):
    """A unit asked about by a short form of its name gets its duties: 市生态环境局 asked as 市环境局."""
    answer = service.ask("市环境局负责什么？")
    assert answer["method"] == "unit"
    assert [a["label_zh"] for a in answer["answers"]] == ["市生态环境局"]
