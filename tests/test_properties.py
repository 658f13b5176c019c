"""Property-based tests: any input to the document parsers and the question parser yields a result
or a clear error (KgError), never another exception."""

from __future__ import annotations

from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from kg.ask.asker import understand
from kg.documents.reader import load_document
from kg.errors import KgError
from kg.extraction.duties import extract_plan

# Text that looks like duty lists: unit-ish names, verbs, separators, numbering, tabs, brackets.
PIECES = st.sampled_from(
    ["市公安局", "市卫生局", "各县(市、区)人民政府", "负责", "配合", "会同", "由", "和", "、", ":", "：", ";", "；",
     ",", "，", "。", ".", "\t", "\n", " ", "(1)", "2.4.9 ", "三、", "序号", "成员单位", "职责", "扬尘", "渣土车",
     "(", ")", "（", "）", "“", "”", "组", "局", "委", "办", "#", "title:", "工作任务和内容 责任单位 配合单位 完成时间"]
)
DOCUMENTS = st.one_of(
    st.lists(PIECES, max_size=60).map("".join),
    st.text(max_size=300),
    st.binary(max_size=300),
)

SETTINGS = settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])


@SETTINGS
@given(document=DOCUMENTS, suffix=st.sampled_from([".txt", ".html", ".docx", ".tsv"]))
@example(document="工作任务和内容 责任单位 配合单位 完成时间;,", suffix=".txt")  # a sentence of a comma alone (CI found it)
def test_any_document_is_read_or_refused_clearly(tmp_path, thesaurus, document, suffix):
    path = tmp_path / f"doc{suffix}"
    path.write_bytes(document if isinstance(document, bytes) else document.encode("utf-8"))
    try:
        plan, records = load_document(path)
    except KgError as exc:
        assert str(path) in str(exc)
        return
    extracted = extract_plan(plan, records, thesaurus)
    for duty in extracted.duties:
        assert plan.source.text[duty.span[0] : duty.span[1]] == duty.text


@SETTINGS
@given(question=st.one_of(st.text(max_size=200), st.lists(PIECES, max_size=30).map("".join)))
def test_any_question_is_understood_or_not(thesaurus, question):
    understanding = understand(question, thesaurus)
    for part in understanding.parts:
        assert part.concepts and part.expanded


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(question=st.text(min_size=1, max_size=200))
def test_any_question_gets_an_answer_or_a_clear_error(service, question):
    try:
        answer = service.ask(question)
    except KgError:
        return
    assert isinstance(answer["answers"], list)


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(words=st.text(min_size=1, max_size=120))
@example(words="-00")  # an exclusion alone reached whoosh as a frozenset filter: a 500 (CI found it)
def test_any_search_gets_results_or_a_clear_error(service, words):
    try:
        results = service.search(words)
    except KgError:
        return
    assert results["total"] >= 0
