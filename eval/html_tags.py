"""HTML through the pipeline: structure kept, text as the plain path, inline tags on the right
English words.

python eval/html_tags.py                       # newstest2013 and ntrex128, 400 sentences each
python eval/html_tags.py --limit 100 ntrex128
python eval/html_tags.py dev                   # training pairs: what tuning may look at
python eval/html_tags.py dev --attention needed   # attention only where the word table fails
python eval/html_tags.py dev --layer 2            # another decoder layer's attention
python eval/html_tags.py dev --cached             # sentences from a cache: forced attention

Pages are built from the evaluation sets: sentences grouped 1–3 to a paragraph, inline tags
(``a``, ``b``, ``i``, ``em``, ``strong``, ``span``; a quarter nested in another; some ``img`` and
``br``) put over random spans of 1–4 words, each with its own ``data-k``. It reports:

- pages whose output an independent parser (Python's ``html.parser``) finds unbalanced;
- whether the English text of each paragraph, tags stripped, equals the plain-text path's
  translation of the paragraph's text (and both paths' BLEU);
- tags missing or duplicated in the output;
- placement: each tag's English words against its French words' counterparts under an
  independent word aligner, eflomal (IBM-style Bayesian aligner; trained here on the test
  pairs plus the first 50,000 training pairs of ``train/wmt-news-2008-2012`` and
  ``train/europarl-v7``; links from both directions,
  united). A tag *covers* its counterpart when the word-level F1 between the words it covers
  and the counterpart words is at least 0.5. Tags whose French words eflomal links to nothing
  are counted apart.
"""

from __future__ import annotations

import argparse
import gzip
import importlib
import itertools
import json
import lzma
import random
import re
import sys
import tempfile
import time
from html.parser import HTMLParser
from pathlib import Path

import sacrebleu

from mt.align.words import words
from mt.evaluate import DEFAULT_DATA
from mt.markup import translate_pages
from mt.markup.page import parse
from mt.options import Options
from mt.pipeline import MemoryCache
from mt.service import Service

TAGS = ["a", "b", "i", "em", "strong", "span"]
VOID = {"br", "img", "wbr", "input", "meta", "link", "hr"}
_KEY = re.compile(r'data-k="(\d+)"')


def build_page(
    sentences: list[str], rng: random.Random, first_key: int, tagged: float = 1.0
) -> tuple[str, int, list[int]]:
    """Paragraphs of 1–3 sentences with tags over random word spans (in a share ``tagged`` of
    the paragraphs); returns the HTML, the next free key and each paragraph's number of
    sentences."""
    key = first_key
    paragraphs = []
    sizes = []
    k = 0
    while k < len(sentences):
        n = rng.randint(1, 3)
        text = " ".join(sentences[k : k + n])
        sizes.append(len(sentences[k : k + n]))
        k += n
        ws = [m for m in re.finditer(r"\S+", text)]
        opens: dict[int, list[str]] = {}
        closes: dict[int, list[str]] = {}
        used: list[tuple[int, int]] = []
        wanted = rng.randint(1, 3) if tagged >= 1.0 or rng.random() < tagged else 0
        for _ in range(wanted):
            if len(ws) < 2:
                break
            size = rng.randint(1, min(4, len(ws)))
            a = rng.randrange(0, len(ws) - size + 1)
            b = a + size
            if any(a < y and b > x for x, y in used):
                continue
            used.append((a, b))
            tag = rng.choice(TAGS)
            attrs = f' href="https://example.org/{key}"' if tag == "a" else ""
            opens.setdefault(a, []).append(f'<{tag}{attrs} data-k="{key}">')
            closes.setdefault(b - 1, []).insert(0, f"</{tag}>")
            key += 1
            if size >= 3 and rng.random() < 0.25:  # a nested tag over the span's second word
                inner = rng.choice([t for t in TAGS if t != tag])
                opens.setdefault(a + 1, []).append(f'<{inner} data-k="{key}">')
                closes.setdefault(a + 1, []).insert(0, f"</{inner}>")
                key += 1
        if rng.random() < 0.15 and len(ws) > 2:
            at = rng.randrange(1, len(ws))
            if not any(x < at < y for x, y in used):
                opens.setdefault(at, []).insert(0, f'<img src="i.png" data-k="{key}"> ')
                key += 1
        parts = []
        for i, m in enumerate(ws):
            word = m.group().replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
            parts.append("".join(opens.get(i, [])) + word + "".join(closes.get(i, [])))
        paragraphs.append("<p>" + " ".join(parts) + "</p>")
    return "\n".join(paragraphs), key, sizes


