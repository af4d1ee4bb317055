"""Corpus-level BLEU and chrF (sacrebleu) of a translator on line-aligned ``X.fr`` / ``X.en`` files."""

from __future__ import annotations

import time
from dataclasses import dataclass
from pathlib import Path

from mt.errors import InputError
from mt.io import read_text
from mt.translate import Translator

DEFAULT_DATA = Path(__file__).resolve().parent.parent.parent / "shared" / "data" / "eval"


@dataclass(frozen=True)
class EvalResult:
    """Scores of one evaluation set."""

    name: str
    sentences: int
    bleu: float
    chrf: float
    bleu_signature: str
    chrf_signature: str
    seconds: float

    @property
    def sentences_per_second(self) -> float:
        return self.sentences / self.seconds if self.seconds else 0.0


def find_pair(name: str, data_dir: Path = DEFAULT_DATA) -> tuple[Path, Path]:
    """``name`` is a prefix path (``dir/newstest2013``) or a set name inside ``data_dir``."""
    for base in (Path(name), data_dir / name):
        fr, en = Path(f"{base}.fr"), Path(f"{base}.en")
        if fr.is_file() and en.is_file():
            return fr, en
    raise InputError(
        f"no evaluation pair '{name}': expected {name}.fr and {name}.en (or in {data_dir})"
    )


def read_pair(name: str, data_dir: Path = DEFAULT_DATA) -> tuple[Path, list[str], list[str]]:
    """The French file of pair ``name`` (see :func:`find_pair`) and both files' lines, which must
    be as many."""
    fr_path, en_path = find_pair(name, data_dir)
    src = read_text(str(fr_path)).splitlines()
    ref = read_text(str(en_path)).splitlines()
    if len(src) != len(ref):
        raise InputError(f"{fr_path} has {len(src)} lines but {en_path} has {len(ref)}")
    return fr_path, src, ref


def evaluate(
    translator: Translator, name: str, *, data_dir: Path = DEFAULT_DATA, limit: int | None = None
) -> EvalResult:
    """Translate the French side line by line and score it against the English side."""
    import sacrebleu

    fr_path, src, ref = read_pair(name, data_dir)
    if limit is not None:
        src, ref = src[:limit], ref[:limit]
    if not src:
        raise InputError(f"{fr_path} is empty")
    start = time.perf_counter()
    hyps = [seg.translation for seg in translator.translate_segments(src)]
    seconds = time.perf_counter() - start
    bleu = sacrebleu.metrics.BLEU()
    chrf = sacrebleu.metrics.CHRF()
    b = bleu.corpus_score(hyps, [ref])
    c = chrf.corpus_score(hyps, [ref])
    return EvalResult(
        name=Path(name).name,
        sentences=len(src),
        bleu=round(b.score, 2),
        chrf=round(c.score / 100, 3),
        bleu_signature=str(bleu.get_signature()),
        chrf_signature=str(chrf.get_signature()),
        seconds=round(seconds, 1),
    )
