"""The ``kg`` command: one click group, each subcommand a thin wrapper over the library.

Errors the user can act on print one line (``error: …``) and exit 1; nothing prints a traceback.
"""

from __future__ import annotations

import html
import json
import os
import re
import sys
from pathlib import Path

import click

from .config import Settings
from .errors import KgError


def _home_given(ctx: click.Context, _param: click.Parameter, value: str | None) -> None:
    if value:  # `kg build --home X` as `kg --home X build`: the README's "every command takes --home"
        ctx.ensure_object(dict)["settings"] = Settings.from_env(value)


HOME_HELP = "Data home (default: $KG_HOME or ./.kg); also accepted before the command."


class _Group(click.Group):
    def add_command(self, cmd: click.Command, name: str | None = None) -> None:
        """Every command also takes ``--home`` after its name."""
        if not any(p.name == "home" for p in cmd.params):
            cmd.params.append(click.Option(["--home"], type=click.Path(file_okay=False), expose_value=False,
                                           is_eager=True, callback=_home_given, help=HOME_HELP))
        super().add_command(cmd, name)

    def invoke(self, ctx: click.Context):
        try:
            return super().invoke(ctx)
        except KgError as exc:
            click.echo(f"error: {exc}", err=True)
            ctx.exit(1)
        except (click.exceptions.Exit, click.ClickException, click.Abort):
            raise
        except BrokenPipeError:
            # The reader went away (`kg export | head`): stop quietly, as Unix tools do.
            os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
            ctx.exit(0)
        except Exception as exc:  # the promise is: never a traceback
            click.echo(f"error: unexpected {type(exc).__name__}: {exc}", err=True)
            ctx.exit(2)


def _settings(ctx: click.Context) -> Settings:
    return ctx.obj["settings"]


def _service(ctx: click.Context):
    from .service.facade import Service

    return Service(_settings(ctx))


def _echo_json(data: object) -> None:
    click.echo(json.dumps(data, ensure_ascii=False, indent=2))


def _write(data: bytes, output: str | None) -> None:
    if output:
        Path(output).write_bytes(data)
    else:
        sys.stdout.buffer.write(data)
        sys.stdout.buffer.flush()


@click.group(cls=_Group, context_settings={"help_option_names": ["-h", "--help"]})
@click.option("--home", type=click.Path(file_okay=False), help="Data home (default: $KG_HOME or ./.kg).")
@click.version_option(package_name="dutygraph")
@click.pass_context
def main(ctx: click.Context, home: str | None) -> None:
    """DutyGraph: who does what in Chinese emergency plans, as a knowledge graph."""
    ctx.obj = {"settings": Settings.from_env(home)}


@main.command()
@click.argument("paths", nargs=-1, type=click.Path(path_type=Path))
@click.option("--meta", "meta", multiple=True, metavar="KEY=VALUE",
              help="What the documents do not say about themselves: title, place, level, year (repeatable).")
@click.option("--json", "as_json", is_flag=True, help="Print the build manifest as JSON.")
@click.option("--progress/--no-progress", default=None,
              help="Show progress (plans done, rate, ETA; then loading and indexing) on standard error "
                   "[default: when standard error is a terminal].")
@click.pass_context
def build(ctx: click.Context, paths: tuple[Path, ...], meta: tuple[str, ...], as_json: bool,
          progress: bool | None) -> None:
    """Build the data home from PATHS (default: the bundled plans), replacing what it held."""
    from .build.pipeline import build as run_build

    bad = [m for m in meta if "=" not in m]
    if bad:
        raise click.BadParameter(f"{bad[0]!r} is not KEY=VALUE", param_hint="--meta")
    manifest = run_build(_settings(ctx), paths or None, dict(m.split("=", 1) for m in meta), progress=progress)
    if as_json:
        _echo_json(manifest)
        return
    for line in manifest.get("skipped", []):
        click.echo(line, err=True)
    for plan in manifest["plans"]:
        read = "; ".join(plan.get("sections", [])) or "the whole text"
        click.echo(f"{plan['key']}: {plan['records']} rows, {plan['units']} units, {plan['duties']} duties "
                   f"(read in: {read})")
    click.echo(f"{manifest['triples']} triples in {manifest['seconds']} s → {_settings(ctx).home}")


