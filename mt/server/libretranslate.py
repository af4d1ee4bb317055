"""LibreTranslate-compatible endpoints, so that LibreTranslate's clients work unchanged."""

from __future__ import annotations

import json
from typing import Annotated, Any
from urllib.parse import parse_qs

from fastapi import APIRouter, Depends, HTTPException, Request
from pydantic import BaseModel

from mt.server.deps import State, enforce, state
from mt.server.work import bounded
from mt.text.lexicon import detect_language
from mt.text.words import WORD

router = APIRouter()
App = Annotated[State, Depends(state)]


class TranslatedOut(BaseModel):
    translatedText: str | list[str]


class Language(BaseModel):
    code: str
    name: str
    targets: list[str]


class Detection(BaseModel):
    language: str
    confidence: float


def _body(properties: dict[str, Any], required: list[str]) -> dict[str, Any]:
    """The OpenAPI request body of a LibreTranslate endpoint: JSON or a form, as its clients
    send them (the route reads either)."""
    schema = {"type": "object", "properties": properties, "required": required}
    return {
        "requestBody": {
            "content": {
                "application/json": {"schema": schema},
                "application/x-www-form-urlencoded": {"schema": schema},
            },
            "required": True,
        }
    }


_TEXT = {"anyOf": [{"type": "string"}, {"type": "array", "items": {"type": "string"}}]}
TRANSLATE_BODY = _body(
    {
        "q": _TEXT,
        "source": {"type": "string", "example": "fr"},
        "target": {"type": "string", "example": "en"},
        "format": {"type": "string", "enum": ["text", "html"]},
        "api_key": {"type": "string"},
    },
    ["q"],
)
DETECT_BODY = _body({"q": {"type": "string"}, "api_key": {"type": "string"}}, ["q"])


async def fields(request: Request) -> dict[str, Any]:
    """LibreTranslate clients send JSON or form data; accept both."""
    raw = await request.body()
    kind = request.headers.get("content-type", "")
    if "json" in kind:
        try:
            data = json.loads(raw or b"{}")
        except (ValueError, RecursionError):
            raise HTTPException(400, "malformed JSON body") from None
        if not isinstance(data, dict):
            raise HTTPException(400, "the JSON body must be an object")
        return data
    parsed = parse_qs(raw.decode("utf-8", errors="replace"))
    return {k: v if len(v) > 1 else v[0] for k, v in parsed.items()}


@router.post("/translate", response_model=TranslatedOut, openapi_extra=TRANSLATE_BODY)
async def translate(request: Request, app: App) -> TranslatedOut:
    data = await fields(request)
    q = data.get("q")
    if q is None or not isinstance(q, str | list):
        raise HTTPException(400, "Invalid request: missing q parameter")
    if data.get("source", "fr") not in ("fr", "auto"):
        raise HTTPException(400, f"source language {data.get('source')!r} is not supported (fr)")
    if data.get("target", "en") != "en":
        raise HTTPException(400, f"target language {data.get('target')!r} is not supported (en)")
    texts = [q] if isinstance(q, str) else [str(x) for x in q]
    if data.get("format", "text") == "html":
        import re

        texts = [re.sub(r"<[^>]+>", " ", t) for t in texts]  # translate the visible text
    enforce(app.limits, texts)
    docs = await bounded(
        request, app, lambda progress: app.service.translate(texts, progress=progress)
    )
    out = [d.text for d in docs]
    return TranslatedOut(translatedText=out[0] if isinstance(q, str) else out)


@router.get("/languages", response_model=list[Language])
def languages() -> list[Language]:
    return [
        Language(code="fr", name="French", targets=["en"]),
        Language(code="en", name="English", targets=[]),
    ]


@router.post("/detect", response_model=list[Detection], openapi_extra=DETECT_BODY)
async def detect(request: Request) -> list[Detection]:
    data = await fields(request)
    q = data.get("q")
    if not isinstance(q, str):
        raise HTTPException(400, "Invalid request: missing q parameter")
    if not q.strip():  # nothing to detect: an answer would be a guess
        raise HTTPException(400, "Invalid request: q is empty")
    language, confidence = detect_language(WORD.findall(q))
    return [Detection(language=language, confidence=round(100 * max(confidence, 0.01), 1))]
