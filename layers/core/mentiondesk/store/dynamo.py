"""A thin layer over the low-level DynamoDB client: plain dicts in and out, every call counted.

Counting lets budget tests assert "the inbox is one Query" without timing anything.
"""

import random
import time
from collections import Counter
from collections.abc import Callable, Iterable, Iterator, Mapping
from contextlib import contextmanager
from decimal import Decimal
from typing import Any

from boto3.dynamodb.types import TypeDeserializer, TypeSerializer
from botocore.exceptions import ClientError

from mentiondesk.costs.metering import note_dynamodb
from mentiondesk.errors import TransientStoreError

BATCH_LIMIT = 25  # DynamoDB's most requests in one BatchWriteItem
BATCH_BASE_BACKOFF = 0.05  # seconds before resending unprocessed items, doubled each attempt
BATCH_MAX_BACKOFF = 2.0
# DynamoDB's answers that are safe to retry, as they reach us once the SDK's own retries ran out.
TRANSIENT_CODES = frozenset(
    {
        "ProvisionedThroughputExceededException",
        "ThrottlingException",
        "RequestLimitExceeded",
        "InternalServerError",
        "ServiceUnavailable",
    }
)

_serializer = TypeSerializer()
_deserializer = TypeDeserializer()


def _to_dynamo(value: Any) -> Any:
    if isinstance(value, float):
        return Decimal(str(value))
    if isinstance(value, dict):
        return {k: _to_dynamo(v) for k, v in value.items() if v is not None}
    if isinstance(value, list | tuple):
        return [_to_dynamo(v) for v in value]
    return value