def plan_options(command):
    """--plan, --place and --type: the plans a command reads (each repeatable; see kg/service/plans.py)."""
    command = click.option("--type", "types", multiple=True, metavar="TYPE",
                           help="Only plans of this emergency type (a key such as snowstorm; repeatable).")(command)
    command = click.option("--place", "places", multiple=True, metavar="PLACE",
                           help="Only plans of this place (聊城市 or Liaocheng; repeatable).")(command)
    return click.option("--plan", "plans", multiple=True, metavar="KEY",
                        help="Only this plan (a key from `kg plans`; repeatable).")(command)


@main.command()
@click.option("--json", "as_json", is_flag=True, help="Print JSON: {\"units\": [...]}.")
@plan_options
@click.pass_context
def units(ctx: click.Context, as_json: bool, plans: tuple[str, ...], places: tuple[str, ...],
          types: tuple[str, ...]) -> None:
    """Member units with labels, agency type, duties (every clause, boilerplate included) and plan."""
    service = _service(ctx)
    rows = service.units(list(plans), list(places), list(types))
    if as_json:
        _echo_json({"units": rows})
        return
    names = {p["iri"]: p["short_zh"] for p in service.plans()}
    for row in rows:
        click.echo(f"{row['label_zh']}\t{row['label_en']}\t{row['agency_type_en'] or '-'}\t{row['duties']} duties"
                   f"\t{names.get(row['plan'], row['plan'])}")


@main.command()
@click.argument("question")
@click.option("--json", "as_json", is_flag=True, help="Print the answer as JSON (the /api/ask contract).")
@plan_options
@click.pass_context
def ask(ctx: click.Context, question: str, as_json: bool, plans: tuple[str, ...], places: tuple[str, ...],
        types: tuple[str, ...]) -> None:
    """Who handles it? Units, their role and the clause that says so (English or Chinese)."""
    answer = _service(ctx).ask(question, list(plans) or None, list(places), list(types))
    if as_json:
        _echo_json(answer)
        return
    concepts = ", ".join(f"{c['label_zh']} ({c['label_en']})" for c in answer["concepts"])
    words = ", ".join(f"{w['text']} → {'/'.join(w['matched'][:3])}" for w in answer.get("words", []) if w["matched"])
    click.echo(f"understood: {'; '.join(x for x in (concepts, words) if x) or '—'}")
    if answer.get("not_understood"):
        click.echo(f"not understood: {', '.join(answer['not_understood'])}")
    if not answer["answers"]:
        click.echo(answer["understood"] or "no unit in the plan handles this")
    for unit in answer["answers"]:
        strength = f"  ({unit['strength']})" if unit.get("strength") == "weak" else ""
        click.echo(f"{unit['label_zh']}  {unit['label_en']}  [{unit['role']}]  {unit['score']:.2f}{strength}")
        if unit.get("by_action"):
            for group in unit["by_action"]:
                click.echo(f"  {group['label_zh']} ({group['label_en']}): {len(group['duties'])}")
        for evidence in unit["evidence"][:3]:
            click.echo(f"    {_marked(evidence['text'], evidence['highlight'])}")


def _marked(text: str, spans: list[list[int]]) -> str:
    out, last = [], 0
    for start, end in spans:
        out += [text[last:start], click.style(text[start:end], bold=True, underline=True)]
        last = end
    return "".join(out + [text[last:]])


@main.command()
@click.argument("words")
@click.option("--page", default=1, show_default=True, type=int, help="Page of results.")
@click.option("--per-page", default=10, show_default=True, type=int, help="Results per page (1-100).")
@click.option("--facet", "facets", multiple=True, metavar="FIELD=VALUE",
              help="Keep only results with this facet value (kind, unit, action, object_category, plan).")
@plan_options
@click.option("--facet-limit", default=20, show_default=True, type=int,
              help="Values per facet in the JSON, most frequent first (1-1000).")
