"""The quality dashboard: one static page over the ``/v1/documents`` API."""

from __future__ import annotations

from pathlib import Path

from fastapi import APIRouter
from fastapi.responses import HTMLResponse

STATIC = Path(__file__).resolve().parent.parent / "static"

router = APIRouter()


@router.get("/", response_class=HTMLResponse)
def dashboard() -> str:
    return (STATIC / "dashboard.html").read_text(encoding="utf-8")
