"""Garble-detection benchmark: synthetic corruptions of clean news French + the sample's real errors.

    python eval/garble.py                 # newstest2013 + ntrex128 French, README table on stdout

Half of the clean sentences are corrupted, one corruption each, the way machine translators
damage text (types in CORRUPTIONS); the other half stay clean. The second half of the set (test)
is reported at ``mt.garble.FLAG_THRESHOLD``: per-type precision/recall, sentence-level F1,
ROC-AUC and the false-positive rate. The first half (dev) is one of the dev halves that
``eval/garble_heldout.py`` fits the calibration and the threshold on.
"""

from __future__ import annotations

import argparse
import itertools
import random
import re
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from mt.garble import FLAG_THRESHOLD, SentenceReport, check_sentence, repair

ROOT = Path(__file__).resolve().parent.parent
DATA = ROOT.parent / "shared" / "data" / "eval"
SAMPLE = ROOT / "examples" / "sky-news-2022-11-nato-fr.txt"


@dataclass(frozen=True)
class Case:
    text: str
    type: str | None  # None: clean
    start: int = 0
    end: int = 0


Corruption = Callable[[str, random.Random], Case | None]
_WORD = re.compile(r"[A-Za-zÀ-ÖØ-öø-ÿŒœ]+")
_GLUE = ["sous", "dans", "pour", "avec", "sur", "par", "entre", "contre", "après", "depuis"]


def _merged(s: str, rng: random.Random) -> Case | None:
    # a word glued to the next word (often a preposition), as in "Khersonsous"
    spots = [m for m in re.finditer(r"([A-Za-zÀ-ÿ]{3,}) ([a-zà-ÿ]{2,})\b", s)]
    glued = [m for m in spots if m.group(2) in _GLUE] or spots
    if not glued:
        return None
    m = rng.choice(glued)
    out = s[: m.start()] + m.group(1) + m.group(2) + s[m.end() :]
    return Case(out, "merged_token", m.start(), m.start() + len(m.group(1) + m.group(2)))


def _stray(s: str, rng: random.Random) -> Case | None:
    spots = [m for m in re.finditer(r"(?<=[a-zà-ÿ,] )(la|le|les|un|une|des|du)(?= \w)", s)]
    if not spots:
        return None
    m = rng.choice(spots)
    return Case(
        s[: m.start()] + m.group().capitalize() + s[m.end() :], "stray_capital", m.start(), m.end()
    )


def _duplicate(s: str, rng: random.Random) -> Case | None:
    words = [m for m in _WORD.finditer(s) if m.group().islower() and m.start() > 0]
    if not words:
        return None
    m = rng.choice(words)
    out = s[: m.end()] + " " + m.group() + s[m.end() :]
    return Case(out, "duplicate_word", m.start(), m.end() * 2 - m.start() + 1)


_EN = {
    "selon": "according to",
    "avec": "with",
    "pendant": "during",
    "après": "after",
    "aussi": "also",
    "toujours": "always",
    "semaine": "week",
    "gouvernement": "government",
    "entreprise": "company",
    "ville": "city",
    "pays": "country",
    "aujourd'hui": "today",
    "seulement": "only",
    "personnes": "people",
    "contre": "against",
    "nouveau": "new",
    "enfants": "children",
    "plusieurs": "several",
    "maintenant": "now",
}


def _leak(s: str, rng: random.Random) -> Case | None:
    spots = [m for m in re.finditer(r"\b(" + "|".join(_EN) + r")\b", s)]
    if not spots:
        return None
    m = rng.choice(spots)
    en = _EN[m.group()]
    return Case(s[: m.start()] + en + s[m.end() :], "english_leak", m.start(), m.start() + len(en))


def _elision(s: str, rng: random.Random) -> Case | None:
    spots = [m for m in re.finditer(r"\b([lLdDjJsS]|qu|Qu)['’]([aeiouéèêàâîôAEIOUÉ][a-zà-ÿ]*)", s)]
    if not spots:
        return None
    m = rng.choice(spots)
    art = {"l": rng.choice(["le", "la"]), "d": "de", "j": "je", "s": "se", "qu": "que"}[
        m.group(1).lower()
    ]
    if m.group(1)[0].isupper():
        art = art.capitalize()
    new = f"{art} {m.group(2)}"
    return Case(s[: m.start()] + new + s[m.end() :], "bad_elision", m.start(), m.start() + len(new))


def _quotes(s: str, rng: random.Random) -> Case | None:
    # an opening quote rendered as a closing one after an apostrophe: d'”encourageante”
    spots = [m for m in re.finditer(r"\b([dl]['’])([a-zà-ÿ]{4,})", s)]
    if not spots:
        return None
    m = rng.choice(spots)
    new = f"{m.group(1)}”{m.group(2)}”"
    return Case(s[: m.start()] + new + s[m.end() :], "quote_mismatch", m.start() + 2, m.start() + 3)