@click.option("--json", "as_json", is_flag=True, help="Print the results as JSON (the /api/search contract).")
@click.pass_context
def search(ctx: click.Context, words: str, page: int, per_page: int, facets: tuple[str, ...], facet_limit: int,
           as_json: bool, plans: tuple[str, ...], places: tuple[str, ...], types: tuple[str, ...]) -> None:
    """Keyword search over duties, units and concepts (BM25F, jieba for Chinese): every word must
    match; -word leaves a word out; "a phrase" in quotes is matched as written."""
    filters = dict(f.split("=", 1) for f in facets if "=" in f)
    service = _service(ctx)
    results = service.search(words, filters, page, per_page, facet_limit, list(plans), list(places), list(types))
    if as_json:
        _echo_json(results)
        return
    click.echo(f"{results['total']} result(s), page {results['page']} of {max(results['pages'], 1)}")
    names = {p["iri"]: p["short_zh"] for p in service.plans()} if len(service.plans()) > 1 else {}
    for hit in results["hits"]:
        snippet = re.sub(r"</?mark[^>]*>", "", hit["snippet"])
        plan = "".join(f" ({names[p]})" for p in hit.get("plan", ()) if p in names)
        click.echo(f"[{hit['kind']}] {hit['title_zh']} {hit['title_en']}{plan}: {html.unescape(snippet)}")


@main.command()
@click.argument("query")
@click.option("--format", "fmt", default="json", show_default=True,
              type=click.Choice(["json", "csv", "tsv", "xml", "turtle", "ntriples", "jsonld"]),
              help="Result format (json/csv/tsv/xml for SELECT and ASK; turtle/ntriples/xml/jsonld for CONSTRUCT).")
@click.option("-o", "--output", type=click.Path(dir_okay=False), help="Write to a file instead of standard output.")
@click.pass_context
def sparql(ctx: click.Context, query: str, fmt: str, output: str | None) -> None:
    """Run a SPARQL query given as text or as the path of a .rq file."""
    path = Path(query)
    if len(query) < 4096 and "\n" not in query and path.suffix in (".rq", ".sparql") and path.is_file():
        query = path.read_text(encoding="utf-8")
    data, _ = _service(ctx).sparql(query, fmt)
    _write(data, output)


@main.command()
@click.option("--json", "as_json", is_flag=True, help="Print JSON: {\"plans\": [...]}.")
@click.pass_context
def plans(ctx: click.Context, as_json: bool) -> None:
    """The plans in the data home: title, place, level, year, emergency type, counts."""
    rows = _service(ctx).plans()
    if as_json:
        _echo_json({"plans": rows})
        return
    for p in rows:
        types = "、".join(t["label_zh"] for t in p["emergency_types"]) or "—"
        click.echo(f"{p['key']}\t{p['title']}\t{p['place_zh'] or '—'}\t{p['level'] or '—'}\t{p['year'] or '—'}\t"
                   f"{types}\t{p['units']} units\t{p['duties']} duties")


@main.command()
@click.argument("plan_a")
@click.argument("plan_b")
@click.option("--json", "as_json", is_flag=True, help="Print the comparison as JSON.")
@click.pass_context
def compare(ctx: click.Context, plan_a: str, plan_b: str, as_json: bool) -> None:
    """Two plans side by side by agency type (PLAN is a key from `kg plans` or a plan IRI)."""
    result = _service(ctx).compare(plan_a, plan_b)
    if as_json:
        _echo_json(result)
        return
    click.echo(f"A: {result['a']['title']}\nB: {result['b']['title']}")
    for row in result["agency_types"]:
        a = "、".join(u["label_zh"] for u in row["units_a"]) or "—"
        b = "、".join(u["label_zh"] for u in row["units_b"]) or "—"
        click.echo(f"{row['label_zh']} ({row['label_en']}) [{row['in']}]\n    A: {a} ({row['duties_a']} duties)"
                   f"\n    B: {b} ({row['duties_b']} duties)")
        for key, title in (("targets_both", "both"), ("targets_a_only", "A only"), ("targets_b_only", "B only")):
            if row[key]:
                click.echo(f"    {title}: {'、'.join(t['label_zh'] for t in row[key])}")


