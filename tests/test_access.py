"""Exposing the service: API keys, rate limits, cross-origin pages, metrics, access logs and
readiness, through HTTP."""

from __future__ import annotations

import json
import logging
import os
import socket
import subprocess
import sys
import time
from pathlib import Path

import httpx
import pytest
from fastapi.testclient import TestClient

from mt.server import Access, Limits, create_app, read_keys
from mt.server.access import hash_key

KEYS = ["k-alpha-123", "k-beta-456"]


@pytest.fixture(scope="module")
def keyed(tiny_model: Path, tmp_path_factory: pytest.TempPathFactory) -> TestClient:
    app = create_app(
        tmp_path_factory.mktemp("keyed") / "r.db",
        model=str(tiny_model),
        beam=1,
        access=Access.create(KEYS, cors_origins=["https://allowed.example"]),
    )
    return TestClient(app)


def _routes(client: TestClient) -> list[tuple[str, str]]:
    """Every route of the app (its OpenAPI schema's and the documentation's), as (method,
    path with sample ids)."""
    paths = client.app.openapi()["paths"]  # type: ignore[attr-defined]
    out = [("GET", p) for p in ("/docs", "/redoc", "/openapi.json", "/metrics")]
    for path, methods in paths.items():
        for method in methods:
            sample = path.replace("{job_id}", "x").replace("{doc_id}", "1")
            out.append((method.upper(), sample.replace("{filename}", "0" * 32 + ".a.txt")))
    return out


OPEN = {"/v1/health", "/v1/ready", "/metrics", "/frontend/settings"}


def test_every_route_but_the_open_ones_needs_a_valid_key(keyed: TestClient) -> None:
    routes = _routes(keyed)
    assert len(routes) > 15
    for method, path in routes:
        r = keyed.request(method, path)
        if path in OPEN:
            assert r.status_code not in (401, 403), path
            continue
        assert r.status_code in (401, 403), (method, path, r.status_code)
        assert keyed.request(method, path, params={"api_key": "wrong"}).status_code == 403
        if path.startswith("/v1"):
            assert r.status_code == 401 and r.headers["www-authenticate"] == "Bearer"
            assert "API key" in r.json()["detail"]


def test_a_key_is_taken_from_a_header_the_query_or_any_body(keyed: TestClient) -> None:
    bearer = {"Authorization": f"Bearer {KEYS[1]}"}
    assert keyed.post("/v1/translate", json={"text": "Bonjour."}, headers=bearer).status_code == 200
    assert keyed.get("/v1/documents", params={"api_key": KEYS[0]}).status_code == 200
    q = {"q": "Bonjour.", "source": "fr", "target": "en"}
    assert keyed.post("/translate", json={**q, "api_key": KEYS[0]}).status_code == 200
    assert keyed.post("/translate", data={**q, "api_key": KEYS[0]}).status_code == 200
    assert (
        keyed.post(
            "/translate", files={k: (None, v) for k, v in q.items()} | {"api_key": (None, KEYS[0])}
        ).status_code
        == 200
    )
    assert keyed.post("/translate", params={**q, "api_key": KEYS[0]}).status_code == 200
    r = keyed.post("/translate", json={**q, "api_key": "k-alpha-12"})
    assert r.status_code == 403 and r.json() == {"error": "Invalid API key"}
    r = keyed.post("/translate", json=q)
    assert r.status_code == 403 and "API key" in r.json()["error"]


def test_keys_are_kept_hashed(keyed: TestClient) -> None:
    access = keyed.app.state.mt.access  # type: ignore[attr-defined]
    assert access.key_hashes == {hash_key(k) for k in KEYS}
    assert not any(k in repr(access) for k in KEYS)


def test_keys_are_read_from_a_file_and_the_environment(tmp_path: Path) -> None:
    f = tmp_path / "keys"
    f.write_text("# the team's keys\nfirst\n\n  second  \n", encoding="utf-8")
    assert read_keys(f, "third, fourth,") == ["first", "second", "third", "fourth"]


