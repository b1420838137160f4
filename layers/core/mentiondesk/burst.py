"""`mentiondesk bench --burst N`: a bounded burst of X webhook deliveries on the local stack, and what
became of every one of them.

N signed mentions are sent to http://127.0.0.1:<port>/webhooks/x over `seconds` from a few sender
threads, on a fixed schedule (event i is due at i * seconds / N), plus a share of redeliveries of
bodies already sent (X delivers again when it is unsure). A delivery that fails is sent again, as X
would. Then the run waits until every ticket has been triaged and reports:

- at the door: HTTP statuses, webhook latency p50/p99, how far the senders fell behind their schedule
  (the requests that queued in front of the server), the deliveries sent again;
- behind it: triage runs started, the most waiting at once (started and not yet assigned), how long
  the backlog took to drain, Lambda invocations and errors by function;
- the outcome: every distinct mention stored exactly once (lost = 0), one ticket each, one message per
  ticket (duplicated = 0), every redelivery answered as a duplicate, each ticket classified once (a
  redelivery may start a second run of the same name, which ends at the run's claim) and no run failed.

The local stack runs one Lambda invocation at a time (runtime.py) and moto is far slower than
DynamoDB, so the local figures show the shape (what queues where, that nothing is lost or doubled),
not AWS's speed; docs/scaling.md has AWS's limits beside them.
"""

import json
import random
import statistics
import threading
import time
from collections import Counter
from datetime import UTC, datetime
from typing import Any

from mentiondesk.bench import _quiet, percentile


def _body(n: int, account_id: str, handle: str) -> bytes:
    from mentiondesk.channels import x

    languages = (
        ("ja", f"@{handle} 注文した荷物がまだ届きません。確認をお願いします（{n}）"),
        ("en", f"@{handle} my order #{n} never arrived, can someone check?"),
        ("ja", f"@{handle} アプリが起動しなくなりました {n}"),
        ("en", f"@{handle} thanks for the quick fix yesterday! ({n})"),
    )
    lang, text = languages[n % len(languages)]
    event = {
        "for_user_id": account_id,
        "tweet_create_events": [
            {
                "created_at": x.x_timestamp(datetime.now(UTC)),
                "id_str": f"18{n:017d}",
                "text": text,
                "in_reply_to_status_id_str": None,
                "lang": lang,
                "user": {"id_str": f"71{n:016d}", "screen_name": f"burst{n}", "name": f"Burst {n}"},
            }
        ],
    }
    return json.dumps(event, ensure_ascii=False).encode()


class _Door:
    """What the senders saw: statuses, latencies, lateness against the schedule, resends."""

    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.statuses: Counter[str] = Counter()
        self.latency_ms: list[float] = []
        self.late_ms: list[float] = []
        self.resent = 0
        self.duplicate_answers = 0
        self.accepted_answers = 0
        self.gave_up = 0


