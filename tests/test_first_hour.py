"""The first hour's broken steps (the new user's review of issue #23, defects D1-D36), each pinned by a test
that failed before its fix: D1-D6, D11, D22-D24, D30, D32, D34 (the browser's D1, D25 and the walk
over every page are in tests/browser/test_walk.py)."""

from __future__ import annotations

import re
import socket
import subprocess
import sys
from html.parser import HTMLParser
from urllib.parse import parse_qs, urlsplit

import pytest

from kg.cli import main
from kg.config import ROOT


def footer_json(html: str) -> str:
    return re.search(r'<footer class="site">.*?<a href="([^"]+)">JSON</a>', html, re.S).group(1).replace("&amp;", "&")


def test_d1_clear_filter_link_is_a_search(client):
    html = client.get("/search?q=扬尘&kind=duty&lang=zh").get_data(as_text=True)
    links = re.findall(r'<a class="remove" href="([^"]+)"', html)
    assert links and all(link.startswith("/search?") for link in links), links
    assert "built-in method" not in html
    back = client.get(links[0].replace("&amp;", "&"))
    assert back.status_code == 200 and "kind" not in parse_qs(urlsplit(links[0]).query)


@pytest.mark.parametrize("url, key", [
    ("/ask?q=工地扬尘归谁管？", "answer"),
    ("/search?q=扬尘&kind=duty", "hits"),
    ("/units?plan=liaocheng-heavy-pollution-member-duties", "units"),
    ("/plans?sort=duties", "plans"),
])
def test_d2_footer_json_keeps_the_page_arguments(client, url, key):
    link = footer_json(client.get(url).get_data(as_text=True))
    page_args = parse_qs(urlsplit(url).query)
    link_args = parse_qs(urlsplit(link).query)
    assert urlsplit(link).path == urlsplit(url).path and link_args.pop("format") == ["json"]
    assert link_args == page_args
    data = client.get(link).get_json()
    assert data[key], f"{link} answers no {key}"


def test_d3_plan_page_counts_duties_not_records(client, runner, built):
    import json

    page = client.get("/plan/liaocheng-heavy-pollution-member-duties?format=json").get_json()
    cli = json.loads(runner.invoke(main, ["--home", str(built.home), "plans", "--json"]).output)["plans"][0]
    assert page["counts"]["duties"] == cli["duties"] == 82
    assert sum(m["duties"] for m in page["members"]) >= page["counts"]["duties"]  # a clause of two units counts for each


def test_d4_compare_never_compares_a_plan_with_itself(client):
    data = client.get("/compare?format=json").get_json()
    assert data["comparison"] is None and data["one_plan"]  # one plan built: nothing to compare, and it says so
    same = client.get("/compare?a=liaocheng-heavy-pollution-member-duties&b=liaocheng-heavy-pollution-member-duties&format=json")
    assert same.get_json()["comparison"] is None and same.get_json()["same"]
    html = client.get("/compare?lang=zh").get_data(as_text=True)
    assert "只建了一个预案" in html


def test_d4_d36_compare_counts_substantive_duties_and_says_so(seven_client, seven):
    from kg.service.facade import Service

    service = Service(seven)
    result = service.compare("03-huludao-snowstorm", "04-panjin-snowstorm")
    units = {u["iri"]: u for u in service.units(["03-huludao-snowstorm"])}
    rows = service.duty_rows([service.plan_iri("03-huludao-snowstorm")])
    for row in result["agency_types"]:
        expected = sum(1 for r in rows if not r.boilerplate and set(r.units) & {u["iri"] for u in row["units_a"]})
        assert row["duties_a"] <= expected and all(u["iri"] in units for u in row["units_a"])
    same = service.compare("03-huludao-snowstorm", "03-huludao-snowstorm")  # asked for directly: not 4 times
    alone = {x["label_en"]: x["duties_a"] for x in result["agency_types"] if x["units_a"]}
    assert {x["label_en"]: x["duties_a"] for x in same["agency_types"]} == alone
    assert all(x["duties_a"] == x["duties_b"] for x in same["agency_types"])
    html = seven_client.get("/compare?a=03-huludao-snowstorm&b=04-panjin-snowstorm&lang=zh").get_data(as_text=True)
    assert "本页只计实质职责" in html and "实质职责）" not in html.split("<main>")[0]


def test_d5_minus_excludes_a_word(client):
    both = client.get("/api/search?q=扬尘 施工&per_page=100").get_json()
    without = client.get("/api/search?q=扬尘 -施工&per_page=100").get_json()
    dust = client.get("/api/search?q=扬尘&per_page=100").get_json()
    assert without["total"] == dust["total"] - both["total"] > 0
    assert not {h["iri"] for h in without["hits"]} & {h["iri"] for h in both["hits"]}
    phrase = client.get('/api/search?q="施工工地"&per_page=100').get_json()
    assert phrase["hits"] and all("施工工地" in h["text"] + h["title_zh"] + re.sub("<[^>]+>", "", h["snippet"])
                                  for h in phrase["hits"])


