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
            organwatch crawl --seeds-file seeds.txt --follow-offsite 2 --targets known-ads.txt --max-pages 5000
            organwatch crawl --seeds-file seeds.txt -s ORGANWATCH_FOCUS=False   # plain breadth-first order
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
    p.add_argument("--follow-offsite", type=int, metavar="DEPTH",
                   help="follow links off the seeds' domains, at most DEPTH domain hops away (default 0), "
                   "ORGANWATCH_OFFSITE_PAGE_CAP pages per such domain (default 100)")
    p.add_argument("--targets", metavar="FILE",
                   help="URLs (one a line) whose recall the crawl reports (default: the pages flagged so far)")
    _add_fetch_options(p)

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
        "account", help="make a reviewer or admin account for Datasette (prints its environment lines)",
        formatter_class=fmt,
        epilog=_examples("""
            organwatch account alice --role reviewer          # asks for the password twice
            printf '%s' "$PASSWORD" | organwatch account bob --role admin --password-stdin

            then, in the service's environment:
              ORGANWATCH_ACCOUNTS="alice:reviewer bob:admin"
              ORGANWATCH_PASSWORD_HASH_ALICE='pbkdf2_sha256$...'   (as printed)
        """),
    )
    p.add_argument("name", help="account name: lowercase letters, digits and _")
    p.add_argument("--role", default="reviewer", help="reviewer (default) or admin")
    p.add_argument("--password-stdin", action="store_true", help="read the password from standard input")

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
            organwatch train --with-reviews data/organwatch.db --output data/model-reviewed
                                            # adds reviewers' verdicts; prints the change on dev
        """),
    )
    p.add_argument("--split", action="store_true", help="re-split nlp/corpus/raw into train and dev first")
    p.add_argument("--with-reviews", metavar="DB",
                   help="also train on the pages reviewers confirmed or dismissed in this database")
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
    _add_evidence_commands(sub, fmt)

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


def _add_fetch_options(p) -> None:
    """Options of the commands that fetch pages (crawl, recheck)."""
    p.add_argument("--allow-private", action="store_true",
                   help="allow loopback, private and link-local addresses (demos and tests only)")
    p.add_argument("-s", dest="settings", action="append", default=[], metavar="NAME=VALUE",
                   help="a Scrapy setting, as `scrapy crawl -s` takes it (repeatable)")
    p.add_argument("-v", "--verbose", action="store_true", help="Scrapy's INFO log as well as progress")
    p.add_argument("--watchdog", type=float, metavar="MINUTES",
                   help="fail the run (exit 1) when it makes no progress for MINUTES (default 10)")


def _add_evidence_commands(sub, fmt) -> None:
    p = sub.add_parser(
        "recheck", help="revisit known pages: new captures, live / changed / gone timeline", formatter_class=fmt,
        epilog=_examples("""
            organwatch recheck --db data/organwatch.db --flagged --older-than 24h
            organwatch recheck --db data/organwatch.db --url https://a.example/ad/1 --watchdog 30
            organwatch recheck --db data/organwatch.db -s ORGANWATCH_GONE_AFTER=5

            A page is `gone` after ORGANWATCH_GONE_AFTER (default 3) consecutive failed visits
            (HTTP 404/410/451, network or DNS failure, or the ad text removed); a site that fails
            as a whole counts at most once a day. The timeline is in the page_events table.
        """),
    )
    p.add_argument("--db", default=DEFAULT_DB, metavar="PATH", help=f"SQLite database (default {DEFAULT_DB})")
    p.add_argument("--flagged", action="store_true", help="only pages flagged by their latest analysis")
    p.add_argument("--older-than", metavar="AGE", help="only pages not visited for AGE (e.g. 90m, 24h, 7d)")
    p.add_argument("--url", dest="urls", action="append", default=[], metavar="URL", help="this page (repeatable)")
    p.add_argument("--live-only", action="store_true", help="skip pages already gone (default: recheck them too)")
    p.add_argument("--warc-dir", metavar="DIR", help="where WARC files go (default data/warc)")
    _add_fetch_options(p)

    p = sub.add_parser(
        "export", help="write a case bundle (WACZ) of chosen pages, optionally signed", formatter_class=fmt,
        epilog=_examples("""
            organwatch export --db data/organwatch.db --out case.wacz --flagged --case-id NGO-2026-014
            organwatch export --db data/organwatch.db --out case.wacz --url https://a.example/ad/1 --sign-key key.pem
            organwatch export --db data/organwatch.db --out case.wacz --where "domain = 'a.example' and risk >= 80"

            The bundle holds the original WARC records, a CDXJ index, pages.jsonl, one provenance
            JSON per capture, report.html, and datapackage.json with the SHA-256 of every file.
            Check it with `organwatch verify case.wacz`. Make a signing key with `organwatch keygen`.
        """),
    )
    p.add_argument("--db", default=DEFAULT_DB, metavar="PATH", help=f"SQLite database (default {DEFAULT_DB})")
    p.add_argument("--out", required=True, metavar="CASE.wacz", help="bundle to write")
    p.add_argument("--url", dest="urls", action="append", default=[], metavar="URL", help="a page (repeatable)")
    p.add_argument("--flagged", action="store_true", help="every flagged page")
    p.add_argument("--where", metavar="SQL", help="pages matching an SQL condition on the pages table")
    p.add_argument("--case-id", metavar="ID", help="case identifier (default: a new UUID)")
    p.add_argument("--sign-key", metavar="KEY.pem", help="sign the bundle digest with this ECDSA private key")
    p.add_argument("--actor", metavar="WHO", help="who exports, for the custody log (default ORGANWATCH_ACTOR or user@host)")

    p = sub.add_parser(
        "verify", help="check a case bundle: every file hash, WARC digest and the signature", formatter_class=fmt,
        epilog=_examples("""
            organwatch verify case.wacz
            organwatch verify case.wacz --public-key ngo-public.pem   # the signature must be by this key
            organwatch verify case.wacz --db data/organwatch.db       # and log the check in the custody log

            exit 0: whole; exit 1: the first line names the file, record or byte that does not match.
        """),
    )
    p.add_argument("bundle", metavar="CASE.wacz")
    p.add_argument("--public-key", metavar="KEY.pem", help="require a signature by this key (public or private PEM)")
    p.add_argument("--db", metavar="PATH", help="record the verification in this database's custody log")

    p = sub.add_parser(
        "verify-log", help="prove the custody log's hash chain is unbroken", formatter_class=fmt,
        epilog=_examples("""
            organwatch verify-log --db data/organwatch.db
            organwatch verify-log --db data/organwatch.db --head 3f1c...   # and that this head is still in it

            prints the number of entries and the head hash; keep the head elsewhere to notice removed
            newest entries. exit 1 names the first row whose content or link does not match.
        """),
    )
    p.add_argument("--db", default=DEFAULT_DB, metavar="PATH", help=f"SQLite database (default {DEFAULT_DB})")
    p.add_argument("--head", metavar="HASH", help="a head hash recorded earlier: it must still be in the chain")

    p = sub.add_parser(
        "snapshot", help="render flagged pages in headless Chromium: screenshot and DOM as WARC records",
        formatter_class=fmt,
        epilog=_examples("""
            organwatch snapshot --db data/organwatch.db                  # every flagged page that is live
            organwatch snapshot --db data/organwatch.db --url https://a.example/ad/1

            Uses Debian's chromium (/usr/bin/chromium; apt-get install chromium) through Playwright.
            The records go to --warc-dir, tied to the page's latest capture (WARC-Refers-To).
        """),
    )
    p.add_argument("--db", default=DEFAULT_DB, metavar="PATH", help=f"SQLite database (default {DEFAULT_DB})")
    p.add_argument("--url", dest="urls", action="append", default=[], metavar="URL", help="this page (repeatable)")
    p.add_argument("--flagged", action="store_true", help="flagged live pages (the default without --url)")
    p.add_argument("--warc-dir", default="data/warc", metavar="DIR", help="where WARC files go (default data/warc)")
    p.add_argument("--allow-private", action="store_true", help="allow loopback and private addresses (tests)")
    p.add_argument("--timeout", type=float, default=30.0, metavar="SECONDS", help="per page (default 30)")

    p = sub.add_parser(
        "keygen", help="make an ECDSA (P-384) key for signing bundles", formatter_class=fmt,
        epilog=_examples("""
            organwatch keygen keys/ngo-signing.pem    # prints the public key fingerprint to publish
        """),
    )
    p.add_argument("key", metavar="KEY.pem", help="private key file to create (mode 600)")


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
    from crawler.seeds import SeedError, collect_seeds, read_seeds_file

    try:
        seeds = collect_seeds(args.urls, args.seeds_file)
    except SeedError as e:
        raise UsageError(str(e)) from None
    if not seeds:
        raise UsageError("no seeds: give URLs or --seeds-file FILE")
    if args.follow_offsite is not None and args.follow_offsite < 0:
        raise UsageError(f"--follow-offsite takes a number of hops >= 0, got {args.follow_offsite}")
    if args.targets:
        try:
            read_seeds_file(args.targets)
        except SeedError as e:
            raise UsageError(str(e)) from None
    overrides = _parse_settings(args.settings)
    overrides.update(_watchdog_setting(args))
    if args.redis:
        if args.job:
            raise UsageError("--redis and --job do not mix: the crawl's state is in Redis")
        _check_redis_url(args.redis)
    options = CrawlOptions(
        seeds=seeds, db=args.db, warc_dir=args.warc_dir, job=args.job, max_pages=args.max_pages,
        depth=args.depth, allow_private=args.allow_private, redis=args.redis, settings=overrides,
        verbose=args.verbose, follow_offsite=args.follow_offsite, targets=args.targets,
    )
    stats = run_crawl(options)
    return _crawl_exit(stats)


def _crawl_exit(stats: dict) -> int:
    return EXIT_OK if stats.get("finish_reason") in ("finished", "closespider_pagecount") else EXIT_FAILURE


def _parse_settings(items: list[str]) -> dict:
    overrides = {}
    for item in items:
        name, sep, value = item.partition("=")
        if not sep or not name.strip():
            raise UsageError(f"-s takes NAME=VALUE, got {item!r}")
        overrides[name.strip()] = value
    return overrides


def _watchdog_setting(args) -> dict:
    if args.watchdog is None:
        return {}
    if args.watchdog <= 0:
        raise UsageError(f"--watchdog {args.watchdog:g}: give a number of minutes above 0")
    return {"ORGANWATCH_WATCHDOG_MINUTES": args.watchdog}


def cmd_recheck(args) -> int:
    from crawler.recheck import RecheckError, RecheckOptions, parse_duration, run_recheck

    try:
        options = RecheckOptions(
            db=args.db, flagged=args.flagged, urls=args.urls, include_gone=not args.live_only,
            older_than=parse_duration(args.older_than) if args.older_than else None,
            warc_dir=args.warc_dir, allow_private=args.allow_private, verbose=args.verbose,
            settings={**_parse_settings(args.settings), **_watchdog_setting(args)},
        )
        stats = run_recheck(options)
    except RecheckError as e:
        raise UsageError(str(e)) from None
    events = ", ".join(f"{k.rsplit('/', 1)[1]} {v}" for k, v in sorted(stats.items()) if k.startswith("organwatch/events/"))
    print(f"rechecked {stats['organwatch/rechecked']} page(s){': ' + events if events else ''}", file=sys.stderr)
    return _crawl_exit(stats)


def cmd_export(args) -> int:
    from crawler.export import EvidenceError, ExportError, ExportOptions, export_bundle
    from crawler.signing import SigningError

    options = ExportOptions(
        db=args.db, out=args.out, urls=args.urls, flagged=args.flagged, where=args.where,
        case_id=args.case_id, sign_key=args.sign_key, actor=args.actor,
    )
    try:
        result = export_bundle(options)
    except (ExportError, SigningError) as e:
        raise UsageError(str(e)) from None
    except EvidenceError as e:
        print(f"organwatch export: evidence does not match the database: {e}", file=sys.stderr)
        return EXIT_FAILURE
    signed = f", signed by {result.signed_by}" if result.signed_by else ", unsigned"
    print(f"{result.path}: case {result.case_id}, {result.pages} page(s), {result.captures} capture(s){signed}; "
          f"sha256 {result.sha256}")
    return EXIT_OK


def cmd_verify(args) -> int:
    from crawler.signing import SigningError, load_public_key_b64
    from crawler.verify import BundleError, verify_bundle

    try:
        trusted = load_public_key_b64(args.public_key) if args.public_key else None
        report = verify_bundle(args.bundle, trusted)
    except (BundleError, SigningError) as e:
        raise UsageError(str(e)) from None
    if args.db:
        from crawler import custody
        from crawler.capture_custody import file_sha256
        from crawler.store import Store

        store = Store(args.db)
        try:
            custody.append(store.db, "verify", f"bundle:{report.case_id or Path(args.bundle).name}",
                           file_sha256(args.bundle), {"ok": report.ok, "problems": report.problems[:20]})
        finally:
            store.close()
    if not report.ok:
        for problem in report.problems:
            print(f"FAIL {problem}", file=sys.stderr)
        return EXIT_FAILURE
    signed = f"signed by {report.signed_by}" if report.signed_by else "not signed"
    print(f"{args.bundle}: OK ({report.files} files, {report.records} WARC records, {signed})")
    return EXIT_OK


def cmd_verify_log(args) -> int:
    from crawler.custody import verify_chain
    from crawler.store import Store

    if not Path(args.db).exists():
        raise UsageError(f"{args.db}: database not found")
    store = Store(args.db)
    try:
        report = verify_chain(store.db)
        if args.head and not report.problems:
            if store.db.execute("select 1 from custody where hash = ?", [args.head]).fetchone() is None:
                report.problems.append(f"head {args.head}: not in the chain (entries removed, or another log)")
    finally:
        store.close()
    if not report.ok:
        for problem in report.problems:
            print(f"FAIL {problem}", file=sys.stderr)
        return EXIT_FAILURE
    print(f"custody log OK: {report.entries} entries, head {report.head}")
    return EXIT_OK


def cmd_snapshot(args) -> int:
    from crawler.snapshot import SnapshotError, SnapshotOptions, take_snapshots

    options = SnapshotOptions(db=args.db, urls=args.urls, flagged=args.flagged, warc_dir=args.warc_dir,
                              allow_private=args.allow_private, timeout_s=args.timeout)
    try:
        results = take_snapshots(options)
    except SnapshotError as e:
        raise UsageError(str(e)) from None
    failed = [r for r in results if "error" in r]
    for r in results:
        if "error" in r:
            print(f"FAIL {r['url']}: {r['error']}", file=sys.stderr)
        else:
            print(f"{r['url']}: screenshot sha256 {r['screenshot_sha256']}, DOM sha256 {r['dom_sha256']}")
    return EXIT_FAILURE if failed else EXIT_OK


def cmd_keygen(args) -> int:
    from crawler.signing import SigningError, generate_key

    try:
        print(f"{args.key}: new P-384 key; public key fingerprint {generate_key(args.key)}")
    except SigningError as e:
        raise UsageError(str(e)) from None
    return EXIT_OK


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
    from crawler.accounts import AccountError, accounts
    from crawler.serve import serve

    if not Path(args.db).exists():
        raise UsageError(f"{args.db}: database not found (crawl first: organwatch crawl ... --db {args.db})")
    try:
        accounts()
    except AccountError as e:
        raise UsageError(str(e)) from None
    return serve(args.db, host=args.host, port=args.port)


def cmd_account(args) -> int:
    import getpass

    from crawler.accounts import AccountError, make_account

    if args.password_stdin:
        password = sys.stdin.read().rstrip("\n")
    else:
        password = getpass.getpass(f"password for {args.name}: ")
        if getpass.getpass("again: ") != password:
            raise UsageError("the two passwords differ")
    try:
        print(make_account(args.name, args.role, password), end="")
    except AccountError as e:
        raise UsageError(str(e)) from None
    return EXIT_OK


def cmd_demo(args) -> int:
    from crawler.demo import run_demo

    return run_demo(db=args.db, port=args.port, serve_after=not args.no_serve)


def cmd_train(args) -> int:
    from nlp import model
    from nlp.dataset import DataError, split_corpus
    from nlp.evaluate import format_report

    extra = None
    if args.with_reviews:
        from crawler.reviews import training_examples

        if not Path(args.with_reviews).exists():
            raise UsageError(f"{args.with_reviews}: database not found")
        extra = training_examples(args.with_reviews)
        print(f"{len(extra)} reviewed pages from {args.with_reviews} added to the training data")
    before = model.model_info(model.load()).get("dev") if extra else None
    try:
        if args.split:
            n_train, n_dev = split_corpus()
            print(f"corpus split: train {n_train}, dev {n_dev}")
        report = model.train(output=Path(args.output) if args.output else model.MODEL_DIR, extra_train=extra)
    except DataError as e:
        raise UsageError(str(e)) from None
    print(format_report(report))
    if before:
        print("\nchange on dev against the shipped model (flagged):")
        for key in ("precision", "recall", "f1"):
            old, new = before["flagged"][key], report["overall"]["flagged"][key]
            print(f"  {key:10} {old:.3f} -> {new:.3f} ({new - old:+.3f})")
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
    "account": cmd_account,
    "demo": cmd_demo,
    "train": cmd_train,
    "evaluate": cmd_evaluate,
    "recheck": cmd_recheck,
    "export": cmd_export,
    "verify": cmd_verify,
    "verify-log": cmd_verify_log,
    "snapshot": cmd_snapshot,
    "keygen": cmd_keygen,
    "ingest": cmd_ingest,
}

if __name__ == "__main__":
    sys.exit(main())
