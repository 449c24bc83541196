"""organwatch: the command line. Each command parses its arguments, calls one library function,
and maps errors to exit codes: 0 ok, 2 bad usage or bad input, 1 failure while running."""

from __future__ import annotations

import argparse
import json
import sys
import textwrap
from pathlib import Path

EXIT_OK, EXIT_FAILURE, EXIT_USAGE = 0, 1, 2
DEFAULT_DB = "data/organwatch.db"


class UsageError(Exception):
    """Bad usage or bad input: exit 2 with the message."""


def _examples(text: str) -> str:
    return "examples:\n" + textwrap.indent(textwrap.dedent(text).strip(), "  ")


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="organwatch",
        description="Find online advertising of organ transplantation abroad and organ brokerage: "
        "crawl, classify, store in SQLite, review in Datasette.",
        epilog="Run `organwatch COMMAND --help` for a command's options and an example.",
    )
    sub = parser.add_subparsers(dest="command", metavar="COMMAND", required=True)

    fmt = argparse.RawDescriptionHelpFormatter
    p = sub.add_parser(
        "crawl", help="crawl seed sites, analyse every page, store it", formatter_class=fmt,
        epilog=_examples("""
            organwatch crawl https://a.example/ https://b.example/ --seeds-file seeds.txt --db data/organwatch.db
            organwatch crawl --seeds-file seeds.txt --job data/jobs/weekly   # resumable: rerun to continue
            organwatch crawl http://127.0.0.1:8000/ --allow-private -s DOWNLOAD_DELAY=0 -s ROBOTSTXT_OBEY=False
            organwatch crawl --seeds-file seeds.txt --redis redis://10.0.0.5:6379/1   # one worker; start several
        """),
    )
    p.add_argument("urls", nargs="*", metavar="URL", help="seed URLs")
    p.add_argument("--seeds-file", metavar="FILE", help="one URL a line; '#' comments and blank lines allowed")
    p.add_argument("--db", default=DEFAULT_DB, metavar="PATH", help=f"SQLite database (default {DEFAULT_DB})")
    p.add_argument("--warc-dir", metavar="DIR", help="where WARC files go (default data/warc)")
    p.add_argument("--job", metavar="DIR", help="job directory: makes the crawl resumable (Scrapy JOBDIR)")
    p.add_argument("--redis", metavar="URL",
                   help="distributed: be one worker of the crawl held in Redis (redis://HOST:PORT/N); items go "
                   "to Redis for `organwatch ingest`; give every worker the same seeds")
    p.add_argument("--max-pages", type=int, metavar="N", help="stop after N responses (default: no limit)")
    p.add_argument("--depth", type=int, metavar="N", help="follow links at most N hops from a seed (default 10)")
    p.add_argument("--allow-private", action="store_true",
                   help="allow loopback, private and link-local addresses (demos and tests only)")
    p.add_argument("-s", dest="settings", action="append", default=[], metavar="NAME=VALUE",
                   help="a Scrapy setting, as `scrapy crawl -s` takes it (repeatable)")
    p.add_argument("-v", "--verbose", action="store_true", help="Scrapy's INFO log as well as progress")

    p = sub.add_parser(
        "classify", help="analyse texts or HTML from a JSONL file, without crawling", formatter_class=fmt,
        epilog=_examples("""
            organwatch classify in.jsonl --output out.jsonl
            echo '{"id": 1, "text": "Kidney for sale, O+, WhatsApp +92 300 1234567"}' | organwatch classify -

            input lines:  {"id": ..., "text": ...}  or  {"id": ..., "html": ..., "url": ...}
            output lines: {"id", "lang", "scores": {"advertising", "brokerage"}, "flagged", "risk",
                           "reasons", "indicators"}, in input order; a bad line is reported on stderr
                           with its line number, and the others still run (exit 2 at the end).
        """),
    )
    p.add_argument("input", metavar="INPUT.jsonl", help="input file, or - for standard input")
    p.add_argument("--output", "-o", metavar="OUT.jsonl", help="output file (default: standard output)")

    p = sub.add_parser(
        "serve", help="browse and review results in Datasette", formatter_class=fmt,
        epilog=_examples("""
            organwatch serve --db data/organwatch.db
            organwatch serve --db data/organwatch.db --host 0.0.0.0 --port 8001
        """),
    )
    p.add_argument("--db", default=DEFAULT_DB, metavar="PATH", help=f"SQLite database (default {DEFAULT_DB})")
    p.add_argument("--host", default="127.0.0.1", help="address to listen on (default 127.0.0.1)")
    p.add_argument("--port", type=int, default=8001, help="port (default 8001)")

    p = sub.add_parser(
        "demo", help="serve the bundled sample web, crawl it, and open the results in Datasette",
        formatter_class=fmt,
        epilog=_examples("""
            organwatch demo                 # then open http://127.0.0.1:8001
            organwatch demo --no-serve      # crawl only, print where the database is
        """),
    )
    p.add_argument("--db", default="data/demo.db", metavar="PATH", help="database to create afresh (default data/demo.db)")
    p.add_argument("--port", type=int, default=8001, help="Datasette port (default 8001)")
    p.add_argument("--no-serve", action="store_true", help="stop after the crawl")

    p = sub.add_parser(
        "train", help="train the classifier from nlp/corpus with nlp/configs/textcat.cfg", formatter_class=fmt,
        epilog=_examples("""
            organwatch train                # rebuilds nlp/model; prints the dev report
            organwatch train --split        # first re-split nlp/corpus/raw into train.jsonl and dev.jsonl
        """),
    )
    p.add_argument("--split", action="store_true", help="re-split nlp/corpus/raw into train and dev first")
    p.add_argument("--output", metavar="DIR", help="where to write the pipeline (default nlp/model)")

    p = sub.add_parser(
        "evaluate", help="precision, recall and F1 on a labelled JSONL file", formatter_class=fmt,
        epilog=_examples("""
            organwatch evaluate nlp/corpus/dev.jsonl
            organwatch evaluate my-labelled.jsonl --json report.json

            input lines as for classify, plus "cats": {"advertising": 0|1, "brokerage": 0|1};
            optional "lang" and "kind" give the per-language and per-kind tables.
        """),
    )
    p.add_argument("input", metavar="FILE.jsonl")
    p.add_argument("--json", metavar="OUT", help="also write the full report as JSON")

    p = sub.add_parser(
        "ingest", help="distributed: store the workers' results from Redis in SQLite (the one writer)",
        formatter_class=fmt,
        epilog=_examples("""
            organwatch ingest --redis redis://10.0.0.5:6379/1 --db data/organwatch.db
            organwatch ingest --redis redis://127.0.0.1:6379/0 --db data/organwatch.db --idle 0   # never stop

            Start it before or after the workers (`organwatch crawl --redis URL ...`). It stops once a worker
            came, every worker it has seen has finished, and nothing came for --idle seconds.
        """),
    )
    p.add_argument("--redis", required=True, metavar="URL", help="Redis holding the crawl (redis://HOST:PORT/N)")
    p.add_argument("--db", default=DEFAULT_DB, metavar="PATH", help=f"SQLite database (default {DEFAULT_DB})")
    p.add_argument("--idle", type=float, default=60.0, metavar="SECONDS",
                   help="stop after this long without messages once all workers finished (default 60; 0: never)")
    return parser