@pytest.mark.parametrize("q", ["-施工", '-"施工"', "-扬尘 -施工", "-00"])
def test_d5_words_to_leave_out_alone_are_a_clear_400(client, q):
    response = client.get("/api/search", query_string={"q": q})
    assert response.status_code == 400
    assert "not only words to leave out" in response.get_json()["error"]


def test_d6_a_duty_hit_shows_its_duty(seven_client):
    data = seven_client.get("/api/search?q=公安局&per_page=100&kind=duty").get_json()
    assert data["hits"]
    for hit in data["hits"]:
        shown = re.sub("<[^>]+>", "", hit["snippet"])
        assert shown and shown.replace(" … ", "") in hit["text"] or hit["text"].startswith(shown[:20]), hit
        assert shown != hit["title_zh"]


def test_d34_duties_come_before_concepts(client):
    hits = client.get("/api/search?q=扬尘&per_page=20").get_json()["hits"]
    kinds = [h["kind"] for h in hits]
    assert hits[0]["title_zh"] == "扬尘"  # the concept the query names
    rest = kinds[1:]
    assert "duty" in rest and rest.index("duty") == 0
    assert all(k == "duty" or k == "unit" for k in rest[:rest.count("duty")]), kinds
    words = [h["kind"] for h in client.get("/api/search?q=施工 扬尘&per_page=10").get_json()["hits"]]
    assert words[0] == "duty" and words.index(next(k for k in words if k.startswith("concept"))) == words.count("duty")


def test_did_you_mean(client):
    page = client.get("/search?q=dsut&format=json").get_json()
    assert page["total"] == 0 and any(s["text"].lower() == "dust" for s in page["suggestions"])
    assert client.get("/search?q=dsut&lang=zh").get_data(as_text=True).count("您是不是要找") == 1


def test_d30_hidden_facet_values_can_be_shown(seven_client):
    page = seven_client.get("/search?q=负责&format=json").get_json()
    assert page["facet_sizes"]["unit"] > len(page["facet_values"]["unit"])
    more = page["facet_more"]["unit"]
    whole = seven_client.get(more + "&format=json").get_json()
    assert len(whole["facet_values"]["unit"]) == page["facet_sizes"]["unit"]
    assert len(whole["facet_values"]["action"]) <= 12 and whole["facet_fewer"]
    html = seven_client.get("/search?q=负责&lang=zh").get_data(as_text=True)
    assert re.search(r'<a class="more-values" href="[^"]+more=unit[^"]*">显示全部', html)


def test_d22_every_command_takes_home(runner, home, other_plan):
    result = runner.invoke(main, ["build", "--home", str(home.home), str(other_plan)])
    assert result.exit_code == 0, result.output
    assert "市公安局" in runner.invoke(main, ["units", "--home", str(home.home)]).output
    for command in main.commands.values():
        assert any(p.name == "home" for p in command.params) or hasattr(command, "commands"), command.name
    assert "--home" in runner.invoke(main, ["eval", "units", "--help"]).output


@pytest.mark.parametrize("url", ["/plans", "/concept/", "/concept/issue", "/concept/action", "/id/"])
def test_d23_index_pages(client, url):
    for lang in ("zh", "en"):
        response = client.get(f"{url}?lang={lang}")
        assert response.status_code == 200, url


def test_d23_thesaurus_index_like_skosmos(client):
    schemes = client.get("/concept/?format=json").get_json()["schemes"]
    assert [s["scheme"] for s in schemes] == ["action", "object", "issue", "agency"] and all(s["top"] for s in schemes)
    issue = client.get("/concept/issue?format=json&lang=zh").get_json()
    letters = [x["letter"] for x in issue["az"]]
    assert letters == sorted(letters) and "Y" in letters  # 扬尘 under Y (yáng)
    y = next(x for x in issue["az"] if x["letter"] == "Y")
    assert any(e["label"] == "扬尘" and e["href"] == "/concept/issue/dust" for e in y["entries"])
    english = client.get("/concept/issue?format=json&lang=en").get_json()
    assert any(e["label"].lower() == "dust" for x in english["az"] for e in x["entries"])
    assert issue["tree"] and any(n["narrower"] for n in issue["tree"])
    assert client.get("/concept/colours").status_code == 404


