"""HTML pages: parsed into blocks, translated with their markup, inline tags carried onto the
English words, tag-edge damage found and repaired, and pages shown safely."""

import json
import re
import sys
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from hypothesis import given, settings
from hypothesis import strategies as st

from mt.errors import InputError
from mt.markup import parse
from mt.markup.checks import repair_block, tag_flags
from mt.markup.page import input_format
from mt.markup.project import Placement
from mt.markup.render import rewrite
from mt.markup.sanitize import sanitize
from mt.options import Options
from mt.server import create_app
from mt.service import Service
from mt.store import Store

from .test_cli import run

# the well-formedness check eval/html_tags.py judges pages by (Python's own HTML parser)
sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "eval"))
from html_tags import balanced

PAGE = """<!DOCTYPE html>
<html><head><title>Le titre</title><style>p { color: red }</style></head>
<body>
<!-- a comment stays -->
<h1 class="t">La Russie <em data-k="1">perd du terrain</em></h1>
<p>Le <a href="/otan?a=1&amp;b=2" data-k="2">secrétaire général</a> a parlé mardi
   à <b data-k="3">Kherson</b>. Il a <i data-k="4">rencontré <strong data-k="5">le
   président</strong></i> ensuite.<br>Une <img src="x.png" alt="Une photo" data-k="6"> image.</p>
<pre>  ce texte   reste tel quel &lt;b&gt; </pre>
<script>var s = "<b>Bonjour</b>";</script>
<ul><li>Premier point</li><li>Deuxième <code>x = 1</code> point</li></ul>
</body></html>
"""


@pytest.fixture(scope="module")
def service() -> Service:
    return Service(Options(beam=2))


@pytest.fixture(scope="module")
def page_out(service: Service):
    [page] = service.translate_html([PAGE], attributes=True)
    return page


def test_page_blocks_and_what_is_left_alone() -> None:
    page = parse(PAGE)
    texts = [b.text for b in page.blocks if b.translatable]
    assert "Le titre" in texts and "Premier point" in texts
    assert not any("color" in t or "var s" in t or "tel quel" in t for t in texts)
    [para] = [b for b in page.blocks if b.text.startswith("Le secrétaire")]
    # white space is collapsed; each inline element is a span of the block's text
    assert "mardi à Kherson" in para.text
    spans = {s.element.get("data-k"): para.text[s.start : s.end] for s in para.spans}
    assert spans["2"] == "secrétaire général" and spans["5"] == "le président"
    assert spans["4"] == "rencontré le président" and spans["6"] == ""
    # "Deuxième x = 1 point": code is kept whole, not translated
    [item] = [b for b in page.blocks if b.text.startswith("Deuxième")]
    assert "x = 1" not in item.text


def test_translated_page_keeps_its_structure(page_out) -> None:
    html = page_out.html
    assert html.startswith("<!DOCTYPE html>") and balanced(html)
    # every inline tag once, attributes as they were
    for k in range(1, 7):
        assert len(re.findall(f'data-k="{k}"', html)) == 1, k
    assert 'href="/otan?a=1&amp;b=2"' in html and 'class="t"' in html
    # code, styles, scripts, comments and preformatted text are untouched
    assert '<script>var s = "<b>Bonjour</b>";</script>' in html
    assert "<pre>  ce texte   reste tel quel &lt;b&gt; </pre>" in html
    assert "<!-- a comment stays -->" in html and "<code>x = 1</code>" in html
    assert "p { color: red }" in html
    # translated: the text of blocks, and alt when asked for
    assert "secrétaire" not in html and "Premier" not in html
    assert 'alt="Une photo"' not in html
    assert not page_out.warnings()


def test_text_is_translated_as_the_plain_path_does(service: Service, page_out) -> None:
    plain = service.translate([b.text for b in parse(PAGE).blocks if b.translatable])
    assert [en for _, en in page_out.blocks] == [d.text for d in plain]
    again = [b.text for b in parse(page_out.html).blocks if b.translatable]
    assert [" ".join(t.split()) for t in again] == [" ".join(d.text.split()) for d in plain]