def test_pages_of_other_origins_may_not_send_requests(keyed: TestClient) -> None:
    auth = {"Authorization": f"Bearer {KEYS[0]}"}
    body = {"text": "Bonjour."}
    for origin in ("https://evil.example", "null"):
        r = keyed.post("/v1/translate", json=body, headers=auth | {"Origin": origin})
        assert r.status_code == 403 and origin in r.json()["detail"]
    # a cross-origin form post to the LibreTranslate endpoint, as a hostile page would send it
    form = {"q": "Bonjour.", "source": "fr", "target": "en", "api_key": KEYS[0]}
    r = keyed.post("/translate", data=form, headers={"Origin": "https://evil.example"})
    assert r.status_code == 403 and "error" in r.json()
    # the server's own pages and the allowed origin may, and the browser may read the answer
    ok = keyed.post("/v1/translate", json=body, headers=auth | {"Origin": "http://testserver"})
    assert ok.status_code == 200
    allowed = auth | {"Origin": "https://allowed.example"}
    r = keyed.post("/v1/translate", json=body, headers=allowed)
    assert r.status_code == 200
    assert r.headers["access-control-allow-origin"] == "https://allowed.example"
    pre = keyed.options(
        "/v1/translate",
        headers={"Origin": "https://allowed.example", "Access-Control-Request-Method": "POST"},
    )
    assert pre.status_code == 200 and "POST" in pre.headers["access-control-allow-methods"]


def test_rate_limits_per_address_and_per_key(tiny_model: Path, tmp_path: Path) -> None:
    access = Access.create(KEYS, req_limit="5/minute", key_req_limit="3/minute")
    app = create_app(tmp_path / "r.db", model=str(tiny_model), beam=1, access=access)
    with TestClient(app) as c:
        codes = [c.get("/v1/documents", params={"api_key": KEYS[0]}).status_code for _ in range(5)]
        assert codes == [200, 200, 200, 429, 429]
        r = c.get("/v1/documents", params={"api_key": KEYS[0]})
        assert 1 <= int(r.headers["retry-after"]) <= 60 and "Slowdown" in r.json()["detail"]
        # another key has its own count; health is never counted
        assert c.get("/v1/documents", params={"api_key": KEYS[1]}).status_code == 200
        assert all(c.get("/v1/health").status_code == 200 for _ in range(10))
    open_app = create_app(
        tmp_path / "o.db", model=str(tiny_model), access=Access.create(req_limit="4")
    )
    with TestClient(open_app) as c:
        codes = [c.get("/languages").status_code for _ in range(6)]
        assert codes == [200] * 4 + [429] * 2
        assert "error" in c.get("/languages").json()


def test_bad_rate_limits_are_refused() -> None:
    from mt.errors import InputError

    with pytest.raises(InputError, match="60/minute"):
        Access.create(req_limit="sixty a minute")


def test_metrics_count_requests_and_translations(tiny_model: Path, tmp_path: Path) -> None:
    # a beam no other test uses: this process has not loaded the model with these options
    app = create_app(tmp_path / "r.db", model=str(tiny_model), beam=3)
    with TestClient(app) as c:
        assert c.get("/v1/ready").status_code == 503  # nothing loaded yet
        c.post("/v1/translate", json={"text": "Bonjour. Merci beaucoup."})
        c.post("/translate", json={"q": ["Salut.", "Oui."], "source": "fr", "target": "en"})
        c.post("/v1/translate", json={"text": 3})
        assert c.get("/v1/ready").json()["status"] == "ready"
        text = c.get("/metrics").text
    samples = {
        line.rsplit(" ", 1)[0]: float(line.rsplit(" ", 1)[1])
        for line in text.splitlines()
        if line and not line.startswith("#")
    }
    assert samples["mt_sentences_translated_total"] == 4
    assert samples["mt_characters_translated_total"] == len("Bonjour. Merci beaucoup.Salut.Oui.")
    assert samples['http_requests_total{handler="/v1/translate",method="POST",status="200"}'] == 1
    assert samples['http_requests_total{handler="/v1/translate",method="POST",status="422"}'] == 1
    assert samples['http_requests_total{handler="/translate",method="POST",status="200"}'] == 1
    assert any(k.startswith("http_request_duration_seconds_bucket") for k in samples)
    assert samples["mt_jobs_queued"] == 0
    assert samples["mt_model_load_seconds"] > 0


def test_preloading_makes_the_server_ready(tiny_model: Path, tmp_path: Path) -> None:
    import time

    app = create_app(tmp_path / "r.db", model=str(tiny_model), preload=True)
    with TestClient(app) as c:
        deadline = time.monotonic() + 60
        while c.get("/v1/ready").status_code == 503 and time.monotonic() < deadline:
            time.sleep(0.1)
        assert c.get("/v1/ready").json()["model"].endswith("tiny-fr-en")
    broken = create_app(tmp_path / "b.db", model=str(tmp_path / "missing"), preload=True)
    with TestClient(broken) as c:
        deadline = time.monotonic() + 30
        while "not loaded yet" in c.get("/v1/ready").text and time.monotonic() < deadline:
            time.sleep(0.1)
        r = c.get("/v1/ready")
        assert r.status_code == 503 and "missing" in r.json()["detail"]
        assert c.get("/v1/health").status_code == 200  # alive, not ready


