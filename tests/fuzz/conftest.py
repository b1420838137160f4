"""Property-based fuzzing of every parser and verifier with hypothesis (issue 9, point 2).

The contract under test: no input makes a parser or verifier raise anything but our typed errors
(`mentiondesk.errors` and the modules' own error classes), and an HTTP handler always answers 2xx or
4xx with a JSON body, never 5xx and never an unexpected exception.

Profiles, chosen with the environment variable HYPOTHESIS_PROFILE:

- ``ci`` (the default): 150 examples per test (fewer for the handler tests that write to moto),
  derandomized so every CI run tries exactly the same inputs, no example database, no deadline
  (a shared 2-core runner is slow at random moments). The whole of tests/fuzz takes well under a minute.
- ``long``: 5,000 examples per test, randomized (each run explores new inputs). For a nightly job or
  before a release::

      make fuzz        # HYPOTHESIS_PROFILE=long pytest tests/fuzz, without the per-test timeout

  A failure prints the smallest input found and a ``@reproduce_failure`` line; keep the input as an
  ``@example`` on the test when the product is fixed.
"""

import os
from collections.abc import Generator
from typing import Any

import pytest
from hypothesis import HealthCheck, settings

_SLOW_IS_FINE = [HealthCheck.too_slow, HealthCheck.function_scoped_fixture, HealthCheck.data_too_large]

settings.register_profile(
    "ci",
    max_examples=150,
    deadline=None,
    derandomize=True,
    database=None,
    print_blob=True,
    suppress_health_check=_SLOW_IS_FINE,
)
settings.register_profile(
    "long",
    max_examples=5_000,
    deadline=None,
    derandomize=False,
    database=None,
    print_blob=True,
    suppress_health_check=_SLOW_IS_FINE,
)
PROFILE = os.environ.get("HYPOTHESIS_PROFILE", "ci")


@pytest.hookimpl(wrapper=True)
def pytest_make_collect_report(collector: pytest.Collector) -> Generator[None, Any, Any]:
    """The profile applies to the fuzz modules only. Hypothesis binds a test's settings when `@given`
    decorates it, that is while its module is imported; the global default goes back afterwards, so
    other hypothesis users in the same run (schemathesis) keep their own counts."""
    if not isinstance(collector, pytest.Module):
        return (yield)
    settings.load_profile(PROFILE)
    try:
        return (yield)
    finally:
        settings.load_profile("default")
