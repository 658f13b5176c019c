"""SPARQL 1.1 Protocol requests: what operation an HTTP request asks for, whether it is safe, and
which serialisation answers it.

Takes plain values (method, content type, parameters, body, Accept) so it needs no web framework;
returns an ``Operation`` or raises ``SparqlError`` carrying the HTTP status the protocol prescribes.
``analyse_query`` / ``analyse_update`` read the text with rdflib's SPARQL parser and walk the parse
tree: SERVICE and LOAD are refused, and so is any ``file:`` IRI; FROM / FROM NAMED IRIs are
collected so the caller can check they name graphs in the store. A *plain* query skips that parse
(``plain_form``): its raw text holds neither SERVICE nor ``file:`` nor an escape that could spell
them, its code (strings, IRIs and comments left out) no FROM, and it nests too little to trouble a
parser, so there is nothing to find; the engine parses it once, and its syntax errors are reported
in rdflib's words (``syntax_message``). Nothing here touches the store; ``kg.sparql.query`` runs
what this module accepted.
"""

from __future__ import annotations

import re
import threading
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from urllib.parse import urlsplit

from ..vocab import PREFIXES

MAX_QUERY_CHARS = 100_000

QUERY_MEDIA = "application/sparql-query"
UPDATE_MEDIA = "application/sparql-update"
FORM_MEDIA = "application/x-www-form-urlencoded"

# Serialisations: short name (for ?format=) → media type, first one is the default.
RESULT_MEDIA = {
    "json": "application/sparql-results+json",
    "xml": "application/sparql-results+xml",
    "csv": "text/csv",
    "tsv": "text/tab-separated-values",
}
GRAPH_MEDIA = {
    "turtle": "text/turtle",
    "ntriples": "application/n-triples",
    "rdfxml": "application/rdf+xml",
    "jsonld": "application/ld+json",
}
FORMAT_ALIASES = {"ttl": "turtle", "nt": "ntriples", "rdf": "rdfxml", "json-ld": "jsonld", "n-triples": "ntriples",
                  "rdf+xml": "rdfxml", "rdf/xml": "rdfxml", "n3": "turtle", "text": "tsv", "srj": "json", "srx": "xml"}
# Media types clients also send, mapped to the serialisation they mean (for results, for graphs).
# N3 is asked for by clients that mean Turtle (SPARQLWrapper's N3); Turtle is N3, so it is served.
FORMAT_PARAMS = ("format", "output", "results")
MEDIA_ALIASES = {
    "application/json": ("json", "jsonld"),
    "application/xml": ("xml", "rdfxml"),
    "text/xml": ("xml", "rdfxml"),
    "application/x-turtle": (None, "turtle"),
    "application/turtle": (None, "turtle"),
    "text/n3": (None, "turtle"),
    "text/rdf+n3": (None, "turtle"),
    "application/n3": (None, "turtle"),
    "application/x-json+ld": (None, "jsonld"),
    "text/plain": (None, "ntriples"),
}



class SparqlError(Exception):
    """A request the endpoint refuses, with the HTTP status to answer and a readable message."""

    def __init__(self, status: int, message: str, headers: Mapping[str, str] | None = None):
        super().__init__(message)
        self.status = status
        self.message = message
        self.headers = dict(headers or {})

    def __reduce__(self):  # travels back from worker processes
        return (type(self), (self.status, self.message, self.headers))


@dataclass(frozen=True)
class Operation:
    """One protocol operation: ``query``, ``update`` or ``description`` (a bare GET)."""

    kind: str
    text: str = ""
    default_graphs: tuple[str, ...] = ()  # default-graph-uri, or using-graph-uri for updates
    named_graphs: tuple[str, ...] = ()  # named-graph-uri, or using-named-graph-uri for updates
    accept: str = ""
    format: str | None = None  # one named format (the Graph Store Protocol's ?format=)
    base_iri: str | None = None
    output: tuple[str, ...] = ()  # every format/output/results value, in that order

    @property
    def formats(self) -> tuple[str, ...]:
        return self.output or ((self.format,) if self.format else ())

    @property
    def has_dataset(self) -> bool:
        return bool(self.default_graphs or self.named_graphs)


@dataclass(frozen=True)
class QueryInfo:
    form: str  # SELECT, ASK, CONSTRUCT or DESCRIBE
    from_graphs: tuple[str, ...] = ()
    from_named: tuple[str, ...] = ()
    plain: bool = False  # not parsed here (``plain_form``): the engine's parse is the only one