class Balance(HTMLParser):
    """Counts open and close tags; ``ok`` when every non-void tag closes in order."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.stack: list[str] = []
        self.ok = True

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag not in VOID:
            self.stack.append(tag)

    def handle_endtag(self, tag: str) -> None:
        if tag in VOID:
            return
        if not self.stack or self.stack.pop() != tag:
            self.ok = False


def balanced(html: str) -> bool:
    b = Balance()
    b.feed(html)
    b.close()
    return b.ok and not b.stack


def eflomal_links(fr: list[str], en: list[str], extra: int) -> list[set[tuple[int, int]]]:
    """Union of eflomal's forward and reverse links per pair (word indices by
    :func:`mt.align.words.words`)."""
    from eflomal import Aligner

    def toks(text: str) -> str:
        return " ".join(text[a:b].lower() for a, b in words(text)) or "."

    src = [toks(f) for f in fr]
    tgt = [toks(e) for e in en]
    train = DEFAULT_DATA.parent / "train"
    with (
        gzip.open(train / "wmt-news-2008-2012.tsv.gz", "rt", encoding="utf-8") as news,
        lzma.open(train / "europarl-v7.tsv.xz", "rt", encoding="utf-8") as europarl,
    ):
        for n, line in enumerate(itertools.chain(news, europarl)):
            if n >= extra:
                break
            a, _, b = line.rstrip("\n").partition("\t")
            if a.strip() and b.strip():
                src.append(toks(a))
                tgt.append(toks(b))
    with tempfile.TemporaryDirectory() as tmp:
        fwd, rev = Path(tmp) / "fwd", Path(tmp) / "rev"
        Aligner().align(src, tgt, links_filename_fwd=str(fwd), links_filename_rev=str(rev))
        out: list[set[tuple[int, int]]] = []
        for a, b in zip(
            fwd.read_text().splitlines()[: len(fr)],
            rev.read_text().splitlines()[: len(fr)],
            strict=True,
        ):
            links = set()
            for pair in (a + " " + b).split():
                i, j = pair.split("-")
                links.add((int(i), int(j)))
            out.append(links)
    return out


def with_layer(model: Path, layer: int) -> Path:
    """``model`` linked into a temporary folder, its attention read from decoder ``layer``
    (all heads) instead of :func:`mt.translate.backends.base.attention_layer`'s."""
    folder = Path(tempfile.mkdtemp())
    for f in model.iterdir():
        if f.is_file():
            (folder / f.name).symlink_to(f.resolve())
    heads = json.loads((model / "config.json").read_text())["decoder_attention_heads"]
    for name in ("ct2", "torch"):
        module = importlib.import_module(f"mt.translate.backends.{name}")
        module.attention_layer = lambda path: (layer, heads)  # type: ignore[attr-defined]
    return folder


def _flat(text: str) -> str:
    # parsing collapses runs of space, as a browser shows them
    return " ".join(text.split())


def read_set(name: str, limit: int) -> tuple[list[str], list[str]]:
    """French and English lines of an evaluation set, or of ``dev`` (training pairs 10,000 on
    of ``train/wmt-news-2008-2012``, which tuning the placement may look at)."""
    if name == "dev":
        path = DEFAULT_DATA.parent / "train" / "wmt-news-2008-2012.tsv.gz"
        fr, en = [], []
        with gzip.open(path, "rt", encoding="utf-8") as f:
            for n, line in enumerate(f):
                if n < 10_000:
                    continue
                a, _, b = line.rstrip("\n").partition("\t")
                fr.append(a)
                en.append(b)
                if len(fr) >= limit:
                    break
        return fr, en
    fr = (DEFAULT_DATA / f"{name}.fr").read_text().splitlines()[:limit]
    en = (DEFAULT_DATA / f"{name}.en").read_text().splitlines()[:limit]
    return fr, en


