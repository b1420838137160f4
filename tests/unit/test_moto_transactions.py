"""The local stack's TransactWriteItems: all or nothing, item by item, without copying the table."""

import pytest
from botocore.exceptions import ClientError
from mentiondesk.store.dynamo import Table
from mentiondesk.store.factory import Store

pytestmark = pytest.mark.unit


def test_a_failed_transaction_leaves_every_item_as_it_was(store: Store) -> None:
    table: Table = store.table
    table.put({"PK": "A", "SK": "1", "n": 1, "tags": ["x"]})
    table.put({"PK": "B", "SK": "1", "n": 1})
    with pytest.raises(ClientError) as raised:
        table.transact(
            [
                {"Put": {"Item": {"PK": "NEW", "SK": "1", "n": 9}}},
                {
                    "Update": {
                        "Key": {"PK": "A", "SK": "1"},
                        "UpdateExpression": "SET n = :n, tags = :t",
                        "ExpressionAttributeValues": {":n": 2, ":t": ["y"]},
                    }
                },
                {"Delete": {"Key": {"PK": "B", "SK": "1"}}},
                {
                    "Put": {
                        "Item": {"PK": "C", "SK": "1"},
                        "ConditionExpression": "attribute_exists(PK)",
                    }
                },
            ]
        )
    assert raised.value.response["Error"]["Code"] == "TransactionCanceledException"
    assert table.get({"PK": "NEW", "SK": "1"}) is None
    assert table.get({"PK": "A", "SK": "1"}) == {"PK": "A", "SK": "1", "n": 1, "tags": ["x"]}
    assert table.get({"PK": "B", "SK": "1"}) == {"PK": "B", "SK": "1", "n": 1}
    assert table.get({"PK": "C", "SK": "1"}) is None


def test_a_successful_transaction_writes_everything(store: Store) -> None:
    table: Table = store.table
    table.transact(
        [
            {"Put": {"Item": {"PK": "D", "SK": "1"}, "ConditionExpression": "attribute_not_exists(PK)"}},
            {"Put": {"Item": {"PK": "D", "SK": "2"}}},
        ]
    )
    assert table.get({"PK": "D", "SK": "1"}) and table.get({"PK": "D", "SK": "2"})
