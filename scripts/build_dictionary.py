"""Build the French → English word tables in mt/data from the training pairs.

    python scripts/build_dictionary.py                       # mt/data/fr-en-stems.tsv.gz
    python scripts/build_dictionary.py --words               # mt/data/fr-en-words.tsv.gz

Stems (the default): words are reduced to their Snowball stems (so "filles" and "fille",
"daughters" and "daughter" count as one), then the Dice coefficient of sentence-level
co-occurrence (one sparse matrix product) is computed between the 30,000 most frequent French
and English stems; up to five English stems per French stem. The aligner uses it for lexical
similarity that does not depend on the translation model's quality.

``--words``: the same over lower-cased words as written, for the French words English does not
know (wordfreq), the ones that read as foreign when a translation copies them; the best English
word for each, as English usually writes it inside a sentence ("Moscow", "November"). The
translator uses it to replace French words its model copied (:mod:`mt.translate.untranslated`).
"""

from __future__ import annotations

import argparse
import gzip
import sys
from collections import Counter
from collections.abc import Callable
from pathlib import Path

import numpy as np
from scipy import sparse

from mt.text.lexicon import stem
from mt.translate.untranslated import WORD, foreign

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
DATA = ROOT / "mt" / "data"


def main() -> None:
    p = argparse.ArgumentParser()
    p.add_argument("--pairs", type=int, default=None, help="stream lines read (1 M / all)")
    p.add_argument("--words", action="store_true", help="words as written, not stems")
    p.add_argument("--vocab", type=int, default=None, help="30,000 stems or 100,000 words a side")
    p.add_argument("--top", type=int, default=None, help="English entries per French one (5 / 1)")
    p.add_argument("--min-dice", type=float, default=None, help="0.05 for stems, 0.3 for words")
    p.add_argument("--min-count", type=int, default=None, help="sentences a word is in (3 / 8)")
    p.add_argument("--out", type=Path, default=None)
    args = p.parse_args()
    words = args.words
    pairs = args.pairs or (1_000_000 if not words else 10**9)
    vocab_size = args.vocab or (100_000 if words else 30_000)
    top = args.top or (1 if words else 5)
    min_dice = args.min_dice if args.min_dice is not None else (0.3 if words else 0.05)
    min_count = args.min_count or (8 if words else 3)
    out = args.out or DATA / ("fr-en-words.tsv.gz" if words else "fr-en-stems.tsv.gz")

    def key(word: str, lang: str) -> str:
        return word.lower() if words else stem(word.lower(), lang)

    docs_fr, docs_en = [], []
    seen: set[int] = set()
    # how each English word is written inside a sentence ("Moscow", "November", "USSR")
    forms: Counter[str] = Counter()
    with open(ROOT / "runs" / "data" / "stream.tsv", encoding="utf-8") as fh:
        for i, line in enumerate(fh):
            if i >= pairs:
                break
            # the stream repeats the news pairs (its mix weights them up): a rare word seen in
            # one pair three times is not three sentences of evidence. The stem table was built
            # before this check, over the first million lines.
            if words:
                if (h := hash(line)) in seen:
                    continue
                seen.add(h)
            fr, en = line.rstrip("\n").split("\t")
            docs_fr.append({key(w, "fr") for w in WORD.findall(fr)})
            en_words = WORD.findall(en)
            docs_en.append({key(w, "en") for w in en_words})
            if words:
                forms.update(en_words[1:])

    def matrix(
        docs: list[set[str]], keep: Callable[[str], bool] = lambda w: True
    ) -> tuple[sparse.csr_matrix, list[str], np.ndarray]:
        df = Counter(w for d in docs for w in d)
        # ties in count are broken by the word, so a rebuild gives the same table byte for byte
        ranked = sorted(df.items(), key=lambda wc: (-wc[1], wc[0]))
        vocab = [w for w, c in ranked if c >= min_count and keep(w)][:vocab_size]
        index = {w: i for i, w in enumerate(vocab)}
        rows, cols = [], []
        for r, d in enumerate(docs):
            for w in d:
                if w in index:
                    rows.append(r)
                    cols.append(index[w])
        m = sparse.csr_matrix(
            (np.ones(len(rows), dtype=np.float32), (rows, cols)), shape=(len(docs), len(vocab))
        )
        return m, vocab, np.array([df[w] for w in vocab], dtype=np.float32)

    xf, vf, dff = matrix(docs_fr, foreign if words else lambda w: True)
    xe, ve, dfe = matrix(docs_en)
    co = (xf.T @ xe).tocsr()
    written: dict[str, tuple[int, str]] = {}
    for form, count in sorted(forms.items()):
        low = form.lower()
        seen_count = written.get(low, (0, ""))[0]
        # the commonest form; on a tie the lower-case one (a capital may open a title)
        if count > seen_count or (count == seen_count and form == low):
            written[low] = (count, form)
    lines = []
    for i in range(co.shape[0]):
        start, end = co.indptr[i], co.indptr[i + 1]
        cols, counts = co.indices[start:end], co.data[start:end]
        dice = 2 * counts / (dff[i] + dfe[cols])
        best = np.lexsort((cols, -dice))[:top]  # equal Dice: the more frequent English word
        keep = [(ve[cols[k]], float(dice[k])) for k in best if dice[k] >= min_dice]
        if words:
            keep = [(written.get(w, (0, w))[1], d) for w, d in keep]
        if keep:
            lines.append(vf[i] + "\t" + " ".join(f"{w}:{d:.2f}" for w, d in keep))
    out.parent.mkdir(parents=True, exist_ok=True)
    with gzip.open(out, "wt", encoding="utf-8") as fh:
        fh.write("\n".join(lines) + "\n")
    print(f"{len(lines)} French {'words' if words else 'stems'}, {out.stat().st_size / 1e6:.1f} MB")


if __name__ == "__main__":
    main()
