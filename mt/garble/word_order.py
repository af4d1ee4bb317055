"""Two neighbouring words swapped, judged by the French bigram table."""

from __future__ import annotations

from mt.garble.base import WORD
from mt.records import Flag
from mt.text import lm

# Swapping two neighbours must make the sentence this many nats more likely to count.
WORD_ORDER_GAIN = 7.0
RARE_PAIR = 8.0  # log(count + 1) of the pair as written, at most
SWAP_MARGIN = 2.0  # the swapped pair's log count must exceed it by this much


def detect(text: str) -> list[Flag]:
    if not lm.available():
        return []
    matches = list(WORD.finditer(text))
    words = [m.group().lower() for m in matches]
    flags: list[Flag] = []
    for i in range(len(matches) - 1):
        a, b = matches[i], matches[i + 1]
        if text[a.end() : b.start()] != " " or not (a.group().islower() and b.group().islower()):
            continue
        if flags and flags[-1].end > a.start():
            continue
        wa, wb = words[i], words[i + 1]
        # the pair as written must not be common, and its swap clearly more so: sparse
        # counts of rare words otherwise make any reordering look better
        if (
            lm.log_count(wa, wb) > RARE_PAIR
            or lm.log_count(wb, wa) < lm.log_count(wa, wb) + SWAP_MARGIN
        ):
            continue
        gain = lm.swap_gain(words, i)
        if gain >= WORD_ORDER_GAIN:
            flags.append(
                Flag(
                    "word_order",
                    a.start(),
                    b.end(),
                    text[a.start() : b.end()],
                    f"'{b.group()} {a.group()}' reads far more naturally (+{gain:.1f} nats)",
                    round(min(0.9, 0.2 + gain / 20), 2),
                    f"{b.group()} {a.group()}",
                )
            )
    return flags
