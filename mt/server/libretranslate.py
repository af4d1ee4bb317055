"""LibreTranslate-compatible endpoints, so that LibreTranslate's clients work unchanged.

Parameters are read as LibreTranslate reads them: from the query string, with a JSON, form or
multipart body on top. Validation and errors follow it too: ``{"error": …}`` with 400 for a bad
request, 403 for a missing or unknown key, 429 for too many requests.
"""

from __future__ import annotations

import json
import re
import time
import uuid
from pathlib import Path as FilePath
from typing import Annotated, Any

from fastapi import APIRouter, Depends, HTTPException, Path, Request
from fastapi.responses import FileResponse
from pydantic import BaseModel, Field
from starlette.datastructures import UploadFile

from mt.server.deps import State, enforce, state
from mt.server.work import bounded
from mt.text.lexicon import detect_language
from mt.text.words import WORD
from mt.translate.nbest import MAX_ALTERNATIVES

router = APIRouter()
App = Annotated[State, Depends(state)]
FILE_FORMATS = (".txt", ".html", ".htm")
# how long a translated file waits to be downloaded, as in LibreTranslate
FILE_LIFETIME_S = 30 * 60


class DetectedLanguage(BaseModel):
    language: str
    confidence: float


class TranslatedOut(BaseModel):
    translatedText: str | list[str]
    alternatives: list[str] | list[list[str]] | None = None
    detectedLanguage: DetectedLanguage | list[DetectedLanguage] | None = None


class TranslatedFile(BaseModel):
    translatedFileUrl: str


class Language(BaseModel):
    code: str
    name: str
    targets: list[str]


class LanguageName(BaseModel):
    code: str
    name: str


class FrontendLanguages(BaseModel):
    source: LanguageName
    target: LanguageName


class FrontendSettings(BaseModel):
    """What LibreTranslate's web page and clients ask for first."""

    charLimit: int
    frontendTimeout: int = 500
    apiKeys: bool
    keyRequired: bool
    suggestions: bool = False
    filesTranslation: bool = True
    supportedFilesFormat: list[str] = Field(default_factory=lambda: list(FILE_FORMATS))
    language: FrontendLanguages


def _body(properties: dict[str, Any], required: list[str]) -> dict[str, Any]:
    """The OpenAPI request body of a LibreTranslate endpoint: JSON or a form, as its clients
    send them (the route reads either, and the query string)."""
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
        "alternatives": {"type": "integer", "minimum": 0, "maximum": MAX_ALTERNATIVES},
        "api_key": {"type": "string"},
    },
    ["q", "source", "target"],
)
DETECT_BODY = _body({"q": {"type": "string"}, "api_key": {"type": "string"}}, ["q"])


async def fields(request: Request) -> dict[str, Any]:
    """The request's parameters: the query string, then the body's (JSON, form or multipart)
    over them. A name given more than once in a query or form is a list."""
    data: dict[str, Any] = {}

    def put(key: str, values: list[Any]) -> None:
        data[key] = values if len(values) > 1 else values[0]

    for key in request.query_params:
        put(key, request.query_params.getlist(key))
    kind = request.headers.get("content-type", "")
    if "json" in kind:
        raw = await request.body()
        try:
            found = json.loads(raw) if raw.strip() else {}
        except (ValueError, RecursionError):
            raise HTTPException(400, "Invalid request: malformed JSON body") from None
        if not isinstance(found, dict):
            raise HTTPException(400, "Invalid JSON format")
        data.update(found)
    elif "form" in kind:
        try:
            form = await request.form()
        except Exception as exc:  # python-multipart's errors: a body no form parser reads
            raise HTTPException(400, f"Invalid request: unreadable form body ({exc})") from None
        for key in form:
            put(key, form.getlist(key))
    return data


def _text(data: dict[str, Any]) -> str | list[str]:
    q = data.get("q")
    if q is None:
        raise HTTPException(400, "Invalid request: missing q parameter")
    if not (isinstance(q, str) or (isinstance(q, list) and all(isinstance(x, str) for x in q))):
        raise HTTPException(400, "Invalid request: q must be a string or a list of strings")
    return q


def _language(data: dict[str, Any], name: str, allowed: tuple[str, ...]) -> str:
    value = data.get(name)
    if not value:
        raise HTTPException(400, f"Invalid request: missing {name} parameter")
    if value not in allowed:
        raise HTTPException(400, f"{value} is not supported (only {' and '.join(allowed)})")
    return str(value)


def _alternatives(data: dict[str, Any]) -> int:
    value = data.get("alternatives", 0)
    try:
        n = int(value)
    except (TypeError, ValueError):
        n = -1
    if isinstance(value, bool | float) or not 0 <= n <= MAX_ALTERNATIVES:
        raise HTTPException(
            400,
            f"Invalid request: alternatives must be a whole number from 0 to {MAX_ALTERNATIVES}",
        )
    return n


def _check_size(app: State, texts: list[str]) -> None:
    """LibreTranslate's limits and words: a batch or text over the limit is a 400."""
    batch = app.limits.max_batch
    if batch is not None and len(texts) > batch:
        raise HTTPException(
            400, f"Invalid request: request ({len(texts)}) exceeds text limit ({batch})"
        )
    chars = sum(len(t) for t in texts)
    if chars > app.limits.max_chars:
        raise HTTPException(
            400, f"Invalid request: request ({chars}) exceeds text limit ({app.limits.max_chars})"
        )
    enforce(app.limits, texts)


