"""Human-readable rendering of garble reports for the terminal."""

from __future__ import annotations

import html
import json
from typing import Any

from mt.records import Change, SentenceReport
from mt.score import source_marks, translation_marks


def mark_spans(text: str, spans: list[tuple[int, int]], *, color: bool) -> str:
    """Surround each span with ``[[ ]]`` (or reverse video on a terminal)."""
    opening, closing = ("\x1b[7m", "\x1b[0m") if color else ("[[", "]]")
    out, pos = [], 0
    for start, end in sorted(set(spans)):
        if start < pos:
            continue  # overlapping spans: the first one is marked
        out += [text[pos:start], opening, text[start:end], closing]
        pos = end
    out.append(text[pos:])
    return "".join(out)


def format_report(rep: SentenceReport, *, color: bool = False) -> str:
    """One sentence: score and marked text, then one line per flag."""
    if rep.language != "fr":
        return f"#{rep.index} language {rep.language}: not checked\n  {rep.text}\n"
    status = "FLAGGED" if rep.flagged else "ok"
    model = f", model log-prob {rep.model_logprob:.2f}" if rep.model_logprob is not None else ""
    lines = [f"#{rep.index} {status} garble {rep.garble_score:.2f}{model}"]
    lines.append("  " + mark_spans(rep.text, [(f.start, f.end) for f in rep.flags], color=color))
    for f in rep.flags:
        fix = f" -> {f.suggestion!r}" if f.suggestion is not None else ""
        lines.append(f"  - {f.type} {f.text!r}{fix} ({f.confidence:.2f}): {f.reason}")
    return "\n".join(lines) + "\n"


def format_change(change: Change) -> str:
    """One applied repair."""
    return f"repaired {change.type} at {change.start}: {change.before!r} -> {change.after!r}"


def _highlight_html(text: str, flags: list[dict[str, Any]]) -> str:
    """The sentence with each flagged span in a <mark> whose title explains it."""
    out, pos = [], 0
    for f in sorted(flags, key=lambda f: int(f["start"])):
        start, end = int(f["start"]), int(f["end"])
        if start < pos:
            continue
        tip = f"{f['type']}: {f['reason']}"
        if f.get("suggestion") not in (None, ""):
            tip += f" → {f['suggestion']}"
        out += [
            html.escape(text[pos:start]),
            f'<mark class="flag {html.escape(str(f["type"]))}" title="{html.escape(tip)}">',
            html.escape(text[start:end]),
            "</mark>",
        ]
        pos = end
    out.append(html.escape(text[pos:]))
    return "".join(out)


_CSS = """
body{font:15px/1.45 system-ui,sans-serif;margin:2rem auto;max-width:1200px;color:#222}
h1{font-size:1.4rem}.summary{color:#555;margin-bottom:1rem}
table{border-collapse:collapse;width:100%}td,th{border-bottom:1px solid #ddd;padding:.5rem;
vertical-align:top;text-align:left}th{background:#f5f5f5}td.q{font-variant-numeric:tabular-nums}
tr.flagged td.q{color:#b00020;font-weight:600}mark{background:#ffe08a;border-radius:3px}
mark.untranslated{background:#c8e1ff}mark.invented{background:#e8d0ff}mark.unlikely{background:#ffd8b0}
mark.lost{background:#ffd2cc}
.reasons{color:#b00020;font-size:.85em}
.page{display:grid;grid-template-columns:1fr 1fr;gap:1rem;margin:1rem 0}
.page iframe{width:100%;height:360px;border:1px solid #ddd}.page h2{font-size:1rem;margin:0}
"""
_FRAME_CSS = "<style>body{font:14px/1.5 system-ui,sans-serif;margin:.6rem}</style>"


def _page_view(page: dict[str, Any] | None) -> str:
    """An HTML document's page beside its translation, sanitised, in frames that run nothing."""
    if not page:
        return ""
    from mt.markup.sanitize import sanitize

    frames = "".join(
        f"<div><h2>{label}</h2><iframe sandbox referrerpolicy=no-referrer "
        f'srcdoc="{html.escape(_FRAME_CSS + sanitize(body))}"></iframe></div>'
        for label, body in (("French page", page["source"]), ("English page", page["translation"]))
    )
    warnings = "".join(f"<div class=reasons>{html.escape(w)}</div>" for w in page["warnings"])
    return f"<div class=page>{frames}</div>{warnings}"


def html_report(doc: dict[str, Any]) -> str:
    """A self-contained HTML page for one processed document (worst sentences first)."""
    sentences = sorted(doc["sentences"], key=lambda s: s["quality"])
    summary = doc["summary"]
    rows = []
    for s in sentences:
        cls = ' class="flagged"' if s["flagged"] else ""
        ref = html.escape(s["reference"]) if s.get("reference") else ""
        french = s["flags"] + source_marks(s["source"], s["translation"], s["repaired"])
        english = translation_marks(s["repaired"], s["translation"], s.get("unlikely", ()))
        rows.append(
            f"<tr{cls}><td class=q>{s['quality']:.2f}</td><td>{s['index']}</td>"
            f"<td>{_highlight_html(s['source'], french)}</td>"
            f"<td>{_highlight_html(s['translation'], english)}"
            f"<div class=reasons>{html.escape('; '.join(s['reasons']))}</div></td><td>{ref}</td></tr>"
        )
    title = html.escape(str(doc["name"]))
    return (
        f"<!doctype html><html lang=en><meta charset=utf-8><title>{title}</title><style>{_CSS}</style>"
        f"<h1>{title}</h1><div class=summary>{html.escape(json.dumps(summary, ensure_ascii=False))}</div>"
        + _page_view(doc.get("page"))
        + "<table><tr><th>quality</th><th>#</th><th>French</th><th>English</th><th>reference</th></tr>"
        + "".join(rows)
        + "</table></html>\n"
    )