@dataclass(frozen=True)
class UpdateInfo:
    modifies: int  # DELETE/INSERT … WHERE operations (where using-graph-uri applies)
    has_dataset_clause: bool  # some operation has USING, USING NAMED or WITH


def _media(content_type: str | None) -> tuple[str, dict[str, str]]:
    if not content_type:
        return "", {}
    media, *params = (part.strip() for part in content_type.split(";"))
    options = {}
    for param in params:
        key, _, value = param.partition("=")
        options[key.strip().lower()] = value.strip().strip('"')
    return media.lower(), options


def _single(params: Mapping[str, Sequence[str]], name: str) -> str | None:
    values = params.get(name) or []
    if len(values) > 1:
        raise SparqlError(400, f"give exactly one '{name}' parameter, not {len(values)}")
    return values[0] if values else None


def read_operation(
    method: str,
    content_type: str | None,
    args: Mapping[str, Sequence[str]],
    form: Mapping[str, Sequence[str]],
    body: bytes,
    accept: str = "",
    base_iri: str | None = None,
) -> Operation:
    """The operation an HTTP request carries, per SPARQL 1.1 Protocol §2.1 and §2.2."""
    method = method.upper()
    media, options = _media(content_type)
    params: dict[str, list[str]] = {k: list(v) for k, v in args.items()}
    if method == "GET":
        if "update" in params:
            raise SparqlError(400, "a SPARQL Update must be sent with POST, not GET")
        text = _single(params, "query")
        kind = "query" if text is not None else "description"
    elif method == "POST":
        charset = options.get("charset", "utf-8").lower()
        if charset not in ("utf-8", "utf8"):
            raise SparqlError(415, f"the body must be UTF-8, not {charset}")
        if media == FORM_MEDIA:
            for key, values in form.items():
                params.setdefault(key, []).extend(values)
            query, update = _single(params, "query"), _single(params, "update")
            if (query is None) == (update is None):
                raise SparqlError(400, "a form POST needs exactly one of the parameters 'query' or 'update'")
            kind, text = ("query", query) if query is not None else ("update", update)
        elif media in (QUERY_MEDIA, UPDATE_MEDIA):
            try:
                text = body.decode("utf-8")
            except UnicodeDecodeError:
                raise SparqlError(400, "the body is not valid UTF-8") from None
            kind = "query" if media == QUERY_MEDIA else "update"
        elif not media:
            raise SparqlError(415, f"a POST needs a Content-Type: {FORM_MEDIA}, {QUERY_MEDIA} or {UPDATE_MEDIA}")
        else:
            raise SparqlError(415, f"unsupported Content-Type {media}; use {FORM_MEDIA}, {QUERY_MEDIA} or {UPDATE_MEDIA}")
    else:
        raise SparqlError(405, f"{method} is not a SPARQL protocol method; use GET or POST", {"Allow": "GET, POST, OPTIONS"})
    if kind == "update":
        defaults, named = params.get("using-graph-uri", []), params.get("using-named-graph-uri", [])
    else:
        defaults, named = params.get("default-graph-uri", []), params.get("named-graph-uri", [])
    # SPARQLWrapper sends format=, output= and results= (twice each for some formats: its short
    # name and a media type); Fuseki and Virtuoso take the first they can serve. So do we.
    formats = tuple(v for name in FORMAT_PARAMS for v in params.get(name, []))
    return Operation(kind, text or "", tuple(defaults), tuple(named), accept, None, base_iri, formats)


def check_graph_iri(iri: str) -> None:
    """A graph name the endpoint may use: an absolute IRI that is not a local file."""
    scheme = urlsplit(iri).scheme.lower()
    if not scheme:
        raise SparqlError(400, f"<{iri}> is not an absolute IRI")
    if scheme == "file":
        raise SparqlError(400, f"<{iri}>: this endpoint never reads local files")


def _walk(tree: object) -> Iterable[object]:
    """Every node of an rdflib parse tree or algebra (iteratively: trees can be deep)."""
    stack = [tree]
    while stack:
        node = stack.pop()
        yield node
        if isinstance(node, Mapping):
            stack.extend(node.keys())  # quads are keyed by graph name
            stack.extend(node.values())
        elif isinstance(node, (list, tuple)) or type(node).__name__ == "ParseResults":
            stack.extend(node)


