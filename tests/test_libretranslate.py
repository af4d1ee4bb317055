"""The LibreTranslate-compatible endpoints as its clients use them: parameters however they are
sent, its validation and error shape, alternatives, HTML, files, and two client libraries that
send their parameters differently, each against a live ``mt serve`` that asks for a key."""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from fastapi.testclient import TestClient

from mt.server import Access, Limits, create_app, serve_in_background

Q = {"q": "Bonjour le monde.", "source": "fr", "target": "en"}
TAG = re.compile(r"<[^>]+>")


@pytest.fixture(scope="module")
def client(tiny_model: Path, tmp_path_factory: pytest.TempPathFactory) -> TestClient:
    db = tmp_path_factory.mktemp("lt") / "r.db"
    app = create_app(db, model=str(tiny_model), beam=2, limits=Limits(max_batch=3))
    return TestClient(app)


def test_parameters_from_the_query_a_form_multipart_or_json(client: TestClient) -> None:
    expected = client.post("/translate", json=Q).json()["translatedText"]
    assert isinstance(expected, str) and expected
    for how in (
        {"params": Q},  # no body at all
        {"data": Q},
        {"files": {k: (None, v) for k, v in Q.items()}},
        {"params": {"q": Q["q"]}, "data": {"source": "fr", "target": "en"}},
    ):
        r = client.post("/translate", **how)  # type: ignore[arg-type]
        assert r.status_code == 200 and r.json()["translatedText"] == expected, how
    batch = client.post("/translate", data={**Q, "q": ["Bonjour.", "Merci."]}).json()
    same = client.post("/translate", json={**Q, "q": ["Bonjour.", "Merci."]}).json()
    assert batch == same and len(batch["translatedText"]) == 2


@pytest.mark.parametrize("q", [[["Bonjour."]], {"x": 1}, None, 3, ["Bonjour.", 2], True], ids=repr)
def test_q_is_a_string_or_a_list_of_strings(client: TestClient, q: object) -> None:
    r = client.post("/translate", json={**Q, "q": q})
    assert r.status_code == 400 and r.json()["error"].startswith("Invalid request")


def test_validation_in_libretranslate_words(client: TestClient) -> None:
    for missing in ("q", "source", "target"):
        body = {k: v for k, v in Q.items() if k != missing}
        r = client.post("/translate", json=body)
        assert r.status_code == 400
        assert r.json() == {"error": f"Invalid request: missing {missing} parameter"}
    assert client.post("/translate", json={**Q, "target": "de"}).json()["error"].startswith("de ")
    assert client.post("/translate", json={**Q, "format": "pdf"}).status_code == 400
    r = client.post("/translate", json={**Q, "q": ["a."] * 4})
    assert r.json() == {"error": "Invalid request: request (4) exceeds text limit (3)"}
    r = client.post("/translate", content=b"[1]", headers={"content-type": "application/json"})
    assert r.status_code == 400 and "error" in r.json()
    assert client.post("/suggest", json={}).status_code == 403
    assert client.get("/nothing/here").json() == {"detail": "Not Found"}


def test_alternatives_come_from_the_beam(client: TestClient) -> None:
    one = client.post("/translate", json={**Q, "alternatives": 2}).json()
    assert one["translatedText"] == client.post("/translate", json=Q).json()["translatedText"]
    assert 1 <= len(one["alternatives"]) <= 2
    assert one["translatedText"] not in one["alternatives"]
    assert len(set(one["alternatives"])) == len(one["alternatives"])
    many = client.post("/translate", json={**Q, "q": ["Bonjour.", "Merci."], "alternatives": 1})
    assert [len(a) <= 1 for a in many.json()["alternatives"]] == [True, True]
    assert "alternatives" not in client.post("/translate", json=Q).json()
    for bad in (-1, 4, "two", 1.5):
        r = client.post("/translate", json={**Q, "alternatives": bad})
        assert r.status_code == 400 and "alternatives" in r.json()["error"]


def test_auto_source_reports_the_detected_language(client: TestClient) -> None:
    r = client.post("/translate", json={**Q, "source": "auto"}).json()
    assert r["detectedLanguage"]["language"] == "fr" and r["detectedLanguage"]["confidence"] > 0


