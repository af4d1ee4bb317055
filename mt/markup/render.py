"""A block's inline content written anew: the English text, with each inline element of the
French put back over the English span it was placed on (:mod:`mt.markup.project`)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from mt.markup.page import Block
from mt.markup.project import Placement


def rewrite(block: Block, english: str, placed: Sequence[Placement]) -> None:
    """Replace ``block``'s run in its tree by ``english`` with its elements at ``placed``."""
    parent = block.parent
    if block.items:
        index = parent.index(block.items[0])
    else:
        index = parent.index(block.before) + 1 if block.before is not None else 0
    for item in block.items:
        parent.remove(item)  # the tail goes with it: it is written anew below
    for span in block.spans:
        el = span.element
        if not span.opaque:
            el.text = None
            for child in list(el):
                el.remove(child)
        el.tail = None
    children: dict[int | None, list[int]] = {}
    for k, span in enumerate(block.spans):
        children.setdefault(span.parent, []).append(k)
    for kids in children.values():
        kids.sort(key=lambda k: (placed[k].en_start, placed[k].en_end > placed[k].en_start, k))

    def fill(kids: list[int], lo: int, hi: int, put_text: Any, insert: Any) -> Any:
        """Write ``english[lo:hi]`` around ``kids``; returns the setter of the last text."""
        put_text(english[lo : placed[kids[0]].en_start] if kids else english[lo:hi])
        setter = put_text
        for n, k in enumerate(kids):
            span = block.spans[k]
            p = placed[k]
            insert(span.element)
            if not span.opaque:
                inner = children.get(k, [])
                fill(inner, p.en_start, p.en_end, _text_of(span.element), _append_to(span.element))
            nxt = placed[kids[n + 1]].en_start if n + 1 < len(kids) else hi
            setter = _tail_of(span.element)
            setter(english[p.en_end : nxt])
        return setter

    first = _tail_of(block.before) if block.before is not None else _text_of(parent)

    def put_first(text: str) -> None:
        first(block.lead + text)

    put_first.element, put_first.slot = first.element, first.slot  # type: ignore[attr-defined]

    at = [index]

    def insert_top(el: Any) -> None:
        parent.insert(at[0], el)
        at[0] += 1

    last = fill(children.get(None, []), 0, len(english), put_first, insert_top)
    if block.trail:
        last(_current(last) + block.trail)


def _text_of(el: Any) -> Any:
    def put(text: str) -> None:
        el.text = text or None

    put.element, put.slot = el, "text"  # type: ignore[attr-defined]
    return put


def _tail_of(el: Any) -> Any:
    def put(text: str) -> None:
        el.tail = text or None

    put.element, put.slot = el, "tail"  # type: ignore[attr-defined]
    return put


def _append_to(el: Any) -> Any:
    return el.append


def _current(setter: Any) -> str:
    el = getattr(setter, "element", None)
    if el is None:
        return ""
    return (el.text if setter.slot == "text" else el.tail) or ""