def _name(node: object) -> str | None:
    return getattr(node, "name", None) if isinstance(node, Mapping) else None


def _check_nodes(tree: object) -> None:
    from rdflib import URIRef

    for node in _walk(tree):
        name = _name(node)
        if name == "ServiceGraphPattern":
            raise SparqlError(400, "SERVICE is not allowed: this endpoint never queries other endpoints")
        if name == "Load":
            raise SparqlError(400, "LOAD is not allowed: this endpoint never fetches documents")
        if isinstance(node, URIRef) and urlsplit(str(node)).scheme.lower() == "file":
            raise SparqlError(400, f"<{node}>: this endpoint never reads local files")


# pyparsing is not thread-safe: each parse action learns its own arity on first use, and two
# threads learning at once leave it wrong for good (every later parse fails with "postParse2()
# missing 1 required positional argument"). The web server answers in threads, so one at a time.
_PARSER_LOCK = threading.Lock()


def _parse(kind: str, text: str, base_iri: str | None):
    from pyparsing import ParseException
    from rdflib.plugins.sparql import algebra, parser

    if len(text) > MAX_QUERY_CHARS:
        raise SparqlError(400, f"the {kind} is longer than {MAX_QUERY_CHARS} characters")
    try:
        with _PARSER_LOCK:
            tree = parser.parseQuery(text) if kind == "query" else parser.parseUpdate(text)
        prologues = [tree[0]] if kind == "query" else list(tree.prologue or [])
        # rdflib keeps one prefix per namespace: a predeclared prefix must not displace the
        # query's own prefix for the same namespace (PREFIX dc: <http://purl.org/dc/terms/>).
        declared = {str(d.iri) for p in prologues for d in p if _name(d) == "PrefixDecl"}
        prefixes = {k: v for k, v in PREFIXES.items() if v not in declared}
        if kind == "query":
            return algebra.translateQuery(tree, base=base_iri, initNs=prefixes)
        return algebra.translateUpdate(tree, base=base_iri, initNs=prefixes)
    except RecursionError:
        raise SparqlError(400, f"the {kind} nests too deeply to be parsed") from None
    except ParseException as exc:
        raise SparqlError(400, f"SPARQL syntax error: {exc.msg} at line {exc.lineno}, column {exc.column}") from None
    except Exception as exc:  # rdflib reports unknown prefixes and scoping errors this way
        raise SparqlError(400, f"SPARQL error: {exc}") from None


# What sends a query to the full parse: on the raw text, anything that is or could spell SERVICE or a
# file: IRI (case-insensitive; a \\u escape could spell either); in the code, FROM. rdflib's parser
# takes 5-35 ms on a 1 KB query (longer than most examples take to run at 1,000 plans).
_SCREENED_RAW = re.compile(r"service|file:|\\[uU]", re.IGNORECASE)
_SCREENED_CODE = re.compile(r"(?<![\w:?$])from(?![\w:])", re.IGNORECASE)
# Strings, IRIs and comments, leftmost first as a lexer meets them (an IRI's '#' is no comment).
_NOT_CODE = re.compile(
    r'"""[\s\S]*?"""|\'\'\'[\s\S]*?\'\'\'|"(?:[^"\\\n\r]|\\.)*"|\'(?:[^\'\\\n\r]|\\.)*\''
    r"|<[^<>\"{}|^`\\\x00-\x20]*>|#[^\n\r]*"
)
_FORM = re.compile(r"(?<![\w:?$.-])(SELECT|ASK|CONSTRUCT|DESCRIBE)(?![\w:-])", re.IGNORECASE)
# Oxigraph's parser recurses: 512 nested collections run for minutes, 10,000 '!' end its process.
# A plain query has at most this many of each of ( [ { ! ^, so it nests at most this deep.
PLAIN_NESTING = 128


def plain_form(text: str, base_iri: str | None = None) -> str | None:
    """The form of a query with nothing to check in it, or None when the parser must read it."""
    if _SCREENED_RAW.search(text) or (base_iri and _SCREENED_RAW.search(base_iri)):
        return None
    if any(text.count(bracket) > PLAIN_NESTING for bracket in "([{!^"):
        return None
    code = _NOT_CODE.sub(" ", text)
    if _SCREENED_CODE.search(code):
        return None
    form = _FORM.search(code)
    return form.group(1).upper() if form else None


