"""Fit mt/data/word-order-model.txt, the classifier behind the ``word_order`` garble flag.

    python scripts/train_word_order.py            # fit and write the model
    python scripts/train_word_order.py --dry-run  # cross-validated scores only

Clean French sentences that no garble benchmark uses give the examples: the French of
tico19-test, the Tatoeba test set and multi30k-test2016, which the bigram table never counted,
and training sentences it did count (news of 2008–2012, the first 30,000 lines of Europarl and
of Tatoeba), read with their own bigrams taken out of the counts so that they look as unseen
as new text does. Each candidate pair of a clean sentence
(:func:`mt.garble.word_order.candidates`) is a negative; up to two pairs of each sentence,
swapped, are positives where the swap leaves them a candidate. A LightGBM classifier learns
the one from the other over the candidates' features. Five-fold cross-validation, by
sentence, reports ROC-AUC and the share of swaps caught at the flag probability. The flag
probability itself is chosen on the garble benchmarks' dev halves by ``eval/word_order.py``.
"""

from __future__ import annotations

import argparse
import gzip
import itertools
import lzma
import random
import sys
from collections import Counter
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from mt.garble.base import WORD  # noqa: E402
from mt.garble.word_order import (  # noqa: E402
    FEATURES,
    FLAG_AT,
    MODEL_PATH,
    Counts,
    candidates,
    swappable,
)
from mt.text import lm  # noqa: E402

DATA = ROOT.parent / "shared" / "data" / "eval"
SOURCES = ("tico19-test", "tatoeba-test-v2021-08-07", "multi30k-test2016")
# news French that the bigram table counted: read as if each sentence were not in it
TRAIN = ROOT.parent / "shared" / "data" / "train"
COUNTED = {
    "wmt-news-2008-2012.tsv.gz": None,
    "europarl-v7.tsv.xz": 30_000,
    "tatoeba-2019.tsv.gz": 30_000,
}
SWAPS_PER_SENTENCE = 2
SEED = 5
PARAMS = {
    "objective": "binary",
    "learning_rate": 0.1,
    "num_leaves": 15,
    "min_data_in_leaf": 50,
    "verbose": -1,
    "seed": SEED,
    "num_threads": 2,
}
ROUNDS = 150


def without(sentence_words: list[str]) -> Counts:
    """Table lookups with one sentence's own bigrams taken out of the counts, as
    ``scripts/build_lm.py`` counted them (lowercased words between sentence markers)."""
    own = Counter(lm.sentence_keys(sentence_words).tolist())

    def counts(first: np.ndarray, second: np.ndarray) -> np.ndarray:
        values = lm.counts_of(first, second)
        keys = lm.bigram_keys(first, second).tolist()
        minus = np.array([own.get(k, 0) for k in keys], dtype=np.float64)
        if not minus.any():
            return values
        return lm.quantised(np.maximum(np.rint(np.expm1(values)) - minus, 0))

    return counts


def sentences() -> list[tuple[str, bool]]:
    """Each training sentence, and whether the bigram table counted it."""
    found = [
        (s, False)
        for name in SOURCES
        for s in (DATA / f"{name}.fr").read_text(encoding="utf-8").splitlines()
        if s.strip()
    ]
    for name, limit in COUNTED.items():
        opener = gzip.open if name.endswith(".gz") else lzma.open
        with opener(TRAIN / name, "rt", encoding="utf-8") as fh:
            lines = {line.split("\t", 1)[0] for line in itertools.islice(fh, limit)}
        found += [(s, True) for s in sorted(lines) if s.strip()]
    return found


def examples(rng: random.Random) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Features, labels (1: swapped) and sentence numbers of every example."""
    rows: list[np.ndarray] = []
    labels: list[int] = []
    groups: list[int] = []
    for n, (sentence, counted) in enumerate(sentences()):
        matches = list(WORD.finditer(sentence))
        words = [m.group().lower() for m in matches]
        counts = without(words) if counted else lm.counts_of
        pairs = swappable(sentence, matches)
        examples = [candidates(words, pairs, counts)[1]]
        labels += [0] * len(examples[0])
        for i in rng.sample(pairs, min(SWAPS_PER_SENTENCE, len(pairs))):
            swapped = [*words[:i], words[i + 1], words[i], *words[i + 2 :]]
            examples.append(candidates(swapped, [i], counts)[1])
            labels += [1] * len(examples[-1])
        rows += [row for block in examples for row in block]
        groups += [n] * sum(len(block) for block in examples)
    return np.array(rows), np.array(labels), np.array(groups)


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__)
    p.add_argument("--dry-run", action="store_true", help="cross-validate only; write nothing")
    args = p.parse_args()
    import lightgbm as lgb
    from sklearn.metrics import roc_auc_score

    if not lm.available():
        sys.exit(f"no bigram table at {lm.LM_PATH}: run scripts/build_lm.py first")
    x, y, groups = examples(random.Random(SEED))
    print(f"{len(y)} candidate pairs, {int(y.sum())} swapped, from {groups.max() + 1} sentences")
    fold = groups % 5
    predicted = np.zeros(len(y))
    for k in range(5):
        train = fold != k
        booster = lgb.train(PARAMS, lgb.Dataset(x[train], y[train]), ROUNDS)
        predicted[~train] = booster.predict(x[~train])
    caught = float(np.mean(predicted[y == 1] >= FLAG_AT))
    false = float(np.mean(predicted[y == 0] >= FLAG_AT))
    print(
        f"out of fold: ROC-AUC {roc_auc_score(y, predicted):.3f}; at {FLAG_AT}: "
        f"{caught:.2f} of swapped pairs, {false:.2%} of clean candidate pairs"
    )
    if args.dry_run:
        return
    booster = lgb.train(PARAMS, lgb.Dataset(x, y, feature_name=list(FEATURES)), ROUNDS)
    MODEL_PATH.write_text(booster.model_to_string(), encoding="utf-8")
    print(f"wrote {MODEL_PATH.relative_to(ROOT)} ({MODEL_PATH.stat().st_size // 1024} KiB)")


if __name__ == "__main__":
    main()