def test_inline_tags_land_on_their_english_words(service: Service) -> None:
    [page] = service.translate_html(
        [
            '<p>Le <b>chat noir</b> dort sur le <a href="#">canapé</a>.</p>'
            "<p>Le secrétaire général de l'<em>OTAN</em> a parlé à <i>Moscou</i>.</p>"
        ]
    )
    placed = {t.fr_text: t.en_text for t in page.tags}
    assert placed["canapé"].lower() in ("couch", "sofa", "the couch", "the sofa")
    assert "cat" in placed["chat noir"].lower() and "black" in placed["chat noir"].lower()
    assert placed["OTAN"] == "NATO" and placed["Moscou"] == "Moscow"
    assert all(t.how == "links" for t in page.tags)


def test_fragment_and_libretranslate_example(service: Service) -> None:
    [page] = service.translate_html(["<p>Bonjour <b>monde</b></p>"])
    assert re.fullmatch(r"<p>\w[^<]* <b>\w+</b></p>", page.html), page.html
    [empty] = service.translate_html(["<div><img src='a.png'></div>"])
    assert empty.html == '<div><img src="a.png"></div>' and empty.sentences == []


@settings(max_examples=150, deadline=None)
@given(
    st.lists(
        st.one_of(
            st.sampled_from(["<p>", "</p>", "<b>", "</b>", "<a href='x'>", "</a>", "<br>", "<i>"]),
            st.sampled_from(["</i>", "<!-- c -->", "&amp;", "&eacute;", "<div>", "</div>", "<li>"]),
            st.text(alphabet="abcé xyz.\n<>&", max_size=12),
        ),
        max_size=30,
    )
)
def test_rewriting_each_block_with_its_own_text_changes_nothing(parts: list[str]) -> None:
    source = "".join(parts)
    before = parse(source).serialize()
    page = parse(source)
    for block in page.blocks:
        kept = [Placement(s.tag, s.start, s.end, s.start, s.end, "links") for s in block.spans]
        rewrite(block, block.text, kept)
    after = page.serialize()
    assert [b.text for b in parse(after).blocks] == [b.text for b in parse(before).blocks]
    assert re.findall(r"<[^>]+>", after) == re.findall(r"<[^>]+>", before)


def test_hostile_markup_parses_quickly() -> None:
    import time

    for hostile in ("<!--" * 5000, "<a " * 7000, '<a href="' * 2000, "<" * 20000, "<b>" * 200):
        start = time.perf_counter()
        page = parse(hostile)
        page.serialize()
        assert time.perf_counter() - start < 5, hostile[:10]
    # nesting deeper than the parser reads is refused, not read with its text dropped
    for tag in ("b", "div", "span"):
        deep = f"<{tag}>" * 3000 + "Bonjour" + f"</{tag}>" * 3000
        with pytest.raises(InputError, match="deeper than it can be read"):
            parse(deep)


@pytest.mark.parametrize(
    ("html", "kind", "fixed"),
    [
        ("<p>la ville de <a>Kherson</a>sous le feu</p>", "tag_glued", "Kherson sous"),
        ("<p>il vit à <b>Paris</b>depuis mai</p>", "tag_glued", "Paris depuis"),
        ("<p>une <a>maison</a>bleue ici</p>", "tag_glued", "maison bleue"),
        ("<p>Selon lui<a>Moscou</a> ment.</p>", "tag_glued", "lui Moscou"),
        ("<p>le chef qui <a>La Russie</a> accuse</p>", "tag_title_case", "la"),
        ("<p>mais le <a>Les sanctions</a> pèsent</p>", "tag_title_case", "les"),
        ("<p>la ville de Kher<a>son</a> est prise</p>", "tag_in_word", None),
        ("<p>un <b>p</b>roblème sérieux</p>", "tag_in_word", None),
    ],
)
def test_tag_edge_damage_is_found_and_repaired(html: str, kind: str, fixed: str | None) -> None:
    [block] = parse(html).blocks
    [flag] = [f for f in tag_flags(block) if f.type == kind]
    assert flag.suggestion == fixed
    changes = repair_block(block)
    if fixed is None:
        assert not [c for c in changes if c.type == kind]
    else:
        assert fixed in block.text
        # the tag still covers its own words, not the space the repair added
        for span in block.spans:
            inner = block.text[span.start : span.end]
            assert inner == inner.strip() and inner