def main(argv: list[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    try:
        return COMMANDS[args.command](args)
    except UsageError as e:
        print(f"organwatch {args.command}: {e}", file=sys.stderr)
        return EXIT_USAGE
    except KeyboardInterrupt:
        return EXIT_FAILURE


def cmd_crawl(args) -> int:
    from crawler.run import CrawlOptions, run_crawl
    from crawler.seeds import SeedError, collect_seeds

    try:
        seeds = collect_seeds(args.urls, args.seeds_file)
    except SeedError as e:
        raise UsageError(str(e)) from None
    if not seeds:
        raise UsageError("no seeds: give URLs or --seeds-file FILE")
    overrides = {}
    for item in args.settings:
        name, sep, value = item.partition("=")
        if not sep or not name.strip():
            raise UsageError(f"-s takes NAME=VALUE, got {item!r}")
        overrides[name.strip()] = value
    if args.redis:
        if args.job:
            raise UsageError("--redis and --job do not mix: the crawl's state is in Redis")
        _check_redis_url(args.redis)
    options = CrawlOptions(
        seeds=seeds, db=args.db, warc_dir=args.warc_dir, job=args.job, max_pages=args.max_pages,
        depth=args.depth, allow_private=args.allow_private, redis=args.redis, settings=overrides,
        verbose=args.verbose,
    )
    stats = run_crawl(options)
    return EXIT_OK if stats.get("finish_reason") in ("finished", "closespider_pagecount") else EXIT_FAILURE


def _check_redis_url(url: str) -> None:
    if not url.startswith(("redis://", "rediss://", "unix://")):
        raise UsageError(f"--redis: expected redis://HOST:PORT/N, got {url!r}")


def cmd_ingest(args) -> int:
    import redis

    from crawler.ingest import ingest

    _check_redis_url(args.redis)
    try:
        result = ingest(args.redis, args.db, idle=args.idle)
    except redis.RedisError as e:
        print(f"organwatch ingest: {args.redis}: {e}", file=sys.stderr)
        return EXIT_FAILURE
    print(f"organwatch ingest: {result.captures} captures from {len(result.workers)} workers into {args.db}",
          file=sys.stderr)
    return EXIT_OK


def cmd_classify(args) -> int:
    from contextlib import ExitStack

    from crawler.classify import classify_stream

    with ExitStack() as stack:
        src = sys.stdin if args.input == "-" else stack.enter_context(_open_input(args.input))
        out = stack.enter_context(open(args.output, "w", encoding="utf-8")) if args.output else sys.stdout
        bad = classify_stream(src, out, name="<stdin>" if args.input == "-" else args.input, errors=sys.stderr)
    return EXIT_USAGE if bad else EXIT_OK


def _open_input(path: str):
    try:
        return open(path, encoding="utf-8")
    except FileNotFoundError:
        raise UsageError(f"{path}: file not found") from None


def cmd_serve(args) -> int:
    from crawler.serve import serve

    if not Path(args.db).exists():
        raise UsageError(f"{args.db}: database not found (crawl first: organwatch crawl ... --db {args.db})")
    return serve(args.db, host=args.host, port=args.port)


def cmd_demo(args) -> int:
    from crawler.demo import run_demo

    return run_demo(db=args.db, port=args.port, serve_after=not args.no_serve)


def cmd_train(args) -> int:
    from nlp import model
    from nlp.dataset import DataError, split_corpus
    from nlp.evaluate import format_report

    try:
        if args.split:
            n_train, n_dev = split_corpus()
            print(f"corpus split: train {n_train}, dev {n_dev}")
        report = model.train(output=Path(args.output) if args.output else model.MODEL_DIR)
    except DataError as e:
        raise UsageError(str(e)) from None
    print(format_report(report))
    return EXIT_OK


def cmd_evaluate(args) -> int:
    from nlp.dataset import DataError, read_jsonl
    from nlp.evaluate import evaluate, format_report

    if not Path(args.input).exists():
        raise UsageError(f"{args.input}: file not found")
    try:
        records = list(read_jsonl(Path(args.input)))
    except DataError as e:
        raise UsageError(str(e)) from None
    report = evaluate(records)
    print(format_report(report))
    if args.json:
        Path(args.json).write_text(json.dumps(report, indent=2, ensure_ascii=False))
    return EXIT_OK


COMMANDS = {
    "crawl": cmd_crawl,
    "classify": cmd_classify,
    "serve": cmd_serve,
    "demo": cmd_demo,
    "train": cmd_train,
    "evaluate": cmd_evaluate,
    "ingest": cmd_ingest,
}

if __name__ == "__main__":
    sys.exit(main())
