"""A second pass: the translation model places sentences the search left unmatched."""

from __future__ import annotations

from collections.abc import Callable, Sequence

from mt.records import Link

# mean log-probability per token of each English text given its French text (None: not scored)
Scorer = Callable[[Sequence[str], Sequence[str]], Sequence[float | None]]


def absorb_unmatched(
    links: list[Link], fr: Sequence[str], en: Sequence[str], scorer: Scorer
) -> list[Link]:
    """Merge 1-0 / 0-1 beads into a neighbour when the translation model says they belong there.

    The dynamic programme leaves a sentence unmatched when its words and length fit neither
    neighbour well: short or loosely translated sentences (a line of verse, a reply) that the
    gold merges. For each such sentence and each neighbouring bead with both sides, compare
    the neighbour's score with the merged bead's: if the sentence raises the mean
    log-probability per token of the English given the French, it is part of that bead.
    The best-raising neighbour wins; a sentence that raises neither stays unmatched.
    """
    candidates: list[tuple[int, int]] = []  # (unmatched bead, neighbour)
    pairs: list[tuple[str, str]] = []  # each neighbour's text without and with the sentence
    for k, link in enumerate(links):
        if bool(link.fr) == bool(link.en):
            continue
        for j in (k - 1, k + 1):
            if not 0 <= j < len(links) or not (links[j].fr and links[j].en):
                continue
            candidates.append((k, j))
            pairs.append(_bead_text(links[j].fr, links[j].en, fr, en))
            pairs.append(
                _bead_text(sorted(links[j].fr + link.fr), sorted(links[j].en + link.en), fr, en)
            )
    if not candidates:
        return links
    scores = scorer([a for a, _ in pairs], [b for _, b in pairs])
    best: dict[int, tuple[float, int]] = {}  # unmatched bead -> (gain, neighbour)
    for c, (k, j) in enumerate(candidates):
        before, after = scores[2 * c], scores[2 * c + 1]
        if before is None or after is None or after <= before:
            continue
        if k not in best or after - before > best[k][0]:
            best[k] = (after - before, j)
    out = list(links)
    for k, (_, j) in sorted(best.items()):
        # a bead can take a sentence from each side: merge into what it has become so far
        target = out[j]
        out[j] = Link(
            sorted(target.fr + links[k].fr),
            sorted(target.en + links[k].en),
            round(target.score + links[k].score, 3),
        )
        out[k] = Link([], [], 0.0)
    return [link for link in out if link.fr or link.en]


def _bead_text(
    fr_idx: list[int], en_idx: list[int], fr: Sequence[str], en: Sequence[str]
) -> tuple[str, str]:
    return " ".join(fr[i] for i in fr_idx), " ".join(en[j] for j in en_idx)
