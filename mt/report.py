"""Human-readable rendering of garble reports for the terminal."""

from __future__ import annotations

from mt.garble import Change, SentenceReport


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