def _from_dynamo(value: Any) -> Any:
    if isinstance(value, Decimal):
        return int(value) if value == value.to_integral_value() else float(value)
    if isinstance(value, dict):
        return {k: _from_dynamo(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_from_dynamo(v) for v in value]
    return value


def serialize(item: Mapping[str, Any]) -> dict[str, Any]:
    """Python values -> DynamoDB attribute values; None attributes are left out."""
    return {k: _serializer.serialize(_to_dynamo(v)) for k, v in item.items() if v is not None}


def deserialize(item: Mapping[str, Any]) -> dict[str, Any]:
    """DynamoDB attribute values -> Python values (Decimals become int or float)."""
    return {k: _from_dynamo(_deserializer.deserialize(v)) for k, v in item.items()}


@contextmanager
def _transient_as_domain_error() -> Iterator[None]:
    """Throttling and server errors become TransientStoreError: the name the workflow's Retry matches
    and the API maps to 503 (a botocore class name such as ProvisionedThroughputExceededException
    would be caught as a failure instead of retried)."""
    try:
        yield
    except ClientError as error:
        if error_code(error) in TRANSIENT_CODES:
            raise TransientStoreError(f"DynamoDB answered {error_code(error)}") from error
        raise


def values(mapping: Mapping[str, Any]) -> dict[str, Any]:
    """Serialise ExpressionAttributeValues."""
    return {k: _serializer.serialize(_to_dynamo(v)) for k, v in mapping.items()}


class Table:
    """One DynamoDB table reached through a low-level client; counts calls per operation."""

    def __init__(self, client: Any, name: str) -> None:
        self.client = client
        self.name = name
        self.calls: Counter[str] = Counter()
        self.consumed: dict[str, float] = {"read": 0.0, "write": 0.0}

    def _count(self, op: str, response: Mapping[str, Any]) -> None:
        self.calls[op] += 1
        kind = "read" if op in ("GetItem", "Query") else "write"
        units = sum(float(cap.get("CapacityUnits", 0)) for cap in _as_list(response.get("ConsumedCapacity")))
        self.consumed[kind] += units
        note_dynamodb(op, kind, units)  # the invocation's meter bills what this call consumed

    def get(self, key: Mapping[str, str], consistent: bool = False) -> dict[str, Any] | None:
        with _transient_as_domain_error():
            response = self.client.get_item(
                TableName=self.name,
                Key=serialize(key),
                ConsistentRead=consistent,
                ReturnConsumedCapacity="TOTAL",
            )
        self._count("GetItem", response)
        item = response.get("Item")
        return deserialize(item) if item else None

    def query(self, **kwargs: Any) -> tuple[list[dict[str, Any]], dict[str, Any] | None]:
        """One Query call; returns the items and the LastEvaluatedKey (deserialised)."""
        if "ExpressionAttributeValues" in kwargs:
            kwargs["ExpressionAttributeValues"] = values(kwargs["ExpressionAttributeValues"])
        if kwargs.get("ExclusiveStartKey"):
            kwargs["ExclusiveStartKey"] = serialize(kwargs["ExclusiveStartKey"])
        with _transient_as_domain_error():
            response = self.client.query(TableName=self.name, ReturnConsumedCapacity="TOTAL", **kwargs)
        self._count("Query", response)
        last = response.get("LastEvaluatedKey")
        return [deserialize(i) for i in response.get("Items", [])], deserialize(last) if last else None

    def query_all(self, **kwargs: Any) -> list[dict[str, Any]]:
        """Follow LastEvaluatedKey to the end (only for partitions known to be small)."""
        items, last = self.query(**kwargs)
        while last:
            more, last = self.query(ExclusiveStartKey=last, **kwargs)
            items.extend(more)
        return items

    def put(
        self,
        item: Mapping[str, Any],
        condition: str | None = None,
        names: Mapping[str, str] | None = None,
        vals: Mapping[str, Any] | None = None,
    ) -> None:
        kwargs = {"TableName": self.name, "Item": serialize(item), **_expressions(condition, names, vals)}
        with _transient_as_domain_error():
            response = self.client.put_item(ReturnConsumedCapacity="TOTAL", **kwargs)
        self._count("PutItem", response)

    def update(
        self,
        key: Mapping[str, str],
        expression: str,
        *,
        condition: str | None = None,
        names: Mapping[str, str] | None = None,
        vals: Mapping[str, Any] | None = None,
    ) -> dict[str, Any]:
        kwargs: dict[str, Any] = {
            "TableName": self.name,
            "Key": serialize(key),
            "UpdateExpression": expression,
            "ReturnValues": "ALL_NEW",
            **_expressions(condition, names, vals),
        }
        with _transient_as_domain_error():
            response = self.client.update_item(ReturnConsumedCapacity="TOTAL", **kwargs)
        self._count("UpdateItem", response)
        return deserialize(response.get("Attributes", {}))

    def delete(
        self,
        key: Mapping[str, str],
        condition: str | None = None,
        names: Mapping[str, str] | None = None,
        vals: Mapping[str, Any] | None = None,
    ) -> None:
        with _transient_as_domain_error():
            response = self.client.delete_item(
                TableName=self.name,
                Key=serialize(key),
                ReturnConsumedCapacity="TOTAL",
                **_expressions(condition, names, vals),
            )
        self._count("DeleteItem", response)

    def transact(self, items: Iterable[Mapping[str, Any]]) -> None:
        """TransactWriteItems; each entry is {"Put"|"Update"|"ConditionCheck": {...}} in plain values."""
        prepared = []
        for entry in items:
            ((op, spec),) = entry.items()
            body = dict(spec)
            body["TableName"] = self.name
            if "Item" in body:
                body["Item"] = serialize(body["Item"])
            if "Key" in body:
                body["Key"] = serialize(body["Key"])
            if "ExpressionAttributeValues" in body:
                body["ExpressionAttributeValues"] = values(body["ExpressionAttributeValues"])
            prepared.append({op: body})
        with _transient_as_domain_error():
            response = self.client.transact_write_items(TransactItems=prepared, ReturnConsumedCapacity="TOTAL")
        self._count("TransactWriteItems", response)

    def batch_write(
        self,
        puts: Iterable[Mapping[str, Any]] = (),
        deletes: Iterable[Mapping[str, str]] = (),
        *,
        max_attempts: int = 8,
        sleep: Callable[[float], None] = time.sleep,
    ) -> int:
        """Unconditional puts and deletes, BATCH_LIMIT per BatchWriteItem call; UnprocessedItems are
        sent again with exponential backoff and full jitter. Answers how many requests were written.
        Not atomic: use it only where each write stands alone and repeating one is harmless."""
        requests = [{"PutRequest": {"Item": serialize(item)}} for item in puts]
        requests += [{"DeleteRequest": {"Key": serialize(key)}} for key in deletes]
        for start in range(0, len(requests), BATCH_LIMIT):
            pending = requests[start : start + BATCH_LIMIT]
            for attempt in range(max_attempts):
                with _transient_as_domain_error():
                    response = self.client.batch_write_item(
                        RequestItems={self.name: pending}, ReturnConsumedCapacity="TOTAL"
                    )
                self._count("BatchWriteItem", response)
                pending = response.get("UnprocessedItems", {}).get(self.name, [])
                if not pending:
                    break
                if attempt + 1 < max_attempts:
                    sleep(random.uniform(0, min(BATCH_MAX_BACKOFF, BATCH_BASE_BACKOFF * 2**attempt)))  # noqa: S311
            if pending:
                raise TransientStoreError(f"{len(pending)} batch writes stayed unprocessed")
        return len(requests)


def assignments(fields: Mapping[str, Any]) -> tuple[str, dict[str, str], dict[str, Any]]:
    """``#f0 = :f0, #f1 = :f1, ...`` for an UpdateExpression's SET, with its names and values."""
    clause = ", ".join(f"#f{n} = :f{n}" for n in range(len(fields)))
    names = {f"#f{n}": name for n, name in enumerate(fields)}
    vals = {f":f{n}": value for n, value in enumerate(fields.values())}
    return clause, names, vals


def _expressions(
    condition: str | None, names: Mapping[str, str] | None, vals: Mapping[str, Any] | None
) -> dict[str, Any]:
    """The optional condition and expression attribute arguments of a write."""
    kwargs: dict[str, Any] = {}
    if condition:
        kwargs["ConditionExpression"] = condition
    if names:
        kwargs["ExpressionAttributeNames"] = dict(names)
    if vals:
        kwargs["ExpressionAttributeValues"] = values(vals)
    return kwargs


def _as_list(value: Any) -> list[Mapping[str, Any]]:
    if value is None:
        return []
    return value if isinstance(value, list) else [value]


def cancellation_codes(error: Exception) -> list[str]:
    """The per-item reasons of a TransactionCanceledException ("None" for items that were fine)."""
    response = getattr(error, "response", {}) or {}
    reasons = response.get("CancellationReasons") or []
    return [str(r.get("Code", "None")) for r in reasons]


def error_code(error: Exception) -> str:
    """The AWS error code of a botocore ClientError, or ''."""
    response = getattr(error, "response", {}) or {}
    return str(response.get("Error", {}).get("Code", ""))