@pytest.mark.parametrize(
    "html",
    [
        "<p>Le chef de l'<a>OTAN</a> a parlé.</p>",
        "<p>Il vit à <a>Paris</a>, en France.</p>",
        "<p>La Cour siège à <a>La Haye</a> depuis longtemps.</p>",
        "<p>Le journal <i>The Guardian</i> a publié l'article.</p>",
        "<p><a>La Russie</a> a perdu. Puis <b>Le Monde</b> l'a écrit.</p>",
        "<p>Un <b>très</b> <em>grand</em> pas.</p>",
    ],
)
def test_clean_markup_is_not_flagged(html: str) -> None:
    [block] = parse(html).blocks
    assert [f for f in tag_flags(block) if f.type != "tag_in_word"] == []


def test_check_offsets_point_into_the_html_source(service: Service) -> None:
    source = "<div><p>Les troupes ont quitt&eacute; <a href='k'>Kherson</a>sous le feu.</p></div>"
    [report] = service.check_html(source)
    [flag] = [f for f in report.flags if f.type == "tag_glued"]
    assert flag.html is not None
    assert source[flag.html[0] : flag.html[1]] == "Kherson</a>sous"
    assert source[report.start : report.end].startswith("Les troupes") and report.flagged


def test_repair_html_keeps_markup_and_fixes_the_french(service: Service) -> None:
    html, changes = service.repair_html('<p>la ville de <a href="k">Kherson</a>sous le feu</p>')
    assert html == '<p>la ville de <a href="k">Kherson</a> sous le feu</p>'
    assert [(n, c.type) for n, c in changes] == [(0, "tag_glued")]


def test_input_format() -> None:
    assert input_format("auto", "Bonjour.", "a.txt") == "text"
    assert input_format("auto", "Bonjour.", "a.HTML") == "html"
    assert input_format("auto", "  <!doctype html><p>x") == "html"
    assert input_format("auto", "<p>Bonjour</p>") == "html"
    assert input_format("auto", "< 3 ans") == "text"
    assert input_format("text", "<p>x</p>") == "text"


def test_sanitize_removes_every_way_to_run_code() -> None:
    hostile = (
        '<p onclick="steal()">Bonjour <script>alert(1)</script><img src=x onerror=alert(2)>'
        '<a href="javascript:alert(3)">lien</a><iframe src="//evil"></iframe>'
        "<style>*{}</style><svg onload=alert(4)></svg></p>"
    )
    clean = sanitize(hostile)
    for bad in ("script", "onerror", "onclick", "javascript:", "iframe", "<img", "svg", "style"):
        assert bad not in clean.lower(), bad
    assert "Bonjour" in clean and "lien" in clean