def _translate(app: State, texts: list[str], progress: Any) -> list[str]:
    docs = app.service.translate(texts, progress=progress)
    app.metrics.translated(texts, docs)
    return [d.text for d in docs]


def _detected(text: str) -> DetectedLanguage:
    language, confidence = detect_language(WORD.findall(text))
    return DetectedLanguage(language=language, confidence=round(100 * max(confidence, 0.01), 1))


@router.post(
    "/translate",
    response_model=TranslatedOut,
    response_model_exclude_none=True,
    openapi_extra=TRANSLATE_BODY,
)
async def translate(request: Request, app: App) -> TranslatedOut:
    data = await fields(request)
    q = _text(data)
    source = _language(data, "source", ("fr", "auto"))
    _language(data, "target", ("en",))
    form = data.get("format", "text")
    if form not in ("text", "html"):
        raise HTTPException(400, "Invalid request: format must be text or html")
    n = _alternatives(data)
    texts = [q] if isinstance(q, str) else q
    _check_size(app, texts)

    def work(progress: Any) -> tuple[list[str], list[list[str]]]:
        if form == "html":
            return _translate_pages(app, texts, progress), [[] for _ in texts]
        if n:
            found = [app.service.alternatives(t, n) for t in texts]
            app.metrics.translated(texts, [best for best, _ in found])
            return [best.text for best, _ in found], [others for _, others in found]
        return _translate(app, texts, progress), [[] for _ in texts]

    out, others = await bounded(request, app, work)
    single = isinstance(q, str)
    answer = TranslatedOut(translatedText=out[0] if single else out)
    if n:
        answer.alternatives = others[0] if single else others
    if source == "auto":
        found = [_detected(t) for t in texts]
        answer.detectedLanguage = found[0] if single else found
    return answer


@router.post("/translate_file", response_model=TranslatedFile)
async def translate_file(request: Request, app: App) -> TranslatedFile:
    """A ``.txt`` or ``.html`` file (multipart field ``file``), translated and kept for
    download at the answered URL for half an hour."""
    data = await fields(request)
    _language(data, "source", ("fr", "auto"))
    _language(data, "target", ("en",))
    upload = data.get("file")
    if not isinstance(upload, UploadFile) or not upload.filename:
        raise HTTPException(400, "Invalid request: missing file parameter")
    name = FilePath(upload.filename).name
    suffix = FilePath(name).suffix.lower()
    if suffix not in FILE_FORMATS:
        raise HTTPException(400, f"Invalid request: file format {suffix or '(none)'} not supported")
    try:
        text = (await upload.read()).decode("utf-8")
    except UnicodeDecodeError:
        raise HTTPException(400, "Invalid request: the file is not UTF-8 text") from None
    _check_size(app, [text])

    def work(progress: Any) -> str:
        if suffix == ".txt":
            return _translate(app, [text], progress)[0]
        return _translate_pages(app, [text], progress)[0]

    translated = await bounded(request, app, work)
    stored = f"{uuid.uuid4().hex}.{name}"
    app.files.mkdir(parents=True, exist_ok=True)
    _expire(app.files)
    (app.files / stored).write_text(translated, encoding="utf-8")
    return TranslatedFile(translatedFileUrl=str(request.url_for("download_file", filename=stored)))


def _translate_pages(app: State, texts: list[str], progress: Any) -> list[str]:
    pages = app.service.translate_html(texts, progress=progress)
    app.metrics.translated(texts, pages)
    return [p.html for p in pages]


def _expire(folder: FilePath) -> None:
    cutoff = time.time() - FILE_LIFETIME_S
    for old in folder.iterdir():
        if old.stat().st_mtime < cutoff:
            old.unlink(missing_ok=True)


_STORED = re.compile(r"[0-9a-f]{32}\.[^/\\]+")


@router.get("/download_file/{filename}", name="download_file", response_class=FileResponse)
def download_file(app: App, filename: Annotated[str, Path(max_length=300)]) -> FileResponse:
    """A file that ``/translate_file`` translated."""
    found = app.files / filename
    if not _STORED.fullmatch(filename) or not found.is_file():
        raise HTTPException(404, "no such file (translated files are kept for 30 minutes)")
    return FileResponse(found, filename=filename.split(".", 1)[1])


@router.get("/languages", response_model=list[Language])
def languages() -> list[Language]:
    return [
        Language(code="fr", name="French", targets=["en"]),
        Language(code="en", name="English", targets=[]),
    ]


@router.get("/frontend/settings", response_model=FrontendSettings)
def frontend_settings(app: App) -> FrontendSettings:
    return FrontendSettings(
        charLimit=app.limits.max_chars,
        apiKeys=app.access.keys_required,
        keyRequired=app.access.keys_required,
        language=FrontendLanguages(
            source=LanguageName(code="fr", name="French"),
            target=LanguageName(code="en", name="English"),
        ),
    )


@router.post("/detect", response_model=list[DetectedLanguage], openapi_extra=DETECT_BODY)
async def detect(request: Request) -> list[DetectedLanguage]:
    data = await fields(request)
    q = data.get("q")
    if not isinstance(q, str):
        raise HTTPException(400, "Invalid request: missing q parameter")
    if not q.strip():  # nothing to detect: an answer would be a guess
        raise HTTPException(400, "Invalid request: q is empty")
    return [_detected(q)]


@router.post("/suggest")
def suggest() -> None:
    raise HTTPException(403, "Suggestions are disabled on this server.")
