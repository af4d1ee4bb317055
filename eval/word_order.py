"""The word-order detector's conditions, swept on the dev halves only.

    python eval/word_order.py

For each setting of ``mt.garble.word_order``'s three conditions (the pair as written at most
``RARE_PAIR`` in log count, its swap at least ``SWAP_MARGIN`` above it, and a swap gain of at
least ``WORD_ORDER_GAIN`` nats over the three bigrams it changes), on the dev halves of the
three garble benchmarks (``eval/garble_heldout.py``'s web damage and hand-labelled sets, and
``eval/garble.py``'s own): the share of swapped pairs the detector finds, and the share of
clean sentences it flags. The test halves are not read.
"""

from __future__ import annotations

import itertools
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from garble_heldout import halves, hand_items, own_items, web_items

import mt.garble.word_order as word_order

RARE = [1.8, 3.0, 4.0, 6.0, 8.0]
MARGIN = [1.0, 1.5, 2.0, 3.0]
GAIN = [5.0, 7.0, 9.0]


def main() -> None:
    web_dev, _ = halves(web_items(29))
    hand_dev, _ = halves(hand_items())
    own = own_items(13)
    sets = {
        "independent": web_dev + hand_dev,
        "all three": web_dev + hand_dev + own[: len(own) // 2],
    }
    print(
        "| RARE_PAIR | SWAP_MARGIN | WORD_ORDER_GAIN | swaps found, independent dev | clean "
        "flagged, independent dev | swaps found, all three dev | clean flagged, all three dev |"
    )
    print("|---:|---:|---:|---:|---:|---:|---:|")
    for rare, margin, gain in itertools.product(RARE, MARGIN, GAIN):
        word_order.RARE_PAIR, word_order.SWAP_MARGIN, word_order.WORD_ORDER_GAIN = (
            rare,
            margin,
            gain,
        )
        cells = []
        for items in sets.values():
            swaps = [i for i in items if i.type == "word_order"]
            found = sum(
                any(f.start < i.end and i.start < f.end for f in word_order.detect(i.text))
                for i in swaps
            )
            clean = [i for i in items if i.type is None]
            flagged = sum(bool(word_order.detect(i.text)) for i in clean)
            cells += [f"{found / len(swaps):.2f}", f"{flagged / len(clean):.1%}"]
        print(f"| {rare} | {margin} | {gain} | " + " | ".join(cells) + " |")


if __name__ == "__main__":
    main()
