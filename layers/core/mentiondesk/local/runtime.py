"""Runs the real Lambda handlers in-process, for every path that invokes Lambda locally: HTTP routes,
Step Functions tasks (through moto) and schedules.

Handlers read their settings from the environment at cold start, as in Lambda; all handlers share
this process's environment, so each invocation runs under a lock with its function's variables
applied, one at a time (one event per Lambda instance, like the real thing).
"""

import importlib.util
import json
import math
import os
import threading
import time
import traceback
import uuid
from collections import Counter
from collections.abc import Callable
from types import ModuleType
from typing import Any

from mentiondesk.local.template import Function, LocalTemplate


class LambdaContext:
    """The attributes of Lambda's context object that our code and Powertools read."""

    def __init__(self, function: Function) -> None:
        self.function_name = function.name
        self.function_version = "$LATEST"
        self.invoked_function_arn = f"arn:aws:lambda:us-east-1:123456789012:function:{function.name}"
        self.memory_limit_in_mb = function.memory
        self.aws_request_id = str(uuid.uuid4())
        self.log_group_name = f"/local/{function.name}"
        self.log_stream_name = "local"
        self._deadline = time.monotonic() + function.timeout

    def get_remaining_time_in_millis(self) -> int:
        return max(0, int((self._deadline - time.monotonic()) * 1000))


class InvocationError(Exception):
    """A handler raised; carries Lambda's error payload."""

    def __init__(self, payload: dict[str, Any]) -> None:
        super().__init__(payload.get("errorMessage", ""))
        self.payload = payload


class LambdaRuntime:
    """Loads each function's entry point once (its cold start) and invokes it with its environment."""

    def __init__(self, template: LocalTemplate, overrides: dict[str, str | None]) -> None:
        self.functions = {f.name: f for f in template.functions.values()}
        self.by_id = template.functions
        self.overrides = overrides
        self.invocations: Counter[str] = Counter()
        self.errors: Counter[str] = Counter()
        self._handlers: dict[str, Callable[[Any, Any], Any]] = {}
        self._lock = threading.RLock()

    def environment(self, function: Function) -> dict[str, str]:
        env = dict(function.environment)
        for key, value in self.overrides.items():
            if value is None:
                env.pop(key, None)
            else:
                env[key] = value
        return env

    def _load(self, function: Function) -> Callable[[Any, Any], Any]:
        handler = self._handlers.get(function.logical_id)
        if handler is None:
            module_name, attribute = function.handler.rsplit(".", 1)
            path = function.code_dir / f"{module_name.replace('.', '/')}.py"
            spec = importlib.util.spec_from_file_location(f"mentiondesk_fn_{function.logical_id}", path)
            if spec is None or spec.loader is None:
                raise RuntimeError(f"cannot load {path}")
            module: ModuleType = importlib.util.module_from_spec(spec)
            spec.loader.exec_module(module)
            handler = getattr(module, attribute)
            self._handlers[function.logical_id] = handler
        return handler

    def invoke(self, function_ref: str, event: Any) -> Any:
        """Invoke by logical id or function name; raises InvocationError with Lambda's error payload."""
        function = self.by_id.get(function_ref) or self.functions[function_ref]
        env = self.environment(function)
        with self._lock:
            saved = {k: os.environ.get(k) for k in env}
            os.environ.update(env)
            try:
                self.invocations[function.logical_id] += 1
                handler = self._load(function)
                return handler(event, LambdaContext(function))
            except Exception as error:
                self.errors[function.logical_id] += 1
                raise InvocationError(
                    {
                        "errorMessage": str(error),
                        "errorType": type(error).__name__,
                        "stackTrace": traceback.format_exception(error)[-5:],
                    }
                ) from error
            finally:
                for key, value in saved.items():
                    if value is None:
                        os.environ.pop(key, None)
                    else:
                        os.environ[key] = value


_active: LambdaRuntime | None = None