def syntax_message(text: str, base_iri: str | None, engine_message: str) -> str:
    """What is wrong with a plain query the engine could not parse, in rdflib's words (a line and a
    column, "Unknown namespace prefix"), else the engine's (``engine_syntax_error``)."""
    try:
        _parse("query", text, base_iri)
    except SparqlError as exc:
        return exc.message
    return engine_syntax_error(engine_message)


_ENGINE_ERROR = re.compile(r"error at (\d+):(\d+): (?:expected one of |expected )?(.*)", re.DOTALL)
_PROSE = re.compile(r"\b[A-Z][a-z]+(?: [A-Za-z]+)+")  # "The SELECT contains a variable that is unbound"


def engine_syntax_error(message: str) -> str:
    """Oxigraph's syntax error, readable: "error at 1:41: expected one of "$", "(", …, The SELECT
    contains a variable that is unbound, ['0' ..= '9' | …]" becomes "SPARQL syntax error at line 1,
    column 41: The SELECT contains a variable that is unbound"; without such a sentence, the tokens
    it expected, without the character classes."""
    match = _ENGINE_ERROR.fullmatch(message.strip())
    if match is None:
        return f"SPARQL syntax error: {message}"
    line, column, rest = match.groups()
    where = f"SPARQL syntax error at line {line}, column {column}"
    sentences = list(dict.fromkeys(_PROSE.findall(rest)))
    if sentences:
        return f"{where}: {'; '.join(sentences)}"
    tokens = re.findall(r'"[^"]*"|[A-Za-z_]+', re.sub(r"\[[^\]]*\]", "", rest))
    return f"{where}: expected {', '.join(tokens[:12])}" if tokens else f"{where}: unexpected character"


def analyse_query(text: str, base_iri: str | None = None) -> QueryInfo:
    """The query's form and FROM graphs; raises ``SparqlError`` (400) for anything unsafe."""
    if len(text) > MAX_QUERY_CHARS:
        raise SparqlError(400, f"the query is longer than {MAX_QUERY_CHARS} characters")
    if form := plain_form(text, base_iri):
        return QueryInfo(form, plain=True)
    query = _parse("query", text, base_iri)
    try:
        _check_nodes(query.algebra)
    except RecursionError:
        raise SparqlError(400, "the query nests too deeply") from None
    form = query.algebra.name.removesuffix("Query").upper()
    clauses = query.algebra["datasetClause"] if "datasetClause" in query.algebra else None
    defaults = tuple(str(c["default"]) for c in clauses or [] if "default" in c)
    named = tuple(str(c["named"]) for c in clauses or [] if "named" in c)
    for iri in defaults + named:
        check_graph_iri(iri)
    return QueryInfo(form, defaults, named)


def analyse_update(text: str, base_iri: str | None = None) -> UpdateInfo:
    """What an update does that matters to the protocol; raises ``SparqlError`` (400) if unsafe."""
    update = _parse("update", text, base_iri)
    try:
        _check_nodes(update.algebra)
    except RecursionError:
        raise SparqlError(400, "the update nests too deeply") from None
    modifies = [op for op in update.algebra if op.name == "Modify"]
    dataset = any("using" in op or "withClause" in op for op in modifies)
    return UpdateInfo(len(modifies), dataset)


_IRIREF = re.compile(r"<[^<>\"{}|^`\\\x00-\x20]*>")


