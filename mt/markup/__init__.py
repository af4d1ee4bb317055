"""HTML in and out: pages parsed into blocks of text with inline tags (:mod:`.page`), the tags
carried onto the English (:mod:`.project`, :mod:`.render`), markup damage found and repaired
(:mod:`.checks`), and pages made safe to show (:mod:`.sanitize`)."""

from mt.markup.page import Block, Page, Span, parse
from mt.markup.translate import translate_pages
from mt.records import PageTranslation, TagPlacement

__all__ = ["Block", "Page", "PageTranslation", "Span", "TagPlacement", "parse", "translate_pages"]
