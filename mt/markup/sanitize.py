"""Pages made safe to show: an allowlist of tags and attributes (the Ammonia sanitizer, through
nh3), no scripts, styles, event handlers, images or ``javascript:`` links."""

from __future__ import annotations

import html

import lxml.html
import nh3
from lxml import etree

from mt.markup.page import is_document, looks_like_html

# images would make the viewer fetch whatever the page points at
TAGS = frozenset(nh3.ALLOWED_TAGS) - {"img", "map", "area"}


def _body(page: str) -> str:
    """A whole document's body content; a fragment as it is."""
    if not is_document(page):
        return page
    try:
        root = lxml.html.document_fromstring(page)
    except (ValueError, etree.ParserError):
        return page
    body = root.find("body")
    if body is None:
        return ""
    head = body.text or ""
    return html.escape(head, quote=False) + "".join(
        lxml.html.tostring(child, encoding="unicode") for child in body
    )


def sanitize(page: str) -> str:
    """``page`` (a document or a fragment, HTML or plain text) as HTML safe to show."""
    if not looks_like_html(page) and "<" not in page:
        return "".join(
            f"<p>{html.escape(p, quote=False)}</p>" for p in page.split("\n\n") if p.strip()
        )
    return nh3.clean(
        _body(page),
        tags=set(TAGS),
        url_schemes={"http", "https", "mailto"},
        link_rel="noopener noreferrer nofollow",
    )
