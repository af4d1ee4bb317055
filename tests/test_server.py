import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from mt.server import Limits, create_app, serve_in_background

from .conftest import SAMPLE


@pytest.fixture(scope="module")
def client(tiny_model: Path, tmp_path_factory: pytest.TempPathFactory) -> TestClient:
    db = tmp_path_factory.mktemp("srv") / "results.db"
    app = create_app(
        db, model=str(tiny_model), beam=1, limits=Limits(max_request_bytes=20_000, max_sentences=50)
    )
    return TestClient(app)


def test_health_and_openapi(client: TestClient) -> None:
    assert client.get("/v1/health").json()["status"] == "ok"
    paths = client.get("/openapi.json").json()["paths"]
    for p in (
        "/v1/translate",
        "/v1/check",
        "/v1/align",
        "/v1/jobs",
        "/v1/jobs/{job_id}",
        "/v1/documents/{doc_id}",
        "/translate",
        "/languages",
        "/detect",
    ):
        assert p in paths


def test_translate_check_align(client: TestClient) -> None:
    r = client.post("/v1/translate", json={"text": "Bonjour.\n\nMerci."})
    assert r.status_code == 200 and r.json()["translation"].count("\n\n") == 1
    r = client.post("/v1/translate", json={"text": ["Bonjour.", "Merci."], "details": True})
    body = r.json()
    assert len(body["translations"]) == 2 and body["sentences"][0][0]["source"] == "Bonjour."
    r = client.post("/v1/check", json={"text": "Il est à Khersonsous le feu."})
    assert r.json()["sentences"][0]["flags"][0]["type"] == "merged_token"
    r = client.post(
        "/v1/align", json={"fr": ["Bonjour.", "Le chat dort."], "en": ["Hello.", "The cat sleeps."]}
    )
    assert [(x["fr"], x["en"]) for x in r.json()["links"]] == [([0], [0]), ([1], [1])]
    pair = {"fr": ["Il pleut; le chat dort."], "en": ["It rains.", "The cat sleeps."]}
    r = client.post("/v1/align", json=pair | {"clauses": False})
    assert [(x["fr"], x["en"]) for x in r.json()["links"]] == [([0], [0, 1])]
    assert client.post("/v1/align", json=pair | {"clauses": "maybe"}).status_code == 422


def test_bad_requests(client: TestClient) -> None:
    r = client.post(
        "/v1/translate", content=b"{not json", headers={"content-type": "application/json"}
    )
    assert r.status_code == 422 and "json" in r.text.lower()
    r = client.post("/v1/translate", json={"txt": "Bonjour."})
    assert r.status_code == 422 and "text" in r.text
    # a field the API does not take is named, not ignored
    r = client.post("/v1/translate", json={"text": "Bonjour.", "beam": 0})
    assert r.status_code == 422 and "beam" in r.text and "Extra inputs" in r.text
    docs = [{"text": "Bonjour.", "lang": "fr"}]
    assert client.post("/v1/jobs", json={"documents": docs}).status_code == 422
    r = client.post("/v1/translate", json={"text": "x" * 30_000})
    assert r.status_code == 413 and "limit" in r.json()["detail"]
    r = client.post("/v1/check", json={"text": " ".join(["Phrase."] * 60)})
    assert r.status_code == 413 and "60 sentences" in r.json()["detail"]
    assert client.get("/v1/jobs/nope").status_code == 404
    assert client.get("/v1/documents/999").status_code == 404
    r = client.post("/translate", json={"q": "Hola", "source": "es", "target": "en"})
    assert r.status_code == 400 and "not supported" in r.json()["error"]
    r = client.post("/detect", json={"q": "  "})
    assert r.status_code == 400 and "empty" in r.json()["error"]


def test_jobs_and_documents(client: TestClient) -> None:
    text = SAMPLE.read_text(encoding="utf-8")
    r = client.post(
        "/v1/jobs",
        json={"documents": [{"name": "sky", "text": text}, {"name": "empty", "text": " "}]},
    )
    assert r.status_code == 202
    job_id = r.json()["job_id"]
    for _ in range(300):
        job = client.get(f"/v1/jobs/{job_id}").json()
        if job["status"] in ("done", "failed"):
            break
        time.sleep(0.2)
    assert job["status"] == "done" and len(job["documents"]) == 2
    doc = client.get(f"/v1/documents/{job['documents'][0]}").json()
    assert doc["name"] == "sky" and len(doc["sentences"]) == 19
    assert any(f["type"] == "merged_token" for s in doc["sentences"] for f in s["flags"])
    names = [d["name"] for d in client.get("/v1/documents").json()]
    assert "sky" in names
    assert "<title>mt" in client.get("/").text


@pytest.fixture(scope="module")
def live_server(tiny_model: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    app = create_app(tmp_path_factory.mktemp("live") / "r.db", model=str(tiny_model), beam=1)
    with serve_in_background(app) as url:
        yield url


def test_libretranslate_client(live_server: str) -> None:
    from libretranslatepy import LibreTranslateAPI

    lt = LibreTranslateAPI(live_server)
    out = lt.translate("Bonjour.", source="fr", target="en")
    assert isinstance(out, str) and out
    assert lt.translate("Bonjour.", source="auto", target="en")
    assert {"code": "fr", "name": "French", "targets": ["en"]} in lt.languages()
    detected = lt.detect("Le gouvernement a annoncé mardi une nouvelle loi sur le climat.")
    assert detected[0]["language"] == "fr" and detected[0]["confidence"] > 0