def install_moto_patches(runtime: LambdaRuntime, time_scale: float, virtual_time: bool = False) -> None:
    """Route moto's Lambda invocations to `runtime`; scale Step Functions waits and retry sleeps.

    Waits until a timestamp (the SLA timers) are measured on our clock. They are not scaled: at a
    time scale above 1 they would wake long before our clock reached their timestamp. With
    `virtual_time` they end as soon as the test moves the clock (mentiondesk.clock.advance_to) to their
    timestamp: SLA timers then play out at once, at exactly the times they would really fire.
    """
    global _active
    _active = runtime
    from moto.awslambda import models as lambda_models

    if not getattr(lambda_models.LambdaFunction, "_mentiondesk_patched", False):

        def _invoke_lambda(self: Any, event: Any = None) -> tuple[str, bool, str]:
            if _active is None or self.function_name not in _active.functions:
                return (
                    json.dumps(
                        {
                            "errorMessage": f"no local handler for {self.function_name}",
                            "errorType": "ResourceNotFoundException",
                        }
                    ),
                    True,
                    "",
                )
            payload = json.loads(event) if isinstance(event, str | bytes) else (event or {})
            try:
                result = _active.invoke(self.function_name, payload)
            except InvocationError as error:
                return json.dumps(error.payload), True, ""
            return json.dumps(result), False, ""

        lambda_models.LambdaFunction._invoke_lambda = _invoke_lambda  # type: ignore[method-assign]
        lambda_models.LambdaFunction._mentiondesk_patched = True  # type: ignore[attr-defined]
    serialize_moto_transactions()
    _scale_time(time_scale)
    _timestamp_waits(virtual_time)


class _ScaledTime:
    """Stands in for the `time` module inside moto's retrier, so Retry intervals shrink too."""

    def __init__(self, scale: float) -> None:
        self.scale = scale

    def sleep(self, seconds: float) -> None:
        time.sleep(seconds / self.scale)

    def __getattr__(self, name: str) -> Any:
        return getattr(time, name)


def _scale_time(scale: float) -> None:
    from moto.stepfunctions.parser.asl.component.common.retry import retrier_decl
    from moto.stepfunctions.parser.asl.component.state.wait.wait_function import wait_function

    retrier_decl.time = _ScaledTime(scale)  # type: ignore[assignment]
    original = getattr(wait_function.WaitFunction, "_mentiondesk_original", None)
    if original is None:
        original = wait_function.WaitFunction._wait_interval
        wait_function.WaitFunction._mentiondesk_original = original  # type: ignore[attr-defined]

    def _wait_interval(self: Any, env: Any, wait_seconds: int) -> None:
        scaled = wait_seconds / scale
        if scaled > 0:
            env.program_state_event.wait(scaled)

    wait_function.WaitFunction._wait_interval = _wait_interval  # type: ignore[method-assign]


def _timestamp_waits(virtual_time: bool) -> None:
    from moto.stepfunctions.parser.asl.component.common.error_name.failure_event import FailureEventException
    from moto.stepfunctions.parser.asl.component.state.wait.wait_function import timestamp

    from mentiondesk import clock

    def _get_wait_seconds(self: Any, env: Any) -> int:
        self.string.eval(env=env)
        value = env.stack.pop()
        if self._from_timestamp_string(value) is None:
            raise FailureEventException(self._create_failure_event(env, value))
        target = clock.parse_iso(str(value))
        if virtual_time:
            # Parked until the test moves the clock past the target (or the execution is stopped).
            while clock.utcnow() < target and env.is_running():
                clock.wait_for_move(0.05)
            return 0
        return max(0, math.ceil((target - clock.utcnow()).total_seconds()))

    def _unscaled(self: Any, env: Any, wait_seconds: int) -> None:
        if wait_seconds > 0:
            env.program_state_event.wait(wait_seconds)

    timestamp.Timestamp._get_wait_seconds = _get_wait_seconds  # type: ignore[method-assign]
    timestamp.Timestamp._wait_interval = _unscaled  # type: ignore[method-assign]


