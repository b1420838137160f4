"""The `mentiondesk` console script."""

import argparse
import json
import signal
import sys
import threading


def _run(args: argparse.Namespace) -> int:
    from mentiondesk.local.stack import LocalStack

    stack = LocalStack(host=args.host, port=args.port, demo=not args.no_demo, time_scale=args.time_scale)
    try:
        stack.start()
    except OSError as error:
        print(f"mentiondesk: cannot start the local stack: {error}", file=sys.stderr)
        return 1
    stopping = threading.Event()
    # Handle both explicitly: a process started in the background may inherit SIGINT as ignored.
    signal.signal(signal.SIGINT, lambda *_: stopping.set())
    signal.signal(signal.SIGTERM, lambda *_: stopping.set())
    print(f"Mentiondesk local stack ready in {stack.started_in:.1f} s")
    print(f"  Agent page   {stack.url}/")
    print(f"  API          {stack.url}/api/health   (OpenAPI: {stack.url}/api/openapi.json)")
    print(f"  X webhook    {stack.url}/webhooks/x")
    print(f"  Outbound     {stack.url}/_local/outbound  (calls to the fake X/Meta/Google APIs)")
    if stack.demo:
        print(
            "  Sign in as   agent1@demo.local, agent2@demo.local, lead@demo.local, admin@demo.local, finance@demo.local"
        )
        print("  Demo posts arrive every few seconds (JA and EN). --no-demo for an empty tenant-less stack.")
    print("Ctrl-C to stop.", flush=True)
    stopping.wait()
    print("Stopping...", flush=True)
    stack.stop()
    print("Stopped.", flush=True)
    return 0


def _quarantine(args: argparse.Namespace) -> int:
    """List (or show) signed webhook bodies that could not be parsed, newest first."""
    import os

    from mentiondesk.store.factory import store_for

    table = args.table or os.environ.get("TABLE_NAME")
    if not table:
        print("mentiondesk: give --table (the TableName output of the stack) or set TABLE_NAME", file=sys.stderr)
        return 2
    records = store_for(table).quarantine.recent(args.platform, limit=args.limit)
    for record in records:
        line = {k: record.get(k) for k in ("id", "platform", "received_at", "size", "reason")}
        if args.show_body:
            line["body"] = record.get("body")
        print(json.dumps(line, ensure_ascii=False))
    if not records:
        print(f"no quarantined {args.platform} bodies", file=sys.stderr)
    return 0


def _costs_estimate(args: argparse.Namespace) -> int:
    """Simulate ticket lifecycles against moto and price them per 1,000 tickets."""
    try:
        from mentiondesk.costs.estimate import estimate, render
    except ImportError as error:  # moto is a dev dependency
        print(f"mentiondesk: the estimate needs the dev extra (pip install -e '.[dev]'): {error}", file=sys.stderr)
        return 1
    try:
        result = estimate(args.tickets, args.region, ledger=not args.without_ledger)
    except RuntimeError as error:
        print(f"mentiondesk: {error}", file=sys.stderr)
        return 1
    print(json.dumps(result.as_dict(), ensure_ascii=False, indent=2) if args.json else render(result))
    return 0


def _bench(args: argparse.Namespace) -> int:
    """The figures of issue 8: one JSON object on stdout, a readable table on stderr."""
    try:
        from mentiondesk import bench
        from mentiondesk.costs.estimate import project_root
    except ImportError as error:
        print(f"mentiondesk: the bench needs the dev extra (pip install -e '.[dev]'): {error}", file=sys.stderr)
        return 1
    if args.burst is not None:
        return _burst(args)
    figures = bench.run(project_root(), quick=args.quick, log=lambda line: print(line, file=sys.stderr, flush=True))
    print(bench.render(figures), file=sys.stderr)
    print(json.dumps(figures, ensure_ascii=False))
    return 0