def add_using(text: str, info: UpdateInfo, defaults: Sequence[str], named: Sequence[str]) -> str:
    """Apply using-graph-uri / using-named-graph-uri: a USING clause before every Modify's WHERE.

    Oxigraph takes no protocol dataset for updates, so the clauses are written into the text. The
    WHERE keywords are found by a scan that skips strings, comments and IRIs and counts braces (a
    Modify's WHERE is the only WHERE outside braces not preceded by DELETE); the count must match
    the parser's count of Modify operations, else the update is refused rather than guessed at.
    """
    if info.has_dataset_clause:
        raise SparqlError(400, "using-graph-uri / using-named-graph-uri cannot be combined with USING, USING NAMED or WITH")
    for iri in (*defaults, *named):
        check_graph_iri(iri)
    clause = " ".join([*(f"USING <{g}>" for g in defaults), *(f"USING NAMED <{g}>" for g in named)]) + " "
    positions, depth, previous, i = [], 0, "", 0
    while i < len(text):
        c = text[i]
        if c == "#":
            end = text.find("\n", i)
            i = len(text) if end < 0 else end
            continue
        if c in "\"'":
            quote = c * 3 if text.startswith(c * 3, i) else c
            i += len(quote)
            while i < len(text) and not text.startswith(quote, i):
                i += 2 if text[i] == "\\" else 1
            i += len(quote)
            previous = ""
            continue
        match = _IRIREF.match(text, i) if c == "<" else None
        if match:
            i, previous = match.end(), ""
            continue
        if c.isalpha():
            end = i
            while end < len(text) and (text[end].isalnum() or text[end] in "_:-."):
                end += 1
            word = text[i:end].upper()
            if depth == 0 and word == "WHERE" and previous != "DELETE":
                positions.append(i)
            previous, i = (word if depth == 0 else ""), end
            continue
        if c == "\\":
            i += 2
            continue
        depth += {"{": 1, "}": -1}.get(c, 0)
        if not c.isspace():
            previous = ""
        i += 1
    if len(positions) != info.modifies:
        raise SparqlError(400, "could not apply using-graph-uri to this update; put USING clauses in the update instead")
    for position in reversed(positions):
        text = text[:position] + clause + text[position:]
    return text


def accepted_media(accept: str) -> list[tuple[str, float]]:
    ranges = []
    for item in accept.split(","):
        media, options = _media(item)
        if not media:
            continue
        try:
            q = float(options.get("q", "1"))
        except ValueError:
            q = 0.0
        if q > 0:
            ranges.append((media, q))
    return sorted(ranges, key=lambda r: -r[1])  # stable: ties keep the client's order


def _format_name(value: str, side: int) -> str:
    """A ``format``/``output``/``results`` value as a short name of ours (maybe not offered)."""
    name = value.strip().lower()
    name = FORMAT_ALIASES.get(name, name)
    media = _media(name)[0]
    if media in MEDIA_ALIASES:
        return MEDIA_ALIASES[media][side] or ""
    if side and name in ("json", "xml"):  # what SPARQLWrapper and Virtuoso send for graphs
        return {"json": "jsonld", "xml": "rdfxml"}[name]
    by_media = {m: k for k, m in {**RESULT_MEDIA, **GRAPH_MEDIA}.items()}
    return by_media.get(media, name)


def choose_format(op: Operation, graph: bool) -> str:
    """The short name of the serialisation to answer with, as Fuseki chooses it: the first of the
    ``format`` / ``output`` / ``results`` values (repeated or alternative, as SPARQLWrapper sends
    them) that this query can be answered in; else ``Accept``; else the form's default. A request
    whose every named format is of no use and that sends no ``Accept`` gets 406, not a surprise."""
    # An ASK answers in all four results formats (CSV and TSV as Jena writes a boolean).
    offered = GRAPH_MEDIA if graph else RESULT_MEDIA
    side = 1 if graph else 0
    named = [v for v in op.formats if v.strip()]
    for value in named:
        name = _format_name(value, side)
        if name in offered:
            return name
    ranges = accepted_media(op.accept)
    if not ranges:
        if named:
            raise SparqlError(406, f"format {named[0]!r} is not offered for this query; use one of {sorted(offered)}")
        return next(iter(offered))
    for media, _ in ranges:
        if media in ("*/*", "application/*", "text/*"):
            prefix = media.split("/")[0]
            for key, offer in offered.items():
                if media == "*/*" or offer.startswith(prefix + "/"):
                    return key
        for key, offer in offered.items():
            if offer == media:
                return key
        alias = MEDIA_ALIASES.get(media)
        if alias and alias[side] in offered:
            return alias[side]
    raise SparqlError(406, f"none of the accepted media types ({op.accept}) is offered; offered: {', '.join(offered.values())}")


HTML_MEDIA = ("text/html", "application/xhtml+xml")


def wants_html(accept: str) -> bool:
    """A browser: ``text/html`` is among the most preferred media types of ``Accept``."""
    ranges = accepted_media(accept)
    if not ranges:
        return False
    top = ranges[0][1]
    return any(media in HTML_MEDIA for media, q in ranges if q == top)


EXTENSIONS = {"json": "srj", "xml": "srx", "csv": "csv", "tsv": "tsv",
              "turtle": "ttl", "ntriples": "nt", "rdfxml": "rdf", "jsonld": "jsonld"}