def main() -> None:
    p = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    p.add_argument("sets", nargs="*", default=["newstest2013", "ntrex128"])
    p.add_argument("--limit", type=int, default=400)
    p.add_argument("--seed", type=int, default=13)
    p.add_argument("--extra", type=int, default=50_000, help="training pairs for eflomal")
    p.add_argument("--show", action="store_true", help="print the tags that miss")
    p.add_argument(
        "--attention",
        default="all",
        choices=["needed", "all", "none"],
        help="where word links read the model's attention (mt.markup.translate_pages)",
    )
    p.add_argument(
        "--layer",
        type=int,
        default=None,
        help="read the attention of this decoder layer (all heads) instead of the middle one",
    )
    p.add_argument(
        "--cached",
        action="store_true",
        help="translate each set once first: the pages then come from the cache, and the "
        "attention from a forced pass instead of decoding",
    )
    args = p.parse_args()
    model = None
    if args.layer is not None:
        model = str(with_layer(Service().translator.path, args.layer))
    tr = Service(Options(model=model)).translator
    print(
        "| set | pages | unbalanced | paragraphs equal to plain | BLEU html / plain | tags | "
        "missing or doubled | judged | cover (F1 ≥ 0.5) | mean F1 | placed by nearest |"
    )
    print("|---|---:|---:|---:|---|---:|---:|---:|---:|---:|---:|")
    for name in args.sets:
        fr_lines, ref_lines = read_set(name, args.limit)
        rng = random.Random(args.seed)
        pages, key, refs = [], 0, []
        for k in range(0, len(fr_lines), 10):
            html, key, sizes = build_page(fr_lines[k : k + 10], rng, key)
            pages.append(html)
            at = k
            for n in sizes:
                refs.append(" ".join(ref_lines[at : at + n]))
                at += n
        cache = MemoryCache() if args.cached else None
        if cache is not None:
            translate_pages(tr, pages, cache=cache, attention="none")
        start = time.perf_counter()
        done = translate_pages(tr, pages, cache=cache, attention=args.attention)
        html_seconds = time.perf_counter() - start
        parsed = [parse(h) for h in pages]
        plain_texts = [b.text for page in parsed for b in page.blocks if b.translatable]
        start = time.perf_counter()
        plain = [d.text for d in tr.translate_documents(plain_texts)]
        plain_seconds = time.perf_counter() - start
        html_texts = [en for d in done for _, en in d.blocks]
        out_texts = [b.text for d in done for b in parse(d.html).blocks if b.translatable]
        equal = sum(_flat(a) == _flat(b) for a, b in zip(out_texts, plain, strict=False))
        unbalanced = sum(not balanced(d.html) for d in done)
        missing = 0
        for src, d in zip(pages, done, strict=True):
            want = _KEY.findall(src)
            got = _KEY.findall(d.html)
            missing += sum(got.count(x) != 1 for x in want)
        if len(out_texts) != len(refs) or list(map(_flat, html_texts)) != list(
            map(_flat, out_texts)
        ):
            print(f"{name}: paragraphs lost or changed in the output", file=sys.stderr)
        bleu_html = sacrebleu.corpus_bleu(out_texts, [refs]).score
        bleu_plain = sacrebleu.corpus_bleu(plain, [refs]).score
        # placement against eflomal, sentence by sentence
        sents = [s for d in done for s in d.sentences]
        judge = eflomal_links([s.source for s in sents], [s.translation for s in sents], args.extra)
        where = {}
        for d_i, d in enumerate(done):
            for s in d.sentences:
                where.setdefault((d_i, s.paragraph), []).append(s)
        index = {id(s): n for n, s in enumerate(sents)}
        judged = cover = nearest = total = 0
        f1_sum = 0.0
        for d_i, d in enumerate(done):
            for t in d.tags:
                if t.tag in ("img", "br") or t.fr_end <= t.fr_start:
                    continue
                total += 1
                nearest += t.how == "nearest"
                fr_words: list[tuple[int, int]] = []
                en_set: set[tuple[int, int]] = set()
                counterpart: set[tuple[int, int]] = set()
                block_en = d.blocks[t.block][1]
                at = 0
                for s in where[(d_i, t.block)]:
                    fws = words(s.source)
                    e_off = block_en.find(s.translation, at) if s.translation else -1
                    if e_off >= 0:
                        at = e_off + len(s.translation)
                    ews = words(s.translation)
                    n = index[id(s)]
                    inside = [
                        i
                        for i, (a, b) in enumerate(fws)
                        if s.start + a < t.fr_end and s.start + b > t.fr_start
                    ]
                    fr_words += [(n, i) for i in inside]
                    counterpart |= {(n, j) for i, j in judge[n] if i in inside}
                    if e_off >= 0:
                        en_set |= {
                            (n, j)
                            for j, (a, b) in enumerate(ews)
                            if e_off + a >= t.en_start and e_off + b <= t.en_end
                        }
                if not counterpart:
                    continue
                judged += 1
                hit = len(en_set & counterpart)
                prec = hit / len(en_set) if en_set else 0.0
                rec = hit / len(counterpart)
                f1 = 2 * prec * rec / (prec + rec) if hit else 0.0
                f1_sum += f1
                cover += f1 >= 0.5
                if args.show and f1 < 0.5:
                    print(f"  <{t.tag}> {t.fr_text!r} -> {t.en_text!r} ({t.how})", file=sys.stderr)
        print(
            f"| {name} | {len(pages)} | {unbalanced} | {equal}/{len(plain)} | "
            f"{bleu_html:.2f} / {bleu_plain:.2f} | {total} | {missing} | {judged} | "
            f"{cover / max(judged, 1):.1%} | {f1_sum / max(judged, 1):.3f} | {nearest} |"
        )
        print(
            f"  time: html {html_seconds:.1f} s, plain {plain_seconds:.1f} s",
            file=sys.stderr,
        )


if __name__ == "__main__":
    main()
