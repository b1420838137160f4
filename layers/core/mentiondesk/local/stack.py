"""The local stack: moto in server mode (Step Functions executing for real), resources created from
template.yaml, the real handlers in-process, the HTTP API on a port, schedules ticked, fake platforms,
and the demo. No AWS account, no Docker."""

import io
import json
import logging
import os
import socket
import threading
import time
import zipfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import boto3
import requests

from mentiondesk.local import demo
from mentiondesk.local.auth import DevAuth, LocalGooglePush
from mentiondesk.local.gateway import FakePlatforms, Gateway, make_server
from mentiondesk.local.runtime import InvocationError, LambdaRuntime, install_moto_patches
from mentiondesk.local.simulator import Simulator
from mentiondesk.local.template import ACCOUNT, LocalTemplate, load_template, rate_seconds
from mentiondesk.models import Agent
from mentiondesk.observability import logger

# Local defaults of the platform secrets (DESIGN.md contract); the environment overrides them.
SECRET_DEFAULTS = {
    "MENTIONDESK_X_CONSUMER_SECRET": "local-x-consumer-secret",
    "MENTIONDESK_META_APP_SECRET": "local-meta-app-secret",
    "MENTIONDESK_META_VERIFY_TOKEN": "local-meta-verify-token",
    "MENTIONDESK_X_BEARER_TOKEN": "local-x-bearer-token",
    "MENTIONDESK_X_CLIENT_ID": "local-x-client-id",
    "MENTIONDESK_X_CLIENT_SECRET": "local-x-client-secret",
    # Graph API tokens per Instagram account (JSON): the demo's account reads its mentions.
    "MENTIONDESK_META_ACCESS_TOKENS": '{"17841400000000001": "local-ig-token", "104400000000009": "local-page-token"}',
}
REGION = "us-east-1"
_AWS_ENV = (
    "AWS_ACCESS_KEY_ID",
    "AWS_SECRET_ACCESS_KEY",
    "AWS_DEFAULT_REGION",
    "AWS_REGION",
    "AWS_ENDPOINT_URL",
    "MOTO_PORT",
    "AWS_ACCOUNT_ID_ENDPOINT_MODE",
)


def project_root() -> Path:
    """The checkout holding template.yaml (this package lives in layers/core/mentiondesk)."""
    env = os.environ.get("MENTIONDESK_ROOT")
    if env:
        return Path(env)
    here = Path(__file__).resolve()
    for parent in here.parents:
        if (parent / "template.yaml").is_file():
            return parent
    raise RuntimeError("template.yaml not found: run from a checkout or set MENTIONDESK_ROOT")


def free_port(host: str = "127.0.0.1") -> int:
    with socket.socket() as sock:
        sock.bind((host, 0))
        return int(sock.getsockname()[1])


LOCAL_EMAIL_FROM = "notifications@demo.local"