@main.command()
@click.option("--kind", "kinds", multiple=True, type=click.Choice(["duplication", "overlap", "fragmentation", "gap"]),
              help="Only findings of this kind (repeatable).")
@click.option("--plan", default=None, help="The plan (its key) to analyse; default: every plan of a small "
              "build, the first of a large one.")
@click.option("--json", "as_json", is_flag=True, help="Print findings, unit × unit matrix, collaboration and centrality as JSON.")
@click.pass_context
def overlaps(ctx: click.Context, kinds: tuple[str, ...], plan: str | None, as_json: bool) -> None:
    """Shared duties between units (duplication, overlap, fragmentation, gaps), with their clauses."""
    result = _service(ctx).overlaps(list(kinds) or None, plan)
    if as_json:
        _echo_json(result)
        return
    if result["plan"]:
        click.echo(f"plan: {result['plan']}")
    counts = ", ".join(f"{n} {k}" for k, n in result["counts"].items())
    click.echo(f"findings: {counts} (ranked by units, then units with a lead role, then clauses; "
               "units named together in one entry count once)")
    for f in result["findings"]:
        target = f"{f['target']['label_zh']} ({f['target']['label_en']})" if f["target"] else "—"
        if f["also"]:
            target += " / " + "、".join(c["label_zh"] for c in f["also"])
        actions = "、".join(a["label_zh"] for a in f["actions"])
        parties = " | ".join("、".join(u["label_zh"] for u in party) for party in f["parties"])
        click.echo(f"[{f['kind']}] {target}{' · ' + actions if actions else ''}{' · ' + f['note'] if f['note'] else ''}: {parties}")
        s, plan = f["strength"], f["plan"] or {}
        place = f" ({plan['place_zh']})" if plan.get("place_zh") else ""
        click.echo(f"    {plan.get('title') or plan.get('key') or ''}{place} · {s['units']} unit{'s' * (s['units'] != 1)}, "
                   f"{s['leading']} with a lead role, {s['clauses']} clause{'s' * (s['clauses'] != 1)}")
        names = {u["iri"]: u["label_zh"] for u in f["units"]}
        for evidence in f["evidence"][:8]:
            role = "lead" if evidence["leads"] else "support"
            click.echo(f"    {names.get(evidence['unit'], '')} [{role}] {evidence['text']}")


@main.command()
@click.option("--json", "as_json", is_flag=True, help="Print the violations as JSON.")
@click.pass_context
def validate(ctx: click.Context, as_json: bool) -> None:
    """Check the built graph against ontology/shapes.ttl; exit 1 when it does not conform."""
    report = _service(ctx).validate()
    if as_json:
        _echo_json({"conforms": report.conforms, "violations": [v.__dict__ for v in report.violations]})
    elif report.conforms:
        click.echo("conforms: the graph satisfies every shape in ontology/shapes.ttl")
    else:
        for v in report.violations:
            click.echo(f"{v.focus}  {v.path}  {v.message}")
        click.echo(f"does not conform: {len(report.violations)} violation(s)")
    if not report.conforms:
        ctx.exit(1)


@main.command()
@click.option("--format", "fmt", default="ttl", show_default=True,
              type=click.Choice(["ttl", "nt", "nq", "trig", "jsonld", "graphml", "gexf", "csv"]), help="Serialisation.")
@click.option("--graph", "which", default="bipartite", show_default=True,
              type=click.Choice(["bipartite", "projection", "collaboration"]),
              help="For graphml/gexf: units–targets, unit–unit overlap, or collaboration.")
@click.option("-o", "--output", type=click.Path(dir_okay=False), help="Write to a file instead of standard output.")
@click.pass_context
def export(ctx: click.Context, fmt: str, which: str, output: str | None) -> None:
    """Dump the whole graph (nq, trig and jsonld keep the named graphs), or the overlap network
    (graphml, gexf for Gephi) or the overlap findings (csv)."""
    service = _service(ctx)
    if fmt in ("graphml", "gexf", "csv"):
        _write(service.overlaps_file(fmt, which)[0], output)
        return
    _write(service.export(fmt), output)