def _space(s: str, rng: random.Random) -> Case | None:
    spots = [m for m in re.finditer(r"(?<=[a-zà-ÿ]{2})([,;:]) (?=[A-Za-zÀ-ÿ]{2})", s)]
    if not spots:
        return None
    m = rng.choice(spots)
    return Case(
        s[: m.start()] + m.group(1) + s[m.end() :], "missing_space", m.start(), m.start() + 2
    )


def _order(s: str, rng: random.Random) -> Case | None:
    words = list(re.finditer(r"\b[a-zà-ÿ]{3,}\b", s))
    pairs = [(a, b) for a, b in itertools.pairwise(words) if s[a.end() : b.start()] == " "]
    if not pairs:
        return None
    a, b = rng.choice(pairs)
    out = s[: a.start()] + b.group() + " " + a.group() + s[b.end() :]
    return Case(out, "word_order", a.start(), b.end())


def _qui(s: str, rng: random.Random) -> Case | None:
    # English "that Russia had ..." as "qui La Russie aurait ...": a subject relative before a
    # new subject, its article capitalised
    spots = [m for m in re.finditer(r"\bque (le|la|les|l['’])(?= ?[A-ZÀ-Ý])", s)]
    if not spots:
        return None
    m = rng.choice(spots)
    new = f"qui {m.group(1).capitalize()}"
    return Case(s[: m.start()] + new + s[m.end() :], "qui_subject", m.start(), m.start() + len(new))


def _compound(s: str, rng: random.Random) -> Case | None:
    # "le secrétaire général de l'OTAN" as "le OTAN Le secrétaire général": an English noun
    # compound ("the NATO Secretary-General") with both articles
    spots = list(
        re.finditer(
            r"\b(le|la|les) ([a-zà-ÿ]+(?: [a-zà-ÿ]+)?) (du|de la|des|de l['’]) ?([A-Z][A-Z0-9]+)\b",
            s,
        )
    )
    if not spots:
        return None
    m = rng.choice(spots)
    of = {"du": "le ", "de la": "la ", "des": "les "}.get(m.group(3), m.group(3)[-2:])
    new = f"{of}{m.group(4)} {m.group(1).capitalize()} {m.group(2)}"
    return Case(
        s[: m.start()] + new + s[m.end() :], "article_compound", m.start(), m.start() + len(new)
    )


def _metadata(s: str, rng: random.Random) -> Case | None:
    prefix = rng.choice(["date 2022-11", "mis à jour 2023-01-05", "publié 12/03/2021"])
    if not s[:1].isupper():
        return None
    return Case(f"{prefix} {s}", "metadata", 0, len(prefix))


CORRUPTIONS: dict[str, Corruption] = {
    "merged_token": _merged,
    "stray_capital": _stray,
    "duplicate_word": _duplicate,
    "english_leak": _leak,
    "bad_elision": _elision,
    "quote_mismatch": _quotes,
    "missing_space": _space,
    "word_order": _order,
    "metadata": _metadata,
    "qui_subject": _qui,
}
# Corruptions that fit few sentences, scored again on every sentence they fit (the second
# table). article_compound stays out of the cycle above, so that adding it left the first
# table's draw of corruptions as it was.
RARE: dict[str, Corruption] = {"qui_subject": _qui, "article_compound": _compound}

# The sample article's real errors, labelled by hand: (sentence index in mt.check, type, text).
SAMPLE_LABELS = [
    (0, "metadata", "date 2022-11"),
    (1, "merged_token", "Khersonsous"),
    (2, "quote_mismatch", "”"),
    (3, "article_compound", "le OTAN Le secrétaire général"),
    (10, "stray_capital", "La"),
    (10, "qui_subject", "qui La"),
]


def build(sentences: list[str], rng: random.Random) -> list[Case]:
    """Corrupt every other sentence, cycling through the corruption types."""
    cases = []
    types = list(CORRUPTIONS)
    k = 0
    for i, s in enumerate(sentences):
        if i % 2 == 0:
            cases.append(Case(s, None))
            continue
        # the type whose turn it is; when it cannot apply to this sentence, a random other type
        order = [types[k % len(types)], *rng.sample(types, len(types))]
        for t in order:
            case = CORRUPTIONS[t](s, rng)
            if case:
                cases.append(case)
                break
        k += 1
    return cases


