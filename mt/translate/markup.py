"""HTML translated with its markup kept: every tag, comment and entity stays where it is, and
the text between tags is translated run by run. Text inside ``script``, ``style``, ``code``,
``pre`` and ``textarea`` is left as it is. A sentence that a tag splits is translated in pieces.
"""

from __future__ import annotations

import html
import re
from collections.abc import Callable, Sequence

# a comment, a doctype or processing instruction, or a tag (quoted attributes may hold ">")
_MARKUP = re.compile(
    r"<!--.*?(?:-->|\Z)|<[!?][^>]*>?|</?[A-Za-z][^\s/>]*(?:\"[^\"]*\"|'[^']*'|[^'\">])*>?",
    re.DOTALL,
)
_TAG_NAME = re.compile(r"</?\s*([A-Za-z][^\s/>]*)")
RAW_TEXT = frozenset({"script", "style", "code", "pre", "textarea"})
_LETTER = re.compile(r"[^\W\d_]")


def pieces(source: str) -> list[tuple[bool, str]]:
    """``source`` as (is_markup, text) pieces; joined, they give ``source`` back exactly."""
    out: list[tuple[bool, str]] = []
    at = 0
    for m in _MARKUP.finditer(source):
        if m.start() > at:
            out.append((False, source[at : m.start()]))
        out.append((True, m.group()))
        at = m.end()
    if at < len(source):
        out.append((False, source[at:]))
    return out


def translatable(source: str) -> list[tuple[bool, str]]:
    """Pieces of ``source`` marked for translation (True): text runs with a letter, outside
    the elements whose text is code."""
    inside: list[str] = []
    out = []
    for markup, text in pieces(source):
        if markup:
            m = _TAG_NAME.match(text)
            name = m.group(1).lower() if m else ""
            if name in RAW_TEXT and not text.endswith("/>"):
                if text.startswith("</"):
                    if name in inside:
                        del inside[len(inside) - 1 - inside[::-1].index(name) :]
                else:
                    inside.append(name)
            out.append((False, text))
        else:
            out.append((not inside and bool(_LETTER.search(text)), text))
    return out


def translate_html(
    sources: Sequence[str], translate: Callable[[list[str]], list[str]]
) -> list[str]:
    """Each HTML text of ``sources`` with its text runs translated by ``translate`` (one call
    for all runs of all texts); markup, entities' places and surrounding space are kept."""
    planned = [translatable(s) for s in sources]
    runs = [html.unescape(text.strip()) for plan in planned for t, text in plan if t]
    done = iter(translate(runs))
    out = []
    for plan in planned:
        parts = []
        for t, text in plan:
            if t:
                lead = text[: len(text) - len(text.lstrip())]
                trail = text[len(text.rstrip()) :]
                parts.append(lead + html.escape(next(done), quote=False) + trail)
            else:
                parts.append(text)
        out.append("".join(parts))
    return out