_transaction_lock = threading.RLock()


def serialize_moto_transactions() -> None:
    """Make moto's TransactWriteItems isolated and its conditional single-item writes atomic, as
    DynamoDB's are, and transactions cheap.

    moto rolls a failed transaction back by restoring a deep copy of the whole table taken when it
    started (one copy per item of the transaction). That silently undoes other threads' writes made
    in between, and it makes every transaction cost as much as the table is large: a demo left running
    slowed down and grew by tens of megabytes a minute. Here transactions run one at a time, the table
    copy is skipped, and a failed transaction puts back just the items it touched.
    """
    import copy

    from moto.dynamodb import models as dynamodb_models
    from moto.dynamodb.models import DynamoDBBackend
    from moto.dynamodb.models.dynamo_type import DynamoType
    from moto.dynamodb.models.table import Table

    if getattr(DynamoDBBackend, "_mentiondesk_serialized", False):
        return
    original = DynamoDBBackend.transact_write_items

    class _NoTableCopy:
        """Stands in for the `copy` module inside moto's dynamodb models: tables are not copied."""

        @staticmethod
        def deepcopy(value: Any, memo: Any = None) -> Any:
            return value if isinstance(value, Table) else copy.deepcopy(value, memo)

        def __getattr__(self, name: str) -> Any:
            return getattr(copy, name)

    def _snapshots(backend: Any, transact_items: list[dict[str, Any]]) -> list[tuple[Any, Any, Any, Any]]:
        saved = []
        for entry in transact_items:
            op_type, op = next(iter(entry.items()))
            table = backend.tables.get(op.get("TableName"))
            attrs = op.get("Item") if op_type == "Put" else op.get("Key")
            if table is None or not isinstance(attrs, dict) or table.hash_key_attr not in attrs:
                continue
            hash_key = DynamoType(attrs[table.hash_key_attr])
            range_key = None
            if table.range_key_attr is not None:
                if table.range_key_attr not in attrs:
                    continue
                range_key = DynamoType(attrs[table.range_key_attr])
            current = (
                table.items.get(hash_key, {}).get(range_key) if range_key is not None else table.items.get(hash_key)
            )
            saved.append((table, hash_key, range_key, copy.deepcopy(current) if current is not None else None))
        return saved

    def _restore(saved: list[tuple[Any, Any, Any, Any]]) -> None:
        for table, hash_key, range_key, item in reversed(saved):
            if range_key is None:
                if item is None:
                    table.items.pop(hash_key, None)
                else:
                    table.items[hash_key] = item
            elif item is None:
                table.items.get(hash_key, {}).pop(range_key, None)
            else:
                table.items[hash_key][range_key] = item

    def transact_write_items(self: Any, transact_items: list[dict[str, Any]]) -> None:
        with _transaction_lock:
            tables = dict(self.tables)
            saved = _snapshots(self, transact_items)
            dynamodb_models.copy = _NoTableCopy()  # type: ignore[assignment]
            try:
                original(self, transact_items)
            except Exception:
                self.tables.update(tables)
                _restore(saved)
                raise
            finally:
                dynamodb_models.copy = copy

    DynamoDBBackend.transact_write_items = transact_write_items  # type: ignore[method-assign]
    for name in ("put_item", "update_item", "delete_item"):
        setattr(DynamoDBBackend, name, _atomic(getattr(DynamoDBBackend, name)))
    DynamoDBBackend._mentiondesk_serialized = True  # type: ignore[attr-defined]


def _atomic(write: Any) -> Any:
    """A moto single-item write whose condition check and change happen as one step, as DynamoDB's do:
    moto checks a ConditionExpression and then writes without a lock, so two threads racing on one
    conditional update could both pass (seen: two outbox workers both claiming an item)."""

    def locked(self: Any, *args: Any, **kwargs: Any) -> Any:
        with _transaction_lock:
            return write(self, *args, **kwargs)

    return locked