@pytest.mark.parametrize("url, code", [
    ("/unit/liao-cheng-shi/nope", 404), ("/concept/issue/nope", 404), ("/duty/x/y", 404), ("/nope", 404),
    ("/overlaps/pair?a=foo&b=bar", 404), ("/compare?a=x&b=y", 400), ("/overlaps?plan=nope", 400),
    ("/units?page=99", 400),
])
def test_d24_error_pages_look_like_the_site(client, url, code):
    for lang, words in (("zh", ("回到首页", "搜索")), ("en", ("Home", "Search"))):
        response = client.get(url + ("&" if "?" in url else "?") + f"lang={lang}")
        html = response.get_data(as_text=True)
        assert response.status_code == code and response.mimetype == "text/html", (url, response.mimetype)
        assert 'class="site"' in html and f'<html lang="{lang}">' in html and all(w in html for w in words)
        assert "Not Found" not in html and '{"error"' not in html
    assert client.get(url + ("&" if "?" in url else "?") + "format=json").get_json()["error"]


def test_d24_apis_keep_json_errors(client):
    assert client.get("/api/units?plan=nope").get_json()["error"]
    assert client.get("/api/nope").get_json()["error"]


class _Text(HTMLParser):
    """The text a reader sees, without what is marked as English, code or data in another language."""

    SKIP = {"script", "style", "code", "pre", "textarea", "title", "option"}

    def __init__(self):
        super().__init__()
        self.stack: list[tuple[str, bool]] = []
        self.words: list[str] = []

    def handle_starttag(self, tag, attrs):
        if tag in ("br", "img", "input", "meta", "link", "hr", "source", "wbr"):
            return
        attrs = dict(attrs)
        skip = tag in self.SKIP or attrs.get("lang") == "en" or bool(self.stack and self.stack[-1][1])
        self.stack.append((tag, skip))

    def handle_endtag(self, tag):
        while self.stack:
            if self.stack.pop()[0] == tag:
                break

    def handle_data(self, data):
        if not (self.stack and self.stack[-1][1]):
            self.words += re.findall(r"[A-Za-z]{3,}", data)


# Names, not English: the product, the formats and standards, the data's own codes.
ALLOWED = {"DutyGraph", "JSON", "SPARQL", "IRI", "SHA", "English", "Turtle", "LD", "SKOS", "kg", "build", "Ctrl",
           "Enter", "GAO", "CSV", "GraphML", "GEXF", "JSON-LD", "ASK", "SELECT", "CONSTRUCT", "DESCRIBE"}


def english_words(html: str) -> list[str]:
    parser = _Text()
    parser.feed(html)
    return [w for w in parser.words if w not in ALLOWED]


@pytest.mark.parametrize("url", [
    "/", "/ask?q=谁负责地震后的房屋安全鉴定？", "/ask?q=谁管猫？", "/search?q=扬尘", "/search?q=扬尘&kind=concept:issue",
    "/search?q=dsut", "/units", "/plans", "/concept/", "/concept/issue", "/concept/issue/dust",
    "/id/unit/liao-cheng-shi/shi-gong-an-ju", "/id/", "/compare", "/plan/liaocheng-heavy-pollution-member-duties",
    "/unit/liao-cheng-shi/shi-gong-an-ju", "/nope", "/compare?a=x&b=y",
])
def test_d11_no_english_in_the_chinese_pages(client, url):
    html = client.get(url + ("&" if "?" in url else "?") + "lang=zh").get_data(as_text=True)
    assert english_words(html) == [], url


def test_d32_busy_port_names_port(runner, built):
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        result = runner.invoke(main, ["--home", str(built.home), "serve", "--port", str(port), "--workers", "1"])
    assert result.exit_code == 1
    assert f"port {port} on 127.0.0.1 is already in use" in result.output and f"make run PORT={port + 1}" in result.output


def test_d32_the_package_builds_without_warnings(tmp_path):
    """setuptools warned three times (boxed, 90 lines) that web/static and web/templates were not packages."""
    # Built as a user's pip builds it: in isolation, with the setuptools pyproject.toml asks for.
    result = subprocess.run([sys.executable, "-m", "pip", "wheel", "-qq", "--no-deps",
                             "-w", str(tmp_path), str(ROOT)], capture_output=True, text=True, timeout=300)
    assert result.returncode == 0, result.stderr
    assert "Warning" not in result.stderr and "absent from the `packages`" not in result.stderr, result.stderr
    import zipfile

    names = zipfile.ZipFile(next(tmp_path.glob("*.whl"))).namelist()
    assert "web/templates/base.html" in names and "web/static/style.css" in names


def test_d32_make_run_says_what_it_does():
    makefile = (ROOT / "Makefile").read_text(encoding="utf-8")
    assert "-qq" in makefile and "Installing DutyGraph" in makefile
    source = (ROOT / "kg" / "cli.py").read_text(encoding="utf-8")
    assert "press Ctrl+C to stop" in source
