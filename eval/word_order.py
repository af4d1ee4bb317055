"""The word-order classifier's flag probability, swept on the dev halves only.

    python eval/word_order.py

For each flag probability (``mt.garble.word_order.FLAG_AT``), on the dev halves of the three
garble benchmarks (``eval/garble_heldout.py``'s web damage and hand-labelled sets, and
``eval/garble.py``'s own): the share of swapped pairs the detector finds, and the share of
clean sentences it flags. The test halves are not read.
"""

from __future__ import annotations

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from garble_heldout import Item, halves, hand_items, own_items, web_items

from mt.garble.word_order import swap_probabilities

LEVELS = [0.5, 0.7, 0.8, 0.85, 0.9, 0.93, 0.95, 0.96, 0.97, 0.98, 0.99]


def strongest(item: Item, at_damage: bool) -> float:
    """The highest swap probability in the sentence (at the damage only, if asked)."""
    return max(
        (
            p
            for start, end, p in swap_probabilities(item.text)
            if not at_damage or (start < item.end and item.start < end)
        ),
        default=0.0,
    )


def main() -> None:
    web_dev, _ = halves(web_items(29))
    hand_dev, _ = halves(hand_items())
    own = own_items(13)
    sets = {
        "independent": web_dev + hand_dev,
        "all three": web_dev + hand_dev + own[: len(own) // 2],
    }
    found = {}
    for name, items in sets.items():
        swaps = [strongest(i, True) for i in items if i.type == "word_order"]
        clean = [strongest(i, False) for i in items if i.type is None]
        found[name] = (swaps, clean)
    print(
        "| flag probability | swaps found, independent dev | clean flagged, independent dev "
        "| swaps found, all three dev | clean flagged, all three dev |"
    )
    print("|---:|---:|---:|---:|---:|")
    for level in LEVELS:
        cells = []
        for swaps, clean in found.values():
            cells += [
                f"{sum(p >= level for p in swaps) / len(swaps):.2f}",
                f"{sum(p >= level for p in clean) / len(clean):.1%}",
            ]
        print(f"| {level} | " + " | ".join(cells) + " |")


if __name__ == "__main__":
    main()