def test_cli_translate_check_and_run_html(tmp_path: Path) -> None:
    page = tmp_path / "article.html"
    page.write_text(
        '<p>Les troupes ont quitté <a href="k">Kherson</a>sous le feu.</p>'
        "<p>Le <b>président</b> a parlé.</p><script>x()</script>",
        encoding="utf-8",
    )
    res = run("translate", str(page), "--beam", "1")
    assert res.returncode == 0, res.stderr
    out = res.stdout.decode()
    assert out.count("<a href") == 1 and "<script>x()</script>" in out and balanced(out)
    res = run("translate", str(page), "--beam", "1", "--format", "jsonl", "--repair")
    record = json.loads(res.stdout)
    assert record["changes"][0][1]["type"] == "tag_glued" and record["tags"]
    res = run("check", str(page), "--format", "jsonl")
    flags = [f for line in res.stdout.splitlines() for f in json.loads(line)["flags"]]
    assert any(f["type"] == "tag_glued" and f["html"] for f in flags)
    res = run("check", str(page), "--repair")
    assert b"Kherson</a> sous" in res.stdout
    res = run("translate", str(page), "--segmented")
    assert res.returncode == 2 and b"does not apply to HTML" in res.stderr

    db = tmp_path / "r.db"
    res = run("run", str(page), "--db", str(db), "--beam", "1", "--out", str(tmp_path / "out"))
    assert res.returncode == 0, res.stderr
    store = Store(db)
    [doc] = store.documents()
    stored = store.page(doc["id"])
    assert stored is not None and stored.source == page.read_text(encoding="utf-8")
    assert "<a href" in stored.translation
    sentences = store.sentences(doc["id"])
    assert any(f["type"] == "tag_glued" for s in sentences for f in s["flags"])
    report = (tmp_path / "out" / "article.html").read_text(encoding="utf-8")
    assert "<iframe sandbox" in report and "x()" not in report


def test_batch_takes_html_files_and_a_format_field(tmp_path: Path) -> None:
    from mt.batch import read_inputs, run_batch

    folder = tmp_path / "in"
    folder.mkdir()
    (folder / "a.html").write_text("<p>Le <b>chat</b> dort.</p>", encoding="utf-8")
    (folder / "b.txt").write_text("<p>Ceci est du texte.</p>", encoding="utf-8")
    docs = {d.name: d.format for d in read_inputs(folder)}
    assert docs == {"a.html": "html", "b.txt": "text"}
    jsonl = tmp_path / "in.jsonl"
    rows = [
        {"id": "x", "text": "<p>Le <i>chien</i> court.</p>"},
        {"id": "y", "text": "<p>Bonjour.</p>", "format": "text"},
        {"id": "z", "text": "Bonjour.", "format": "pdf"},
    ]
    jsonl.write_text("\n".join(json.dumps(r) for r in rows), encoding="utf-8")
    found = {d.key: (d.format, d.error) for d in read_inputs(jsonl)}
    assert found["x"] == ("html", None) and found["y"] == ("text", None)
    assert "'format' must be one of" in (found["z"][1] or "")
    report = run_batch(folder, tmp_path / "out.db", Options(beam=1))
    assert report.done == 2
    store = Store(tmp_path / "out.db")
    pages = [store.page(d["id"]) for d in store.documents()]
    assert sum(p is not None for p in pages) == 1


def test_server_html_translate_check_and_page(tmp_path: Path) -> None:
    app = create_app(tmp_path / "r.db", beam=1)
    client = TestClient(app)
    r = client.post(
        "/v1/translate",
        json={"text": "<p>Le <b>chat</b> dort.</p>", "format": "html", "details": True},
    )
    body = r.json()
    assert r.status_code == 200 and body["translation"].count("<b>") == 1
    assert body["tags"][0][0]["tag"] == "b" and body["sentences"][0]
    r = client.post("/v1/translate", json={"text": "<p>x</p>", "format": "pdf"})
    assert r.status_code == 422
    deep = "<b>" * 1000 + "Bonjour" + "</b>" * 1000
    r = client.post("/v1/translate", json={"text": deep, "format": "html"})
    assert r.status_code == 400 and "deeper than it can be read" in r.json()["detail"]
    r = client.post("/v1/translate", json={"text": "<p>x</p>", "format": "html", "segmented": True})
    assert r.status_code == 422
    r = client.post(
        "/v1/check", json={"text": "<p>de <a>Kherson</a>sous le feu</p>", "format": "html"}
    )
    assert r.json()["sentences"][0]["flags"][0]["html"] is not None
    r = client.post(
        "/translate",
        json={"q": "<p>Bonjour <b>monde</b></p>", "source": "fr", "target": "en", "format": "html"},
    )
    assert r.status_code == 200 and "<b>" in r.json()["translatedText"]

    hostile = '<p onmouseover="alert(1)">Le <b>chat</b> dort.<script>alert(2)</script><img src=x onerror=alert(3)></p>'
    r = client.post("/v1/jobs", json={"documents": [{"name": "p.html", "text": hostile}]})
    job = r.json()["job_id"]
    for _ in range(600):
        state = client.get(f"/v1/jobs/{job}").json()
        if state["status"] in ("done", "failed"):
            break
        import time

        time.sleep(0.1)
    [doc_id] = state["documents"]
    assert client.get(f"/v1/documents/{doc_id}").json()["page"] is True
    shown = client.get(f"/v1/documents/{doc_id}/page").json()
    for side in (shown["source"], shown["translation"]):
        assert "alert" not in side and "<b>" in side
    assert client.get("/v1/documents/999/page").status_code == 404


