"""Property-based fuzzing of the REST API from its own OpenAPI schema (schemathesis): whatever
a client sends, the answer is never a 5xx."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
import schemathesis
from hypothesis import HealthCheck, settings
from schemathesis.checks import not_a_server_error

from mt.server import Limits, create_app


@pytest.fixture(scope="module")
def api_schema(tiny_model: Path, tmp_path_factory: pytest.TempPathFactory) -> Any:
    db = tmp_path_factory.mktemp("fuzz") / "results.db"
    limits = Limits(max_chars=2_000, max_sentences=50, max_queued_jobs=4)
    app = create_app(db, model=str(tiny_model), beam=1, limits=limits)
    return schemathesis.openapi.from_asgi("/openapi.json", app)


schema = schemathesis.pytest.from_fixture("api_schema")


@schema.parametrize()
@settings(
    max_examples=25,
    deadline=None,
    suppress_health_check=list(HealthCheck),
    derandomize=True,
)
def test_no_input_gives_a_server_error(case: Any) -> None:
    response = case.call()
    case.validate_response(response, checks=[not_a_server_error])