def _burst(args: argparse.Namespace) -> int:
    """A bounded burst on the local stack: one JSON object on stdout; exit 1 if anything was lost or doubled."""
    from mentiondesk import burst

    # stdout carries the one JSON object: anything the stack's threads print (a handler's metrics at
    # shutdown) goes to stderr instead.
    out, sys.stdout = sys.stdout, sys.stderr
    figures = burst.burst(
        events=args.burst, seconds=args.over, log=lambda line: print(line, file=sys.stderr, flush=True)
    )
    problems = burst.verdict(figures)
    print(burst.render(figures), file=sys.stderr)
    print("verdict: " + ("; ".join(problems) if problems else "nothing lost, nothing doubled"), file=sys.stderr)
    print(json.dumps(figures, ensure_ascii=False), file=out, flush=True)
    return 1 if problems else 0


def main(argv: list[str] | None = None) -> int:
    from mentiondesk.triage.cli import add_classify_arguments, add_evaluate_arguments, classify_main, evaluate_main

    parser = argparse.ArgumentParser(prog="mentiondesk", description="Mentiondesk social customer care")
    commands = parser.add_subparsers(dest="command", required=True)
    run = commands.add_parser("run", help="start the local stack (no AWS account needed)")
    run.add_argument("--host", default="127.0.0.1")
    run.add_argument("--port", type=int, default=3000)
    run.add_argument("--no-demo", action="store_true", help="no demo tenant, users or simulated posts")
    run.add_argument(
        "--time-scale",
        type=float,
        default=1.0,
        help="run workflow waits and schedules this many times faster",
    )
    quarantine = commands.add_parser(
        "quarantine", help="signed webhook bodies that could not be parsed (uses your AWS credentials)"
    )
    quarantine.add_argument("--platform", default="x", choices=["x", "meta", "google"])
    quarantine.add_argument("--table", help="the stack's TableName output (default: $TABLE_NAME)")
    quarantine.add_argument("--limit", type=int, default=50)
    quarantine.add_argument("--show-body", action="store_true", help="print the bodies (may hold personal data)")
    add_classify_arguments(
        commands.add_parser("classify", help="JSON Lines in on stdin, one classification per line out (DESIGN.md)")
    )
    add_evaluate_arguments(
        commands.add_parser("evaluate", help="macro-F1 per label and language on the evaluation data")
    )
    costs = commands.add_parser("costs", help="cost per ticket").add_subparsers(dest="costs_command", required=True)
    estimate = costs.add_parser(
        "estimate", help="simulate ticket lifecycles in-process (moto) and price them per 1,000 tickets"
    )
    estimate.add_argument("--tickets", type=int, default=10, help="lifecycles to simulate and average (default 10)")
    estimate.add_argument("--region", default="ap-northeast-1", choices=["ap-northeast-1", "us-east-1"])
    estimate.add_argument("--json", action="store_true", help="one JSON object instead of the table")
    estimate.add_argument(
        "--without-ledger", action="store_true", help="do not write the cost ledger (to see what metering costs)"
    )
    bench_command = commands.add_parser("bench", help="measure speed, calls and cost (prints one JSON object)")
    bench_command.add_argument("--quick", action="store_true", help="fewer repetitions (a smoke run)")
    bench_command.add_argument(
        "--burst", type=int, metavar="N", help="instead: send N webhook events to the local stack (docs/scaling.md)"
    )
    bench_command.add_argument(
        "--over", type=float, default=60.0, metavar="S", help="the burst's length (default 60 s)"
    )
    args = parser.parse_args(argv)
    rest = list(argv if argv is not None else sys.argv[1:])[1:]
    if args.command == "classify":
        return classify_main(rest)
    if args.command == "evaluate":
        return evaluate_main(rest)
    if args.command == "costs":
        if args.tickets < 1 or args.tickets > 1000:
            parser.error("--tickets must be between 1 and 1000")
        return _costs_estimate(args)
    if args.command == "quarantine":
        return _quarantine(args)
    if args.command == "bench":
        if args.burst is not None and (args.burst < 1 or args.burst > 20000 or args.over <= 0):
            parser.error("--burst must be between 1 and 20000 and --over positive")
        return _bench(args)
    if args.command == "run":
        if args.time_scale <= 0:
            parser.error("--time-scale must be positive")
        return _run(args)
    return 2