@settings(max_examples=300, deadline=None)
@given(
    st.integers(1, 12),
    st.integers(1, 12),
    st.lists(st.tuples(st.integers(0, 11), st.integers(0, 11)), max_size=20),
    st.lists(st.tuples(st.integers(0, 12), st.integers(0, 4), st.booleans()), max_size=8),
    st.randoms(use_true_random=False),
)
def test_placed_tags_nest_and_rendering_keeps_the_english_whole(
    n_fr: int, n_en: int, pairs: list[tuple[int, int]], raw_tags: list, rng
) -> None:
    """Whatever the word links, every tag comes back once, children inside their parents,
    siblings apart, and the English text exactly as translated."""
    from mt.align.words import WordLinks
    from mt.markup.project import Aligned, Tag, place

    fr = " ".join(f"f{i}" for i in range(n_fr))
    en = " ".join(f"e{i}" for i in range(n_en))
    fr_words = [(m.start(), m.end()) for m in re.finditer(r"\S+", fr)]
    en_words = [(m.start(), m.end()) for m in re.finditer(r"\S+", en)]
    links = WordLinks(fr_words, en_words, sorted({(f % n_fr, e % n_en) for f, e in pairs}))
    # tags over word runs, nested when one lies inside an earlier one
    tags: list[Tag] = []
    for first, size, opaque in raw_tags:
        a = fr_words[min(first, n_fr - 1)][0]
        b = a if opaque else fr_words[min(first + size, n_fr - 1)][1]
        parent = None
        for k in range(len(tags) - 1, -1, -1):
            t = tags[k]
            if not t.opaque and t.start <= a and b <= t.end and (t.start, t.end) != (a, b):
                parent = k
                break
        clash = any(
            t.parent == parent and not t.opaque and not opaque and a < t.end and b > t.start
            for t in tags
        )
        if not clash:
            tags.append(Tag("b", a, b, parent, opaque))
    placed = place(tags, [Aligned(0, len(fr), 0, len(en), links)], en)
    assert len(placed) == len(tags)
    for k, (t, p) in enumerate(zip(tags, placed, strict=True)):
        assert 0 <= p.en_start <= p.en_end <= len(en)
        if t.parent is not None:
            q = placed[t.parent]
            assert q.en_start <= p.en_start and p.en_end <= q.en_end
        for j, (u, r) in enumerate(zip(tags, placed, strict=True)):
            if j != k and u.parent == t.parent and r.en_end > r.en_start:
                assert not (r.en_start < p.en_end and p.en_start < r.en_end) or (
                    p.en_start == p.en_end and p.en_start in (r.en_start, r.en_end)
                )
    # rendered into a block, the text reads the English exactly, each tag once
    html = "<p>" + fr + "</p>"
    page = parse(html)
    [block] = page.blocks
    from lxml import etree

    from mt.markup.page import Span

    block.spans[:] = [
        Span(etree.Element("img" if t.opaque else "b", {"data-k": str(k)}), t.start, t.end,
             t.parent, t.opaque)
        for k, t in enumerate(tags)
    ]  # fmt: skip
    rewrite(block, en, placed)
    out = page.serialize()
    assert re.sub(r"<[^>]+>", "", out) == en
    for k in range(len(tags)):
        assert out.count(f'data-k="{k}"') == 1