def auc(scores: list[float], labels: list[bool]) -> float:
    """ROC-AUC as the probability that a corrupted sentence outscores a clean one (ties: half)."""
    pos = sorted(s for s, y in zip(scores, labels, strict=True) if y)
    neg = sorted(s for s, y in zip(scores, labels, strict=True) if not y)
    import bisect

    wins = sum(
        bisect.bisect_left(neg, p)
        + 0.5 * (bisect.bisect_right(neg, p) - bisect.bisect_left(neg, p))
        for p in pos
    )
    return wins / (len(pos) * len(neg))


def f1_at(
    reports: list[SentenceReport], cases: list[Case], threshold: float
) -> tuple[float, float]:
    tp = sum(
        1 for r, c in zip(reports, cases, strict=True) if r.garble_score >= threshold and c.type
    )
    fp = sum(
        1 for r, c in zip(reports, cases, strict=True) if r.garble_score >= threshold and not c.type
    )
    fn = sum(
        1 for r, c in zip(reports, cases, strict=True) if r.garble_score < threshold and c.type
    )
    clean = sum(1 for c in cases if not c.type)
    f1 = 2 * tp / (2 * tp + fp + fn) if tp else 0.0
    return f1, fp / clean


def warm_up() -> None:
    """Load what the detectors read on first use (the frequency tables of every language a
    sentence is compared with, the bigram table, the word-order model), so that the speed
    measured is that of checking."""
    check_sentence("Le gouvernement a annoncé de nouvelles mesures hier soir.")
    check_sentence("The government announced new measures last night.")


def main() -> None:
    p = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    p.add_argument("--sets", nargs="*", default=["newstest2013", "ntrex128"])
    p.add_argument("--seed", type=int, default=13)
    args = p.parse_args()
    rng = random.Random(args.seed)
    sentences: list[str] = []
    for name in args.sets:
        sentences += [
            s for s in (DATA / f"{name}.fr").read_text(encoding="utf-8").splitlines() if s.strip()
        ]
    rng.shuffle(sentences)
    cases = build(sentences, rng)
    warm_up()
    start = time.perf_counter()
    reports = [check_sentence(c.text) for c in cases]
    speed = len(cases) / (time.perf_counter() - start)
    half = len(cases) // 2
    test = (reports[half:], cases[half:])
    f1, fpr = f1_at(*test, FLAG_THRESHOLD)
    roc = auc([r.garble_score for r in test[0]], [c.type is not None for c in test[1]])

    print(
        f"{len(cases)} sentences ({', '.join(args.sets)}), seed {args.seed}; threshold {FLAG_THRESHOLD}\n"
    )
    print("| type | corrupted (test) | recall | precision (all flags) |")
    print("|---|---:|---:|---:|")
    for t in CORRUPTIONS:
        items = [(r, c) for r, c in zip(*test, strict=True) if c.type == t]
        hit = sum(
            1
            for r, c in items
            if any(f.type == t and f.start < c.end and c.start < f.end for f in r.flags)
        )
        flags = [(f, c) for r, c in zip(*test, strict=True) for f in r.flags if f.type == t]
        good = sum(1 for f, c in flags if c.type == t and f.start < c.end and c.start < f.end)
        prec = f"{good / len(flags):.2f}" if flags else "–"
        print(f"| {t} | {len(items)} | {hit / len(items) if items else 0:.2f} | {prec} |")
    print(
        f"\nsentence level (test): F1 {f1:.3f}, ROC-AUC {roc:.3f}, false positives on clean sentences {fpr:.1%}"
    )
    print(f"speed: {speed:.0f} sentences/s (one process, no translation model)")

    print("\nrare types, corrupting every sentence each applies to (both halves):\n")
    print("| type | corrupted | flagged as the type | repaired back to the clean sentence |")
    print("|---|---:|---:|---:|")
    for t, corrupt in RARE.items():
        pairs = [(s, c) for s in sentences if (c := corrupt(s, random.Random(0))) is not None]
        hit = fixed = 0
        for clean, c in pairs:
            r = check_sentence(c.text)
            hit += r.flagged and any(
                f.type == t and f.start < c.end and c.start < f.end for f in r.flags
            )
            fixed += repair(c.text).text.replace("’", "'") == clean.replace("’", "'")
        n = len(pairs)
        print(f"| {t} | {n} | {hit} ({hit / n:.0%}) | {fixed} ({fixed / n:.0%}) |")

    from mt.garble import check

    sample = check(SAMPLE.read_text(encoding="utf-8"))
    found = 0
    print("\nsample article, hand-labelled errors:")
    for idx, typ, text in SAMPLE_LABELS:
        ok = (
            any(f.type == typ and f.text == text for f in sample[idx].flags) and sample[idx].flagged
        )
        found += ok
        print(f"- sentence {idx} {typ} {text!r}: {'flagged' if ok else 'MISSED'}")
    print(f"{found}/{len(SAMPLE_LABELS)} found")
    sys.exit(0)


if __name__ == "__main__":
    main()