def test_access_logs_are_json_lines_with_a_request_id(
    tiny_model: Path, tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    from mt.server.logs import configure

    app = create_app(tmp_path / "r.db", model=str(tiny_model))
    with TestClient(app) as c, caplog.at_level(logging.INFO, logger="mt.access"):
        mine = c.get("/languages", headers={"X-Request-ID": "abc-123"})
        theirs = c.get("/v1/nothing", headers={"X-Request-ID": "bad id <script>"})
    assert mine.headers["x-request-id"] == "abc-123"
    assert len(theirs.headers["x-request-id"]) == 32  # a bad one is replaced
    records = [r for r in caplog.records if r.name == "mt.access"]
    assert [(r.path, r.status, r.request_id) for r in records][:1] == [  # type: ignore[attr-defined]
        ("/languages", 200, "abc-123")
    ]
    configure("json")
    handler = logging.getLogger("mt.access").handlers[0]
    line = json.loads(handler.format(records[1]))
    assert line["status"] == 404 and line["path"] == "/v1/nothing" and "duration_ms" in line
    assert line["request_id"] == theirs.headers["x-request-id"]
    for name in ("mt.access", "uvicorn.error", "mt"):
        logging.getLogger(name).handlers.clear()
        logging.getLogger(name).propagate = True


def test_a_replica_without_job_workers_refuses_jobs(tiny_model: Path, tmp_path: Path) -> None:
    app = create_app(tmp_path / "r.db", model=str(tiny_model), limits=Limits(job_workers=0))
    with TestClient(app) as c:
        r = c.post("/v1/jobs", json={"documents": [{"text": "Bonjour."}]})
        assert r.status_code == 503 and "no background jobs" in r.json()["detail"]


def _mt_serve(*args: str, env: dict[str, str] | None = None) -> subprocess.Popen[str]:
    command = [sys.executable, "-m", "mt", "serve", *args]
    full_env = {**os.environ, "HF_HUB_OFFLINE": "1", **(env or {})}
    return subprocess.Popen(
        command, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, env=full_env, text=True
    )


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def test_mt_serve_with_keys_limits_and_json_logs(tiny_model: Path, tmp_path: Path) -> None:
    keys = tmp_path / "keys.txt"
    keys.write_text("file-key\n", encoding="utf-8")
    port = _free_port()
    server = _mt_serve(
        *("--db", str(tmp_path / "r.db"), "--model", str(tiny_model), "--beam", "1"),
        *("--port", str(port), "--api-keys", str(keys), "--req-limit", "20/minute"),
        *("--log-format", "json"),
        env={"MT_API_KEYS": "env-key"},
    )
    base = f"http://127.0.0.1:{port}"
    try:
        for _ in range(600):  # ready: the model loaded at start-up
            try:
                if httpx.get(f"{base}/v1/ready", timeout=1).status_code == 200:
                    break
            except httpx.HTTPError:
                pass
            time.sleep(0.1)
        assert httpx.get(f"{base}/v1/documents").status_code == 401
        for key in ("file-key", "env-key"):
            auth = {"Authorization": f"Bearer {key}", "X-Request-ID": f"req-{key}"}
            assert httpx.get(f"{base}/v1/documents", headers=auth).status_code == 200
    finally:
        server.terminate()
        _, err = server.communicate(timeout=30)
    lines = [json.loads(line) for line in err.splitlines() if line.startswith("{")]
    access = [r for r in lines if r.get("name") == "mt.access"]
    assert {"request_id": "req-env-key", "status": 200, "path": "/v1/documents"}.items() <= (
        access[-1].items()
    )
    assert not any("warning" in line for line in err.splitlines() if not line.startswith("{"))


def test_mt_serve_warns_when_exposed_without_keys(tiny_model: Path, tmp_path: Path) -> None:
    server = _mt_serve(
        *("--db", str(tmp_path / "r.db"), "--model", str(tiny_model)),
        *("--host", "0.0.0.0", "--port", str(_free_port())),
    )
    try:
        assert server.stderr is not None
        first = server.stderr.readline()
    finally:
        server.terminate()
        server.communicate(timeout=30)
    assert first.startswith("mt: warning: serving on 0.0.0.0 without API keys")


@pytest.mark.parametrize(
    "args, message",
    [
        (["--api-keys", "/nonexistent/keys"], "cannot read the API keys file"),
        (["--req-limit", "lots"], "cannot read the rate limit"),
        (["--log-format", "xml"], "--log-format must be text or json"),
    ],
)
def test_mt_serve_refuses_bad_settings(args: list[str], message: str, tmp_path: Path) -> None:
    server = _mt_serve("--db", str(tmp_path / "r.db"), *args)
    _, err = server.communicate(timeout=60)
    assert server.returncode == 2 and message in err and "Traceback" not in err