def burst(
    events: int = 2000,
    seconds: float = 60.0,
    redeliveries: float = 0.05,
    senders: int = 8,
    drain_timeout: float = 1800.0,
    log: Any = lambda _line: None,
) -> dict[str, Any]:
    import requests

    from mentiondesk.channels import x
    from mentiondesk.local import demo
    from mentiondesk.local.stack import LocalStack

    if events < 1 or seconds <= 0:
        raise ValueError("a burst needs at least one event and a positive duration")
    rng = random.Random(8)  # noqa: S311 - which bodies are redelivered, not a secret
    plan: list[tuple[float, int]] = [(i * seconds / events, i) for i in range(events)]
    extra = [rng.randrange(events) for _ in range(round(events * redeliveries))]
    # a redelivery comes a little after the first delivery (X's retry), never before it
    plan += [(min(seconds, (n + rng.randint(1, max(1, events // 20))) * seconds / events), n) for n in extra]
    plan.sort()
    door = _Door()
    with _quiet(), LocalStack(port=0, demo=True, simulate=False) as stack:
        secret = stack.secrets["MENTIONDESK_X_CONSUMER_SECRET"]
        bodies = [_body(n, demo.X_ACCOUNT_ID, demo.X_HANDLE) for n in range(events)]
        signatures = [x.sign(secret, b) for b in bodies]
        url = f"{stack.url}/webhooks/x"
        cursor = iter(plan)
        cursor_lock = threading.Lock()
        invocations_before = Counter(stack.runtime.invocations)
        started = time.monotonic()

        def send_one(session: Any, n: int) -> None:
            for attempt in range(4):
                sent = time.perf_counter()
                try:
                    answer = session.post(
                        url,
                        data=bodies[n],
                        headers={"x-twitter-webhooks-signature": signatures[n], "content-type": "application/json"},
                        timeout=30,
                    )
                    status = str(answer.status_code)
                except requests.RequestException as error:
                    answer, status = None, type(error).__name__
                took = (time.perf_counter() - sent) * 1000
                with door.lock:
                    door.statuses[status] += 1
                    door.latency_ms.append(took)
                    if attempt:
                        door.resent += 1
                if answer is not None and answer.status_code == 200:
                    outcome = answer.json()
                    with door.lock:
                        door.accepted_answers += int(outcome.get("accepted", 0))
                        door.duplicate_answers += int(outcome.get("duplicates", 0))
                    return
                time.sleep(0.5 * 2**attempt)
            with door.lock:
                door.gave_up += 1

        def sender() -> None:
            session = requests.Session()
            while True:
                with cursor_lock:
                    step = next(cursor, None)
                if step is None:
                    return
                due, n = step
                wait = started + due - time.monotonic()
                if wait > 0:
                    time.sleep(wait)
                late = -wait if wait < 0 else 0.0
                with door.lock:
                    door.late_ms.append(late * 1000)
                send_one(session, n)

        threads = [threading.Thread(target=sender, daemon=True) for _ in range(senders)]
        for thread in threads:
            thread.start()
        backlog: list[int] = []

        def triaged() -> int:
            runs = stack.runtime.invocations
            return runs["TriageAssignFunction"] - invocations_before["TriageAssignFunction"]

        while any(t.is_alive() for t in threads):
            backlog.append(door.accepted_answers - triaged())
            time.sleep(1)
        sent_in = time.monotonic() - started
        log(f"burst: {len(plan)} deliveries sent in {sent_in:.0f} s; draining the triage backlog...")
        deadline = time.monotonic() + drain_timeout
        while triaged() < door.accepted_answers and time.monotonic() < deadline:
            backlog.append(door.accepted_answers - triaged())
            time.sleep(1)
        drained_in = time.monotonic() - started
        time.sleep(1)  # the last run's final state
        outcome = _account(stack, events)
        invocations = Counter(stack.runtime.invocations)
        invocations.subtract(invocations_before)
        errors = {k: v for k, v in stack.runtime.errors.items() if v}
    latency = door.latency_ms
    return {
        "burst_events": events,
        "burst_seconds": seconds,
        "burst_deliveries": len(plan),
        "burst_redeliveries": len(extra),
        "burst_http_statuses": dict(door.statuses),
        "burst_resent_after_failure": door.resent,
        "burst_gave_up": door.gave_up,
        "burst_webhook_ms_p50": round(statistics.median(latency)),
        "burst_webhook_ms_p99": round(percentile(latency, 0.99)),
        "burst_sender_late_ms_max": round(max(door.late_ms or [0])),
        "burst_sent_in_s": round(sent_in, 1),
        "burst_accepted": door.accepted_answers,
        "burst_answered_duplicate": door.duplicate_answers,
        "burst_triage_backlog_max": max(backlog or [0]),
        "burst_drained_in_s": round(drained_in, 1),
        "burst_invocations": {k: v for k, v in sorted(invocations.items()) if v},
        "burst_invocation_errors": errors,
        **outcome,
    }


def _account(stack: Any, events: int) -> dict[str, Any]:
    """Every distinct mention, looked up in the store: found once, one ticket each, triaged once."""
    from mentiondesk.local import demo

    tickets: Counter[str] = Counter()
    lost = 0
    for n in range(events):
        found = stack.store.tickets.find_native(demo.TENANT, "x", f"18{n:017d}")
        if found is None:
            lost += 1
        else:
            tickets[found["ticket_id"]] += 1
    states: Counter[str] = Counter()
    doubled_messages = 0
    classified: Counter[str] = Counter()
    for ticket_id in tickets:
        detail = stack.store.tickets.detail(demo.TENANT, ticket_id)
        states[detail.ticket.triage_state] += 1
        if detail.ticket.message_count != 1 or len(detail.messages) != 1:
            doubled_messages += 1
        # Triaged once: one classification per ticket (a redelivery's run ends at the claim, before it)
        classified[ticket_id] = sum(1 for e in detail.events if e.type == "classified")
    runs: Counter[str] = Counter()
    sfn = stack.client("stepfunctions")
    token: str | None = None
    while True:
        page = sfn.list_executions(
            stateMachineArn=stack.state_machine_arn(), maxResults=1000, **({"nextToken": token} if token else {})
        )
        for execution in page["executions"]:
            runs[execution["status"]] += 1
        token = page.get("nextToken")
        if not token:
            break
    return {
        "burst_lost": lost,
        "burst_tickets": len(tickets),
        "burst_tickets_shared": sum(1 for c in tickets.values() if c > 1),
        "burst_tickets_with_doubled_messages": doubled_messages,
        "burst_triage_states": dict(states),
        "burst_triage_runs": dict(runs),
        "burst_classifications_per_ticket_max": max(classified.values() or [0]),
    }


def render(figures: dict[str, Any]) -> str:
    width = max(len(k) for k in figures)
    return "\n".join(f"{k:<{width}}  {v}" for k, v in figures.items())


def verdict(figures: dict[str, Any]) -> list[str]:
    """What must hold after any burst: nothing lost, nothing doubled, every ticket triaged once."""
    problems = []
    if figures["burst_lost"]:
        problems.append(f"{figures['burst_lost']} mentions lost")
    if figures["burst_tickets"] != figures["burst_events"] - figures["burst_lost"]:
        problems.append("mentions shared a ticket or made two")
    if figures["burst_tickets_with_doubled_messages"]:
        problems.append(f"{figures['burst_tickets_with_doubled_messages']} tickets with a doubled message")
    if figures["burst_classifications_per_ticket_max"] > 1:
        problems.append("a ticket was triaged twice")
    if figures["burst_triage_states"].get("done", 0) != figures["burst_tickets"]:
        problems.append(f"not every ticket was triaged: {figures['burst_triage_states']}")
    if figures["burst_triage_runs"].get("FAILED", 0):
        problems.append(f"{figures['burst_triage_runs']['FAILED']} triage runs failed")
    if figures["burst_accepted"] != figures["burst_events"]:
        problems.append(f"{figures['burst_accepted']} accepted of {figures['burst_events']}")
    return problems
