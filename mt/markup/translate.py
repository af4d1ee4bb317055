"""HTML pages translated with their markup: each block's text goes through the same
translation as plain text, and its inline tags are carried onto the English words they cover."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace
from typing import TYPE_CHECKING, Any

from mt.align.words import WordLinks, link_words
from mt.markup.checks import repair_block
from mt.markup.page import Page, Span, parse
from mt.markup.project import Aligned, Placement, Tag, place
from mt.markup.render import rewrite
from mt.records import (
    Change,
    DocumentTranslation,
    PageTranslation,
    SentenceTranslation,
    TagPlacement,
)
from mt.translate.attention import cross_attention

if TYPE_CHECKING:
    from mt.translate import ProgressFn, SegmentCache, Translator


def sentence_spans(doc: DocumentTranslation) -> list[tuple[int, int]]:
    """Character spans of each sentence's translation in the document's English text."""
    out = []
    at = 0
    for s in doc.sentences:
        found = doc.text.find(s.translation, at) if s.translation else -1
        if found < 0:
            out.append((at, at))
        else:
            out.append((found, found + len(s.translation)))
            at = found + len(s.translation)
    return out


def translate_pages(
    translator: Translator,
    sources: Sequence[str],
    *,
    attributes: bool = False,
    repair: bool = False,
    cache: SegmentCache | None = None,
    progress: ProgressFn | None = None,
    attention: str = "all",
) -> list[PageTranslation]:
    """Translate HTML pages (documents or fragments).

    ``attributes`` translates ``alt`` and ``title`` too; ``repair`` applies the confident
    fixes to each block's French first (:func:`mt.markup.checks.repair_block`); ``cache``
    serves sentences translated before. ``attention`` says where word links add the model's
    attention to the word table's: ``all`` (every sentence with a tag), ``needed`` (sentences
    with a tag the table leaves unresolved) or ``none`` (the table alone); see
    ``eval/html_tags.py``. Decoding returns the attention; a forced pass reads it only for
    sentences the cache served.
    """
    pages = [parse(s, attributes=attributes) for s in sources]
    changes: list[list[tuple[int, Change]]] = []
    for page in pages:
        found = []
        if repair:
            blocks = [b for b in page.blocks if b.translatable]
            for n, block in enumerate(blocks):
                found += [(n, c) for c in repair_block(block)]
        changes.append(found)
    done = translate_parsed(translator, pages, cache=cache, progress=progress, attention=attention)
    return [replace(d, changes=c) for d, c in zip(done, changes, strict=True)]


def translate_parsed(
    translator: Translator,
    pages: Sequence[Page],
    *,
    cache: SegmentCache | None = None,
    progress: ProgressFn | None = None,
    attention: str = "all",
) -> list[PageTranslation]:
    """Translate parsed pages (their blocks' text as :func:`parse` or a repair left it)."""
    todo = [(p, b) for p, page in enumerate(pages) for b in page.blocks if b.translatable]
    attrs = [a for page in pages for a in page.attributes]
    texts = [b.text for _, b in todo] + [a.text for a in attrs]
    attended = translator.translate_attended(texts, cache=cache, progress=progress)
    docs = [a.document for a in attended]
    for a, doc in zip(attrs, docs[len(todo) :], strict=True):
        a.element.set(a.name, doc.text.strip())
    # attention only for the sentences tags fall in
    pairs = [
        (k, n)
        for k, (_, b) in enumerate(todo)
        for n, s in enumerate(docs[k].sentences)
        if s.source.strip() and any(t.start <= s.end and t.end >= s.start for t in b.spans)
    ]
    # the word table's links, with the model's attention added for every tagged sentence
    # (``all``) or for those with a tag the table leaves unresolved (``needed``)
    if attention not in ("needed", "all", "none"):
        raise ValueError(f"attention must be needed, all or none, not {attention!r}")
    sentence = {(k, n): docs[k].sentences[n] for k, n in pairs}
    table = {
        (k, n): link_words(s.source, s.translation, None)
        for (k, n), s in sentence.items()
        if attention != "all"
    }
    hard = [
        (k, n)
        for k, n in pairs
        if attention == "all"
        or (attention == "needed" and not _resolved(sentence[k, n], todo[k][1].spans, table[k, n]))
    ]
    # decoding's own attention where it gave one; a forced pass for the rest (cache hits)
    missing = [(k, n) for k, n in hard if attended[k].decoded[n] is None]
    found = cross_attention(
        translator,
        [sentence[key].source for key in missing],
        [sentence[key].translation for key in missing],
    )
    read = dict(zip(missing, found, strict=True))
    links = dict(table)
    for k, n in hard:
        s = sentence[k, n]
        att = read[k, n] if (k, n) in read else attended[k].attention(n)
        links[k, n] = link_words(s.source, s.translation, att)
    results: list[dict[str, Any]] = [{"blocks": [], "sentences": [], "tags": []} for _ in pages]
    for k, (p, block) in enumerate(todo):
        doc = docs[k]
        number = len(results[p]["blocks"])
        results[p]["blocks"].append((block.text, doc.text))
        for s in doc.sentences:
            results[p]["sentences"].append(replace(s, paragraph=number))
        if not block.spans:
            rewrite(block, doc.text, [])
            continue
        spans = sentence_spans(doc)
        aligned = [
            Aligned(s.start, s.end, a, b, links[(k, n)])
            for n, (s, (a, b)) in enumerate(zip(doc.sentences, spans, strict=True))
            if (k, n) in links
        ]
        tags = [Tag(s.tag, s.start, s.end, s.parent, s.opaque) for s in block.spans]
        placed = place(tags, aligned, doc.text)
        rewrite(block, doc.text, placed)
        results[p]["tags"] += [_record(number, block.text, doc.text, t) for t in placed]
    return [
        PageTranslation(page.serialize(), r["blocks"], r["sentences"], r["tags"])
        for page, r in zip(pages, results, strict=True)
    ]


def _resolved(sentence: SentenceTranslation, spans: Sequence[Span], links: WordLinks) -> bool:
    """Whether every tag in ``sentence`` is placed by ``links`` alone: it covers the whole
    sentence, or each of its words (or, for a point, the word before it) has a link."""
    linked = {f for f, _ in links.pairs}
    for span in spans:
        start, end = span.start - sentence.start, span.end - sentence.start
        if end < 0 or start > sentence.end - sentence.start:
            continue
        inside = [i for i, (a, b) in enumerate(links.fr) if a < end and b > start]
        if span.opaque or not inside:
            before = [i for i, (_, b) in enumerate(links.fr) if b <= start]
            if before and before[-1] not in linked:
                return False
            continue
        if len(inside) == len(links.fr):
            continue
        if any(i not in linked for i in inside):
            return False
    return True


def _record(block: int, fr: str, en: str, p: Placement) -> TagPlacement:
    return TagPlacement(
        block,
        p.tag,
        p.fr_start,
        p.fr_end,
        fr[p.fr_start : p.fr_end],
        p.en_start,
        p.en_end,
        en[p.en_start : p.en_end],
        p.how,
    )
