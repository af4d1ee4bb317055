"""Two words glued together: ``Khersonsous`` (a link's text and the next word)."""

from __future__ import annotations

from mt.garble.base import WORD
from mt.records import Flag
from mt.text.lexicon import known, zipf

# Short words that machine translation glues to a neighbour ("Khersonsous" = "Kherson sous").
_GLUE_WORDS = frozenset(
    """sous dans pour avec sur par de des du la le les et ou en au aux à qui que mais contre
    entre après avant depuis pendant vers chez sans selon lors où est a ont sont un une ce""".split()
)
# After a name, only prepositions and conjunctions count (not "est", "ont": "Ornest").
_NAME_GLUE = _GLUE_WORDS - {"est", "ont", "sont", "une"}
# Word endings and prefixes that make a rare word look like two ("mineront" = "miner ont").
_SUFFIXES = frozenset(
    """ont ons ions ez iez ent aient ait ais ant ment ements er eur eurs euse ité age isme iste
    able ible eau aux rent ra ras rez rons ront ments rais rait rions ai ira eux""".split()
)
_PREFIXES = frozenset(
    "bio dés dé re ré pré anti auto micro macro multi néo post pro sous super inter extra hyper "
    "mini ultra semi co contre sur in".split()
)


def _part_ok(part: str, z: float) -> bool:
    """Whether a piece of a split is a plausible word on its own (short pieces must be common)."""
    if len(part) >= 4:
        return z >= 2.5
    if len(part) >= 2:
        return z >= 4.0
    return part in {"à", "a", "y"}


def _split_merged(word: str, initial: bool = False) -> tuple[str, str] | None:
    """Best split of an unknown word into two known words, or None.

    ``initial``: the word starts the sentence, so a capital does not make it a name.
    """
    best: tuple[float, str, str] | None = None
    capital = word[:1].isupper()
    for i in range(1, len(word)):
        left, right = word[:i], word[i:]
        zl, zr = zipf(left, "fr"), zipf(right, "fr")
        plain = (
            _part_ok(left, zl)
            and _part_ok(right, zr)
            and zr >= zipf(right, "en")  # "fourballs" is English, not two French words
            and right.lower() not in _SUFFIXES
            and left.lower() not in _PREFIXES
        )
        if capital:
            # a name glued to a short word ("Khersonsous"), or two words at a sentence start
            name = max(zl, zipf(left, "en"))
            ok = (len(left) >= 3 and name >= 1.5 and len(right) >= 3 and right in _NAME_GLUE) or (
                initial and plain and zl >= 3.5
            )
        else:
            ok = plain
        if ok:
            score = min(zl, zr)
            if best is None or score > best[0]:
                best = (score, left, right)
    return (best[1], best[2]) if best else None


# longest token read as two words glued together: French words run to 25 letters
# ("anticonstitutionnellement"); a longer token is not two of them, and trying every split of
# it would look up every prefix and suffix, which grows with the square of its length
MAX_MERGED = 50


def detect(text: str) -> list[Flag]:
    flags = []
    for m in WORD.finditer(text):
        word = m.group()
        if not 6 <= len(word) <= MAX_MERGED or known(word) or word.isupper():
            continue
        initial = m.start() < 4 and not text[: m.start()].strip(" \"“«'-—")
        split = _split_merged(word, initial=initial)
        if split:
            flags.append(
                Flag(
                    "merged_token",
                    m.start(),
                    m.end(),
                    word,
                    f"unknown word; reads as '{split[0]} {split[1]}'",
                    0.9,
                    f"{split[0]} {split[1]}",
                )
            )
    return flags
