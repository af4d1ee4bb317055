"""An HTML page as blocks of text with their inline tags, parsed with lxml.

Block elements (``p``, ``h1``–``h6``, ``li``, ``td``, ``div`` …) hold paragraphs; a paragraph's
text is the text of its run of inline content with whitespace collapsed, and each inline
element over it (``a``, ``b``, ``em``, ``span`` …) is a :class:`Span` of character offsets in
that text. Opaque inline elements (``img``, ``br``, ``code``, comments …) are kept whole and sit
at a point of the text. Nothing inside ``script``, ``style``, ``pre``, ``code`` and the like is
translated, nor any attribute except ``alt`` and ``title`` when asked.
"""

from __future__ import annotations

import html
import re
from dataclasses import dataclass, field
from typing import Any

import lxml.html
from lxml import etree

from mt.errors import InputError

# elements whose text runs inside a sentence
INLINE = frozenset(
    "a abbr acronym b bdi bdo big cite data del dfn em font i ins label mark q rp rt ruby s "
    "small span strike strong sub sup time tt u".split()
)
# elements kept whole where they stand inside a sentence: their content is never translated
OPAQUE = frozenset(
    "br wbr img input button select svg math code kbd samp var iframe object embed audio "
    "video canvas picture script style noscript template textarea".split()
)
# elements whose content is never translated, wherever they stand
SKIP = frozenset("script style pre code kbd samp var textarea svg math template noscript".split())
ATTRIBUTES = ("alt", "title")
_SPACE = re.compile(r"\s+")
_LETTER = re.compile(r"[^\W\d_]")
_DOCUMENT = re.compile(
    r"^\s*(?:<\?xml[^>]*>\s*)?(?:<!--.*?-->\s*)*<(?:!doctype|html)\b", re.I | re.S
)


_HTML_START = re.compile(
    r"\s*<(?:!doctype|!--|html|head|body|p|div|article|section|main|header|h[1-6]|ul|ol|li|"
    r"table|blockquote|span|a|b|i|em|strong|figure|br)\b",
    re.I,
)
HTML_SUFFIXES = (".html", ".htm", ".xhtml")
FORMATS = ("text", "html", "auto")


def is_document(text: str) -> bool:
    """Whether ``text`` is a whole HTML document (a doctype or an ``html`` element first)."""
    return bool(_DOCUMENT.match(text))


def looks_like_html(text: str) -> bool:
    """Whether ``text`` opens with HTML markup (a doctype, a comment or a common element)."""
    return bool(_HTML_START.match(text))


def input_format(requested: str, text: str, name: str | None = None) -> str:
    """``text`` or ``html``: ``requested`` unless it is ``auto``, then by ``name``'s extension,
    then by whether the content opens with markup."""
    if requested not in FORMATS:
        raise InputError(f"unknown input format '{requested}' (choose text, html or auto)")
    if requested != "auto":
        return requested
    if name and name.lower().endswith(HTML_SUFFIXES):
        return "html"
    return "html" if looks_like_html(text) else "text"


@dataclass
class Span:
    """An inline element over ``text[start:end]`` of its block; ``parent`` indexes the span it
    sits in (None at the top). An opaque element has ``start == end`` and ``opaque`` set."""

    element: Any
    start: int
    end: int
    parent: int | None
    opaque: bool = False

    @property
    def tag(self) -> str:
        tag = self.element.tag
        return tag if isinstance(tag, str) else "#comment"


@dataclass
class Block:
    """One paragraph of a page: its text, its inline spans and where it lives in the tree."""

    text: str
    spans: list[Span]
    parent: Any  # the element holding the run
    before: Any  # the child whose tail starts the run (None: the parent's text)
    items: list[Any]  # the inline children of ``parent`` in the run, in order
    lead: str = ""  # whitespace before and after the text, kept as it was
    trail: str = ""
    # for each character of ``text``: the element, slot (text, tail) and index it came from
    origin: list[tuple[Any, str, int]] = field(default_factory=list)

    @property
    def translatable(self) -> bool:
        return bool(_LETTER.search(self.text))


@dataclass
class Attribute:
    """An ``alt`` or ``title`` attribute to translate."""

    element: Any
    name: str
    text: str


@dataclass
class Page:
    """A parsed page: its tree, its blocks and, when asked, its translatable attributes."""

    root: Any
    document: bool  # a whole document (doctype, html element) rather than a fragment
    doctype: str | None
    blocks: list[Block]
    attributes: list[Attribute] = field(default_factory=list)
    lead: str = ""  # the source's white space before and after its markup (lxml drops it)
    trail: str = ""

    def serialize(self) -> str:
        """The page as HTML: a document with its doctype, or a fragment's content."""
        if self.document:
            body = lxml.html.tostring(self.root, encoding="unicode", method="html")
            out = (self.doctype + "\n" if self.doctype else "") + body
        else:
            out = html.escape(self.root.text or "", quote=False) + "".join(
                lxml.html.tostring(child, encoding="unicode", method="html") for child in self.root
            )
        return self.lead + out.strip() + self.trail if out.strip() else out


