"""One local stack for the integration and browser tests (starting one takes about two seconds)."""

from collections.abc import Iterator

import pytest

from mentiondesk.local.stack import LocalStack


@pytest.fixture(scope="session")
def stack() -> Iterator[LocalStack]:
    # time_scale 60: the every-minute schedule ticks every second. The simulator stays off so that
    # tests count exactly what they sent.
    with LocalStack(port=0, demo=True, simulate=False, time_scale=60) as running:
        yield running