@main.group(name="eval", cls=_Group)
def evaluate() -> None:
    """Score the program against hand-written gold files."""


@evaluate.command(name="extraction")
@click.option("--gold", type=click.Path(exists=True, dir_okay=False, path_type=Path),
              help="Gold file (default: every tests/gold/*.json).")
@click.option("--json", "as_json", is_flag=True, help="Print the scores as JSON.")
@click.option("--errors", is_flag=True, help="Also list every disagreement with the gold.")
@click.pass_context
def eval_extraction(ctx: click.Context, gold: Path | None, as_json: bool, errors: bool) -> None:
    """Precision, recall and F1 per field of extraction against the gold annotation."""
    from .evaluation.scoring import extraction_golds, format_scores, score_extraction

    settings = _settings(ctx)
    golds = [gold] if gold else extraction_golds(settings)
    if not golds:
        raise KgError(f"no gold files in {settings.gold_dir}")
    scores = score_extraction(settings, golds)
    if as_json:
        _echo_json(scores)
    else:
        click.echo(format_scores(scores, errors=errors))


@evaluate.command(name="units")
@click.option("--gold", "golds", multiple=True, type=click.Path(exists=True, dir_okay=False, path_type=Path),
              help="Gold files (default: tests/gold/dev/*.json and tests/gold/dev2.json).")
@click.option("--json", "as_json", is_flag=True, help="Print the scores as JSON.")
@click.pass_context
def eval_units(ctx: click.Context, golds: tuple[Path, ...], as_json: bool) -> None:
    """Unit precision and recall per document and in total (and agency types, duties) on real pages."""
    from .evaluation.scoring import format_unit_scores, score_units

    settings = _settings(ctx)
    scores = score_units(settings, golds)
    click.echo(json.dumps(scores, ensure_ascii=False, indent=2) if as_json else format_unit_scores(scores))


@evaluate.command(name="overlaps")
@click.option("--gold", "golds", multiple=True, type=click.Path(exists=True, path_type=Path),
              help="Gold files, or folders of them (default: tests/gold/overlaps/*.json).")
@click.option("--json", "as_json", is_flag=True, help="Print the scores as JSON.")
@click.option("--errors", is_flag=True, help="Also list every finding the gold does not have, and every one missed.")
@click.option("--reader", "readers", multiple=True, type=click.Path(exists=True, path_type=Path),
              help="Score a second reader's gold of the same pages (files or folders) against the gold "
                   "instead of the program: how far two readers agree.")
@click.pass_context
def eval_overlaps(ctx: click.Context, golds: tuple[Path, ...], as_json: bool, errors: bool,
                  readers: tuple[Path, ...]) -> None:
    """Precision and recall of overlap findings per kind and per plan against the blind gold (builds
    the gold's plans in a temporary data home; yours is left alone)."""
    from .evaluation.overlaps import format_overlap_scores, overlap_golds, score_overlaps, score_reader

    def files_of(paths: tuple[Path, ...], option: str) -> tuple[Path, ...]:
        files = tuple(f for g in paths for f in (sorted(g.glob("*.json")) if g.is_dir() else [g]))
        if paths and not files:
            raise click.BadParameter("no gold file (*.json) in " + ", ".join(map(str, paths)), param_hint=option)
        return files

    files = files_of(golds, "--gold")
    if readers:
        scores = score_reader(overlap_golds(_settings(ctx), files), files_of(readers, "--reader"))
    else:
        scores = score_overlaps(_settings(ctx), files)
    click.echo(json.dumps(scores, ensure_ascii=False, indent=2) if as_json else format_overlap_scores(scores, errors))


@evaluate.command(name="ask")
@click.option("--gold", "golds", multiple=True, type=click.Path(exists=True, dir_okay=False, path_type=Path),
              help="Gold question sets (default: tests/gold/questions.json, dev2.json, ask_new.json and ask_fresh.json).")