def test_html_keeps_every_tag_and_translates_each_paragraph_whole(client: TestClient) -> None:
    page = (
        '<p class="lead">Bonjour <b>le monde</b> &amp; <a href="/x?a=1&amp;b=2">la ville</a>.</p>'
        "<!-- un commentaire --><script>var s = '<b>non</b>';</script><pre>code ici</pre>"
    )
    out = client.post("/translate", json={**Q, "q": page, "format": "html"}).json()
    html = out["translatedText"]
    assert TAG.findall(html) == TAG.findall(page)
    assert "<script>var s = '<b>non</b>';</script><pre>code ici</pre>" in html
    assert "<!-- un commentaire -->" in html
    # the paragraph is translated whole, as the same text is without its tags
    plain = client.post("/translate", json={**Q, "q": "Bonjour le monde & la ville."})
    paragraph = html[: html.index("</p>")]
    text = re.sub(r"<[^>]+>", "", paragraph).replace("&amp;", "&")
    assert " ".join(text.split()) == " ".join(plain.json()["translatedText"].split())


def test_frontend_settings(client: TestClient) -> None:
    s = client.get("/frontend/settings").json()
    assert s["charLimit"] == 20_000 and s["keyRequired"] is False
    assert s["language"]["source"] == {"code": "fr", "name": "French"}
    assert ".txt" in s["supportedFilesFormat"] and ".html" in s["supportedFilesFormat"]


def test_translate_file_and_download_it(client: TestClient) -> None:
    sent = {"source": "fr", "target": "en"}
    for name, text in (("a.txt", "Bonjour.\n\nMerci."), ("page.html", "<p>Bonjour <i>ami</i></p>")):
        r = client.post("/translate_file", data=sent, files={"file": (name, text.encode())})
        assert r.status_code == 200, r.text
        url = r.json()["translatedFileUrl"]
        assert url.startswith("http://testserver/download_file/") and url.endswith(name)
        got = client.get(url)
        assert got.status_code == 200 and name in got.headers["content-disposition"]
        if name.endswith(".txt"):
            assert got.text.count("\n\n") == 1
        else:
            assert TAG.findall(got.text) == TAG.findall(text)
    r = client.post("/translate_file", data=sent, files={"file": ("a.pdf", b"x")})
    assert r.status_code == 400 and "pdf" in r.json()["error"]
    r = client.post("/translate_file", data=sent, files={"file": ("a.txt", b"\xff\xfe\x00")})
    assert r.status_code == 400 and "UTF-8" in r.json()["error"]
    assert client.post("/translate_file", data=sent).json()["error"].endswith("file parameter")
    for missing in ("0" * 32 + ".a.txt", "..%2F..%2Fetc%2Fpasswd", "../r.db"):
        r = client.get(f"/download_file/{missing}")
        assert r.status_code == 404


KEY = "client-key-1"


@pytest.fixture(scope="module")
def keyed_server(tiny_model: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    app = create_app(
        tmp_path_factory.mktemp("keyedlive") / "r.db",
        model=str(tiny_model),
        beam=1,
        access=Access.create([KEY]),
    )
    with serve_in_background(app) as url:
        yield url


def test_libretranslatepy_sends_a_form(keyed_server: str) -> None:
    from urllib.error import HTTPError

    from libretranslatepy import LibreTranslateAPI

    lt = LibreTranslateAPI(keyed_server, api_key=KEY)
    expected = httpx.post(f"{keyed_server}/translate", json={**Q, "api_key": KEY}).json()
    assert lt.translate(Q["q"], source="fr", target="en") == expected["translatedText"]
    batch = [lt.translate(t, source="fr", target="en") for t in ("Bonjour.", "Merci.", "Oui.")]
    assert all(isinstance(t, str) and t for t in batch)
    assert lt.detect("Le gouvernement a annoncé une loi.")[0]["language"] == "fr"
    with pytest.raises(HTTPError) as refused:
        LibreTranslateAPI(keyed_server).translate("Bonjour.", source="fr", target="en")
    assert refused.value.code == 403


def test_deep_translator_sends_the_query_string(keyed_server: str) -> None:
    from deep_translator import LibreTranslator
    from deep_translator.exceptions import AuthorizationException

    lt = LibreTranslator(source="fr", target="en", api_key=KEY, custom_url=keyed_server + "/")
    expected = httpx.post(f"{keyed_server}/translate", json={**Q, "api_key": KEY}).json()
    assert lt.translate(Q["q"]) == expected["translatedText"]
    batch = lt.translate_batch(["Bonjour.", "Merci.", "Oui."])
    assert len(batch) == 3 and all(isinstance(t, str) and t for t in batch)
    wrong = LibreTranslator(source="fr", target="en", api_key="nope", custom_url=keyed_server + "/")
    with pytest.raises(AuthorizationException):
        wrong.translate("Bonjour.")
