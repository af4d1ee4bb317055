"""MkDocs hook: write the service's OpenAPI schema where the REST reference page reads it.

The schema comes from the application itself, so the reference cannot drift from the code.
"""

from __future__ import annotations

import json
import tempfile
from pathlib import Path
from typing import Any

OPENAPI = Path(__file__).resolve().parent.parent / "build" / "openapi.json"


def on_pre_build(config: Any) -> None:
    from mt.server import create_app

    with tempfile.TemporaryDirectory() as tmp:
        schema = create_app(Path(tmp) / "schema.db").openapi()
    OPENAPI.parent.mkdir(parents=True, exist_ok=True)
    OPENAPI.write_text(json.dumps(schema, indent=1), encoding="utf-8")