@click.option("--json", "as_json", is_flag=True, help="Print the scores as JSON.")
@click.option("--errors", is_flag=True, help="Also list every question answered wrongly.")
@click.pass_context
def eval_ask(ctx: click.Context, golds: tuple[Path, ...], as_json: bool, errors: bool) -> None:
    """Recall, precision and out-of-scope answers of `kg ask` per gold set, each in a build of its own."""
    from .evaluation.answers import format_ask_scores, score_ask

    scores = score_ask(_settings(ctx), golds)
    click.echo(json.dumps(scores, ensure_ascii=False, indent=2) if as_json else format_ask_scores(scores, errors))


def _check_port(host: str, port: int) -> None:
    """Say plainly that the port is taken (and how to choose another) before building or serving."""
    import errno
    import socket

    if not port:
        return
    with socket.socket(socket.AF_INET6 if ":" in host else socket.AF_INET) as probe:
        probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            probe.bind((host, port))
        except OSError as exc:
            if exc.errno == errno.EADDRINUSE:
                raise KgError(f"port {port} on {host} is already in use (another DutyGraph, or another server): "
                              f"choose another port, e.g. `make run PORT={port + 1}` or `kg serve --port {port + 1}`") from None
            raise


@main.command()
@click.option("--host", default="127.0.0.1", show_default=True, help="Interface to listen on.")
@click.option("--port", default=8000, show_default=True, type=int, help="Port to listen on.")
@click.option("--workers", default=None, type=click.IntRange(min=1), envvar="KG_WORKERS",
              help="Server processes (gunicorn when more than one)  [default: one per core, at most 4].")
@click.option("--threads", default=4, show_default=True, type=int, help="Threads per server process.")
@click.pass_context
def serve(ctx: click.Context, host: str, port: int, workers: int | None, threads: int) -> None:
    """Serve the web app and JSON API (builds the bundled plans first when nothing is built).

    SIGTERM stops new connections and lets requests in flight finish before exiting."""
    import os

    from web import create_app

    from .build.pipeline import build as run_build
    from .service.facade import Service
    from .serving import in_child, serve_workers
    from .serving import serve as run
    from .stores.local import DATA_FORMAT, DataHome

    settings = _settings(ctx)
    workers = workers or min(os.cpu_count() or 1, 4)
    _check_port(host, port)

    def prepare() -> None:
        current = DataHome(settings.home).current()
        if current is None:
            click.echo(f"nothing built in {settings.home}: building the bundled plans first")
            run_build(settings)
        elif current.data_format != DATA_FORMAT:
            sources = [Path(p["source"]) for p in current.manifest.get("plans", [])]
            if not sources or not all(s.is_file() for s in sources):
                DataHome(settings.home).require()  # says why, and to run `kg build`
            click.echo(f"{settings.home} was built by another version of DutyGraph: building its {len(sources)} "
                       f"document{'s' if len(sources) != 1 else ''} again")
            run_build(settings, sources)

    def ready(port_bound: int) -> None:
        click.echo(f"serving {settings.home} on http://{host}:{port_bound}/ "
                   f"({workers} process{'es' if workers > 1 else ''} × {threads} threads); "
                   f"open it in a browser, press Ctrl+C to stop", err=True)

    def make_app():
        app = create_app({"SETTINGS": settings})
        # A damaged store or index stops here, with how to rebuild; and what the first requests
        # would wait for (searchers, facets, the duty table) is read now.
        app.extensions["kg"].check()
        return app

    if workers > 1:
        # In a child process: a store opened in gunicorn's master would be inherited by every worker
        # it forks, and RocksDB does not survive a fork (the workers crashed on exit). The child
        # also checks the build, so damage is named once instead of by every worker failing to boot.
        in_child(lambda: (prepare(), Service(settings).check(frequent=False)))
        serve_workers(make_app, host=host, port=port, workers=workers, threads=threads, on_ready=ready)
    else:
        prepare()
        app = make_app()
        try:
            run(app, host=host, port=port, threads=threads, on_ready=lambda server: ready(server.effective_port))
        finally:
            app.extensions["kg_endpoint"].close()
    click.echo("stopped: requests in flight were finished", err=True)