def tag_of(element: Any) -> str:
    """An element's lower-case tag name ('#comment' for comments and instructions)."""
    tag = element.tag
    return tag.lower() if isinstance(tag, str) else "#comment"


def _inline(element: Any) -> bool:
    """Whether an element runs inside a sentence: an inline tag holding only inline content."""
    tag = tag_of(element)
    if tag == "#comment" or tag in OPAQUE:
        return True
    if tag not in INLINE:
        return False
    return all(_inline(child) for child in element)


def parse(source: str, *, attributes: bool = False) -> Page:
    """Parse HTML (a whole document or a fragment) into blocks of translatable text."""
    if not isinstance(source, str):
        raise InputError("HTML input must be text")
    if "\x00" in source:
        raise InputError("HTML input holds a NUL character")
    document = is_document(source)
    parser = lxml.html.HTMLParser()
    try:
        if document:
            root = lxml.html.document_fromstring(source, parser=parser)
            doctype = getattr(root.getroottree().docinfo, "doctype", None) or None
        else:
            root = lxml.html.fragment_fromstring(source, create_parent="div", parser=parser)
            doctype = None
    except (etree.ParserError, ValueError) as exc:
        raise InputError(f"could not parse the HTML: {exc}") from None
    # libxml2 stops reading below a depth limit: the text down there would be lost unsaid
    if any(e.type_name == "ERR_RESOURCE_LIMIT" for e in parser.error_log):
        raise InputError(
            "the HTML nests elements deeper than it can be read (256 levels); "
            "text nested deeper would be lost"
        )
    blocks: list[Block] = []
    _walk(root, blocks)
    found = []
    if attributes:
        for el in root.iter():
            if not isinstance(el.tag, str):
                continue
            for name in ATTRIBUTES:
                value = el.get(name)
                if value and _LETTER.search(value):
                    found.append(Attribute(el, name, value))
    lead = source[: len(source) - len(source.lstrip())]
    trail = source[len(source.rstrip()) :]
    return Page(root, document, doctype, blocks, found, lead, trail)


def _walk(element: Any, blocks: list[Block]) -> None:
    """Collect the runs of inline content of ``element`` and of its block descendants."""
    if tag_of(element) in SKIP:
        return
    run: list[Any] = []
    before = None
    for child in element:
        if _inline(child):
            run.append(child)
            continue
        _close(element, before, run, blocks)
        _walk(child, blocks)
        before, run = child, []
    _close(element, before, run, blocks)


def _close(parent: Any, before: Any, items: list[Any], blocks: list[Block]) -> None:
    """Make a block of the run that starts at ``before``'s tail (or ``parent``'s text)."""
    raw: list[str] = []  # the run's characters as parsed
    origin: list[tuple[Any, str, int]] = []  # where each came from: element, slot, index
    spans: list[Span] = []

    def add(el: Any, slot: str, text: str | None) -> None:
        if text:
            raw.extend(text)
            origin.extend([(el, slot, i) for i in range(len(text))])

    def visit(el: Any, parent_span: int | None) -> None:
        tag = tag_of(el)
        if tag in OPAQUE or tag == "#comment":
            spans.append(Span(el, len(raw), len(raw), parent_span, opaque=True))
            if tag == "br":  # a line break reads as a space: the words either side stay apart
                raw.append(" ")
                origin.append((el, "tag", 0))
        else:
            k = len(spans)
            spans.append(Span(el, len(raw), len(raw), parent_span))
            add(el, "text", el.text)
            for child in el:
                visit(child, k)
            spans[k].end = len(raw)
        add(el, "tail", el.tail)

    if before is not None:
        add(before, "tail", before.tail)
    else:
        add(parent, "text", parent.text)
    for item in items:
        visit(item, None)
    whole = "".join(raw)
    if not whole.strip() and not spans:
        return
    # runs of white space become one space, as a browser shows them, and the ends are stripped
    first = len(whole) - len(whole.lstrip())
    last = len(whole.rstrip())
    kept: list[int] = []
    new_at = [0] * (len(whole) + 1)
    for i, c in enumerate(whole):
        new_at[i] = len(kept)
        if first <= i < last and not (c.isspace() and i > first and whole[i - 1].isspace()):
            kept.append(i)
    new_at[len(whole)] = len(kept)
    text = "".join(" " if whole[i].isspace() else whole[i] for i in kept)
    for s in spans:
        s.start, s.end = new_at[s.start], new_at[s.end]
    lead = whole[:first]
    trail = whole[last:] if whole.strip() else ""
    block = Block(text, spans, parent, before, list(items), lead, trail)
    block.origin = [origin[i] for i in kept]
    blocks.append(block)