@dataclass
class LocalStack:
    host: str = "127.0.0.1"
    port: int = 3000
    demo: bool = True
    time_scale: float = 1.0
    # Tests only: a Wait until a timestamp ends as soon as the test moves the clock there
    # (mentiondesk.clock.advance_to), so SLA timers play out instantly at the times they really would.
    virtual_time: bool = False
    simulate: bool = True
    root: Path = field(default_factory=project_root)
    moto_port: int = 0

    def __post_init__(self) -> None:
        self._threads: list[threading.Thread] = []
        self._stop = threading.Event()
        self.fakes = FakePlatforms()
        self.simulator: Simulator | None = None
        self.schedule_runs: dict[str, int] = {}
        self.schedule_errors: dict[str, int] = {}
        self._schedules: dict[str, dict[str, tuple[Any, dict[str, Any]]]] = {}  # group -> name -> (at, target)

    @property
    def url(self) -> str:
        return f"http://{self.host}:{self.port}"

    # -- start / stop ---------------------------------------------------------------------------

    def start(self) -> "LocalStack":
        started = time.monotonic()
        self.template: LocalTemplate = load_template(self.root)
        self._start_moto()
        self.secrets = {k: os.environ.get(k, v) for k, v in SECRET_DEFAULTS.items()}
        if self.port == 0:
            self.port = free_port(self.host)  # settings below need the real URL
        self.auth = DevAuth(issuer=f"{self.url}/auth/local")
        self.google = LocalGooglePush(audience=f"{self.url}/webhooks/google")
        overrides: dict[str, str | None] = {
            **self.secrets,
            "X_CONSUMER_SECRET_ARN": None,
            "X_API_SECRET_ARN": None,
            "X_API_BASE_URL": f"{self.url}/_fake/x",
            "META_SECRET_ARN": None,
            "META_GRAPH_BASE_URL": f"{self.url}/_fake/meta/v26.0",
            "GOOGLE_API_SECRET_ARN": None,
            "GOOGLE_PUSH_AUDIENCE": self.google.audience,
            "GOOGLE_PUSH_SERVICE_ACCOUNT": self.google.service_account,
            "MENTIONDESK_GOOGLE_JWKS": self.google.jwks(),
            "MENTIONDESK_GOOGLE_API_TOKEN": "local-google-api-token",
            "GOOGLE_API_BASE_URL": f"{self.url}/_fake/google",
            # Rule notifications: Slack webhooks land on the fake endpoint (see /_local/outbound),
            # email goes to moto's SES from a verified local sender.
            "SLACK_WEBHOOK_BASE_URL": f"{self.url}/_fake/slack",
            "NOTIFY_EMAIL_FROM": LOCAL_EMAIL_FROM,
            "COGNITO_DOMAIN": None,
            "USER_POOL_ID": None,  # no Cognito locally: the dev login reads the directory
            "COGNITO_CLIENT_ID": None,
            "AUTH_MODE": "dev",
            "APP_URL": self.url + "/",
            "MENTIONDESK_ENV": "local",
            "MENTIONDESK_DEMO_USERS": json.dumps(
                [{"email": u.email, "name": u.name, "role": u.role} for u in demo.DEMO_USERS] if self.demo else []
            ),
            "POWERTOOLS_TRACE_DISABLED": "true",
            "POWERTOOLS_METRICS_DISABLED": "true",
            "POWERTOOLS_LOG_LEVEL": os.environ.get("MENTIONDESK_LOG_LEVEL", "WARNING"),
        }
        self.runtime = LambdaRuntime(self.template, overrides)
        install_moto_patches(self.runtime, self.time_scale, self.virtual_time)
        self._create_resources()
        from mentiondesk.store.factory import store_for

        self.store = store_for(self.template.names["Table"])
        if self.demo:
            from mentiondesk.clock import now_iso

            demo.seed(self.store, now_iso())
            for agent in demo.DEMO_USERS:
                self.auth.register(agent)
            self.auth.lookup = self._demo_person
            self._connect_demo_x()
        self.gateway = Gateway(self.template.routes(), self.runtime, self.auth, self.fakes)
        self.server = make_server(self.gateway, self.host, self.port)
        self._spawn("http", self.server.serve_forever)
        for function in self.template.functions.values():
            for expression in function.schedules:
                self._spawn(
                    f"schedule-{function.logical_id}",
                    self._ticker,
                    function.logical_id,
                    rate_seconds(expression) / self.time_scale,
                )
        for function in self.template.functions.values():
            for queue_id, batch_size in function.queues:
                self._spawn(f"sqs-{queue_id}", self._consume, function.logical_id, queue_id, batch_size)
        for logical_id in self.template.resources("AWS::Scheduler::ScheduleGroup"):
            self._spawn(f"schedules-{logical_id}", self._fire_schedules, self.template.names[logical_id])
        if self.demo and self.simulate:
            self.simulator = Simulator(self.url, self.secrets, self.google, self.fakes)
            self.simulator.start()
        self.started_in = time.monotonic() - started
        return self

    def stop(self) -> None:
        self._stop.set()
        if self.simulator:
            self.simulator.stop()
        if hasattr(self, "server"):
            self.server.shutdown()
            self.server.server_close()
        if hasattr(self, "moto"):
            # moto keeps its state per process: reset it so a later stack (or a test) starts empty.
            requests.post(f"http://127.0.0.1:{self.moto_port}/moto-api/reset", timeout=5)
            self.moto.stop()
        for key, value in getattr(self, "_saved_env", {}).items():
            if value is None:
                os.environ.pop(key, None)
            else:
                os.environ[key] = value
        from mentiondesk.api import deps
        from mentiondesk.store import factory

        factory.aws_client.cache_clear()
        deps.reset()
        if self.virtual_time:
            from mentiondesk import clock

            clock.reset()
        for thread in self._threads:
            thread.join(timeout=5)

    def __enter__(self) -> "LocalStack":
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()

    def _spawn(self, name: str, target: Any, *args: Any) -> None:
        thread = threading.Thread(target=target, args=args, name=name, daemon=True)
        thread.start()
        self._threads.append(thread)

    # -- moto and resources ---------------------------------------------------------------------

    def _start_moto(self) -> None:
        from moto.server import ThreadedMotoServer

        # moto's werkzeug prints a line per request; the local stack's console is for people.
        logging.getLogger("werkzeug").setLevel(logging.ERROR)

        self.moto_port = self.moto_port or free_port()
        endpoint = f"http://127.0.0.1:{self.moto_port}"
        self._saved_env = {k: os.environ.get(k) for k in (*_AWS_ENV, "AWS_PROFILE")}
        os.environ.update(
            {
                "AWS_ACCESS_KEY_ID": "testing",
                "AWS_SECRET_ACCESS_KEY": "testing",
                "AWS_DEFAULT_REGION": REGION,
                "AWS_REGION": REGION,
                "AWS_ENDPOINT_URL": endpoint,
                "MOTO_PORT": str(self.moto_port),
                "AWS_ACCOUNT_ID_ENDPOINT_MODE": "disabled",
            }
        )
        os.environ.pop("AWS_PROFILE", None)
        from mentiondesk.api import deps
        from mentiondesk.store import factory

        factory.aws_client.cache_clear()  # clients made before this point point elsewhere
        deps.reset()
        self.moto = ThreadedMotoServer(ip_address="127.0.0.1", port=self.moto_port, verbose=False)
        self.moto.start()
        requests.post(
            f"{endpoint}/moto-api/config", timeout=5, json={"stepfunctions": {"execute_state_machine": True}}
        ).raise_for_status()

    def client(self, service: str) -> Any:
        return boto3.client(service, region_name=REGION, endpoint_url=f"http://127.0.0.1:{self.moto_port}")

    def _create_resources(self) -> None:
        t = self.template
        self.client("ses").verify_email_identity(EmailAddress=LOCAL_EMAIL_FROM)
        ddb = self.client("dynamodb")
        for logical_id, resource in t.resources("AWS::DynamoDB::Table").items():
            props = t.resolve(resource["Properties"])
            ddb.create_table(
                TableName=t.names[logical_id],
                BillingMode=props.get("BillingMode", "PAY_PER_REQUEST"),
                AttributeDefinitions=props["AttributeDefinitions"],
                KeySchema=props["KeySchema"],
                **(
                    {"GlobalSecondaryIndexes": props["GlobalSecondaryIndexes"]}
                    if props.get("GlobalSecondaryIndexes")
                    else {}
                ),
            )
        s3 = self.client("s3")
        for logical_id in t.resources("AWS::S3::Bucket"):
            s3.create_bucket(Bucket=t.names[logical_id])
        sqs = self.client("sqs")
        queues = t.resources("AWS::SQS::Queue").items()
        # Dead-letter queues first: a queue's redrive policy must find its target.
        for logical_id, resource in sorted(queues, key=lambda q: "RedrivePolicy" in q[1].get("Properties", {})):
            props = t.resolve(resource.get("Properties", {}))
            attributes = {
                k: str(v) if not isinstance(v, dict) else json.dumps(v)
                for k, v in props.items()
                if k in ("MessageRetentionPeriod", "VisibilityTimeout", "RedrivePolicy", "DelaySeconds")
            }
            sqs.create_queue(QueueName=t.names[logical_id], Attributes=attributes)
        iam = self.client("iam")
        role = iam.create_role(
            RoleName="mentiondesk-local",
            AssumeRolePolicyDocument=json.dumps(
                {
                    "Version": "2012-10-17",
                    "Statement": [
                        {
                            "Effect": "Allow",
                            "Action": "sts:AssumeRole",
                            "Principal": {"Service": "lambda.amazonaws.com"},
                        }
                    ],
                }
            ),
        )
        role_arn = role["Role"]["Arn"]
        code = io.BytesIO()
        with zipfile.ZipFile(code, "w") as archive:
            archive.writestr("app.py", "# runs in-process in the local stack\n")
        lam = self.client("lambda")
        for function in t.functions.values():
            lam.create_function(
                FunctionName=function.name,
                Runtime="python3.12",
                Role=role_arn,
                Handler=function.handler,
                Code={"ZipFile": code.getvalue()},
                Timeout=function.timeout,
                MemorySize=function.memory,
                Environment={"Variables": self.runtime.environment(function)},
                Architectures=["arm64"],
            )
        scheduler = self.client("scheduler")
        for logical_id in t.resources("AWS::Scheduler::ScheduleGroup"):
            scheduler.create_schedule_group(Name=t.names[logical_id])
        sfn = self.client("stepfunctions")
        for machine in t.state_machines.values():
            sfn.create_state_machine(
                name=machine.name, definition=machine.definition, roleArn=role_arn, type=machine.kind
            )
        logger.info("local resources created", extra={"account": ACCOUNT})

    def _demo_person(self, email: str) -> Agent | None:
        """A demo tenant's person by email, as the directory has them now (people admins added, roles changed)."""
        return next((a for a in self.store.directory.agents(demo.TENANT) if a.email.lower() == email), None)

    def _connect_demo_x(self) -> None:
        """The demo's X account is connected (user tokens in the local SSM), as an admin would connect it:
        replies and DMs can be sent from the first minute."""
        from mentiondesk.channels.x_oauth import SsmTokenVault

        prefix = self.runtime.environment(self.template.functions["SendReplyFunction"])["X_OAUTH_PARAMETER_PREFIX"]
        tokens = self.fakes.x_api.issue_user_tokens(
            demo.X_ACCOUNT_ID, user={"username": demo.X_HANDLE, "name": "Mentiondesk"}
        )
        SsmTokenVault(self.client("ssm"), prefix).save(demo.X_ACCOUNT_ID, tokens)

    # -- schedules ------------------------------------------------------------------------------

    def _fire_schedules(self, group: str) -> None:
        """EventBridge Scheduler's part for one-time schedules (the SLA timers), which moto stores but
        never fires: each `at(...)` schedule whose time our clock has reached invokes its target with
        its input and, once delivered, is deleted (ActionAfterCompletion DELETE). A failing target is
        tried again on later ticks, as Scheduler retries; the failures are counted in schedule_errors."""
        while not self._stop.is_set():
            try:
                fired = self.fire_due_schedules(group)
            except Exception:  # moto stopping under us at shutdown, or a bug: say so, keep ticking
                if self._stop.is_set():
                    return
                logger.exception("local scheduler tick failed", extra={"group": group})
                fired = 0
            if not fired:
                if self.virtual_time:
                    from mentiondesk import clock

                    clock.wait_for_move(0.05)
                else:
                    self._stop.wait(1.0)  # Scheduler itself fires one-time schedules within about a minute

    def fire_due_schedules(self, group: str) -> int:
        """Fire the group's one-time schedules that are due by our clock; how many were delivered.

        One ListSchedules a tick; each schedule's time and target are read once, when it first shows up
        (a demo or a burst holds thousands of waiting wakes: reading each every tick would swamp moto)."""
        from mentiondesk.clock import utcnow
        from mentiondesk.workflow import wake_of

        scheduler = self.client("scheduler")
        now = utcnow()
        names: set[str] = set()
        token: str | None = None
        while True:
            page = scheduler.list_schedules(GroupName=group, **({"NextToken": token} if token else {}))
            names.update(s["Name"] for s in page.get("Schedules", []))
            token = page.get("NextToken")
            if not token:
                break
        known = self._schedules.setdefault(group, {})
        for gone in set(known) - names:
            del known[gone]
        for name in names - set(known):
            schedule = scheduler.get_schedule(GroupName=group, Name=name)
            known[name] = (wake_of(schedule["ScheduleExpression"]), schedule["Target"])
        due = sorted((at, name) for name, (at, _target) in known.items() if at <= now)
        delivered = 0
        for _at, name in due:
            target = known[name][1]
            function = target["Arn"].rsplit(":", 1)[-1]
            try:
                self.runtime.invoke(function, json.loads(target.get("Input") or "{}"))
            except InvocationError:
                self.schedule_errors[name] = self.schedule_errors.get(name, 0) + 1
                continue
            self.schedule_runs[name] = self.schedule_runs.get(name, 0) + 1
            scheduler.delete_schedule(GroupName=group, Name=name)
            del known[name]
            delivered += 1
        return delivered

    def schedules(self, group_logical_id: str = "SlaSchedules") -> list[dict[str, Any]]:
        """The one-time schedules waiting in a group (name, expression, target input)."""
        scheduler = self.client("scheduler")
        group = self.template.names[group_logical_id]
        return [
            scheduler.get_schedule(GroupName=group, Name=s["Name"])
            for s in scheduler.list_schedules(GroupName=group).get("Schedules", [])
        ]

    def _ticker(self, logical_id: str, every: float) -> None:
        while not self._stop.wait(every):
            self.tick(logical_id)

    def tick(self, logical_id: str) -> Any:
        """Run a scheduled function once, as EventBridge Scheduler would."""
        event = {
            "version": "0",
            "id": str(time.time()),
            "detail-type": "Scheduled Event",
            "source": "aws.scheduler",
            "account": ACCOUNT,
            "region": REGION,
            "time": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()),
            "resources": [],
            "detail": {},
        }
        self.schedule_runs[logical_id] = self.schedule_runs.get(logical_id, 0) + 1
        try:
            return self.runtime.invoke(logical_id, event)
        except InvocationError as error:
            # Deployed, this would land in the failed-invocations queue and alarm; locally we say so.
            self.schedule_errors[logical_id] = self.schedule_errors.get(logical_id, 0) + 1
            logger.error(
                "scheduled function failed",
                extra={"function": logical_id, "error_type": error.payload.get("errorType")},
            )
            return None

    # -- queues ---------------------------------------------------------------------------------

    def queue_url(self, logical_id: str) -> str:
        return str(self.client("sqs").get_queue_url(QueueName=self.template.names[logical_id])["QueueUrl"])

    def _consume(self, function_id: str, queue_id: str, batch_size: int) -> None:
        """Lambda's SQS event source mapping: long-poll, invoke with the batch, delete what succeeded
        (ReportBatchItemFailures); failed messages come back after the visibility timeout and, past the
        redrive policy's count, move to the dead-letter queue (moto does that part)."""
        sqs = self.client("sqs")
        url = self.queue_url(queue_id)
        while not self._stop.is_set():
            try:
                got = sqs.receive_message(
                    QueueUrl=url, MaxNumberOfMessages=batch_size, WaitTimeSeconds=1, AttributeNames=["All"]
                )
            except Exception:
                if self._stop.is_set():
                    return
                logger.exception("receiving from a local queue failed", extra={"queue": queue_id})
                self._stop.wait(1)
                continue
            messages = got.get("Messages") or []
            if messages:
                self.deliver(function_id, queue_id, messages)

    def deliver(self, function_id: str, queue_id: str, messages: list[dict[str, Any]]) -> list[str]:
        """Invoke `function_id` with SQS messages as Lambda would; answers the ids that failed."""
        arn = self.template.arns[queue_id]
        records = [
            {
                "messageId": m["MessageId"],
                "receiptHandle": m["ReceiptHandle"],
                "body": m["Body"],
                "attributes": m.get("Attributes", {}),
                "messageAttributes": {},
                "md5OfBody": m.get("MD5OfBody", ""),
                "eventSource": "aws:sqs",
                "eventSourceARN": arn,
                "awsRegion": REGION,
            }
            for m in messages
        ]
        try:
            answer = self.runtime.invoke(function_id, {"Records": records})
        except InvocationError as error:
            logger.error(
                "queue consumer failed", extra={"function": function_id, "error_type": error.payload.get("errorType")}
            )
            return [m["MessageId"] for m in messages]  # the whole batch comes back after the visibility timeout
        failed = {f.get("itemIdentifier") for f in (answer or {}).get("batchItemFailures", [])}
        sqs = self.client("sqs")
        url = self.queue_url(queue_id)
        done = [
            {"Id": str(n), "ReceiptHandle": m["ReceiptHandle"]}
            for n, m in enumerate(messages)
            if m["MessageId"] not in failed
        ]
        if done:
            sqs.delete_message_batch(QueueUrl=url, Entries=done)
        return sorted(str(f) for f in failed)

    def state_machine_arn(self, logical_id: str = "TicketWorkflow") -> str:
        return f"arn:aws:states:{REGION}:{ACCOUNT}:stateMachine:{self.template.names[logical_id]}"

    def executions(self, logical_id: str = "TicketWorkflow") -> list[dict[str, Any]]:
        sfn = self.client("stepfunctions")
        return list(sfn.list_executions(stateMachineArn=self.state_machine_arn(logical_id))["executions"])
