"""CTranslate2: the Marian checkpoint converted once (int8 on CPU) and cached."""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import warnings
from pathlib import Path
from typing import Any

import numpy as np

from mt.errors import InputError, ModelNotFoundError
from mt.translate.backends.base import SAMPLE_SEED, SAMPLE_TOP_K, Decoded, attention_layer

# CTranslate2's vocabulary map, built by scripts/build_vmap.py into the model directory
VMAP_FILE = "vmap.txt"
# target tokens per CTranslate2 scoring batch (bounds the logits it holds at once)
SCORE_BATCH_TOKENS = 256


def ct2_cache_dir(path: Path, quantization: str, stamp: str) -> Path:
    """Where the converted model lives: next to the source model, or a user cache if read-only.

    ``stamp`` is :func:`source_stamp` of the model: a read-only model's own conversion is used
    only when it was made from these very files.
    """
    beside = path / f"ct2-{quantization}"
    if os.access(path, os.W_OK) or _read(beside / "source.json") == stamp:
        return beside
    stamp = f"{path.resolve()}:{(path / 'config.json').stat().st_mtime_ns}"
    digest = hashlib.sha256(stamp.encode()).hexdigest()[:16]
    base = Path(os.environ.get("XDG_CACHE_HOME", Path.home() / ".cache")) / "mt" / "ct2"
    return base / f"{path.name}-{digest}-{quantization}"


def source_stamp(path: Path) -> str:
    """Size and modification time of the source model's config and weights, and the
    conversion's attention layer.

    Stored beside a conversion, so that a model re-exported in place is converted again.
    """
    files = sorted(
        p
        for p in path.iterdir()
        if p.suffix in (".json", ".safetensors", ".bin") or p.name == VMAP_FILE
    )
    stamp: dict[str, object] = {p.name: [p.stat().st_size, p.stat().st_mtime_ns] for p in files}
    stamp["attention"] = list(attention_layer(path))
    return json.dumps(stamp)


def _convert(path: Path, target: Path, vmap: Path | None, quantization: str) -> None:
    """Convert the Marian checkpoint in ``path`` to ``target``, its decoder returning the
    attention of :func:`attention_layer`."""
    from ctranslate2.converters import TransformersConverter

    layer, heads = attention_layer(path)

    class Converter(TransformersConverter):
        def _load(self) -> Any:
            spec = super()._load()
            spec.decoder.alignment_layer = np.int16(layer)
            spec.decoder.alignment_heads = np.int16(heads)
            return spec

    Converter(str(path)).convert(
        str(target), vmap=str(vmap) if vmap else None, quantization=quantization, force=True
    )


def _read(path: Path) -> str | None:
    try:
        return path.read_text(encoding="utf-8")
    except OSError:
        return None


def start_embedding_is_zero(path: Path) -> bool | None:
    """Whether the decoder start (``<pad>``) embedding of a safetensors Marian model is zero.

    CTranslate2 starts Marian decoders from a zero vector whatever that row holds (OPUS-MT's is
    zero); a model trained with a random row there translates differently on the two backends.
    None when the weights cannot be inspected.
    """
    from safetensors import safe_open

    name = "model.shared.weight"
    index = path / "model.safetensors.index.json"
    try:
        if index.is_file():
            file = path / json.loads(index.read_text(encoding="utf-8"))["weight_map"][name]
        else:
            file = path / "model.safetensors"
        pad = int(json.loads((path / "config.json").read_text(encoding="utf-8"))["pad_token_id"])
        with safe_open(str(file), framework="numpy") as fh:
            row = fh.get_slice(name)[pad : pad + 1]
        return not bool(row.any())
    except (OSError, KeyError, ValueError):
        return None


class CT2Backend:
    """CTranslate2: the Marian checkpoint is converted once (int8 by default) and cached.

    When the model directory holds a vocabulary map (``vmap.txt``) and ``vmap`` is true, each
    batch is decoded over the target tokens the map allows for its source tokens only.
    """

    def __init__(
        self,
        path: Path,
        tokenizer: Any,
        threads: int | None,
        quantization: str = "int8",
        vmap: bool = True,
    ) -> None:
        try:
            import ctranslate2
        except ImportError as exc:  # pragma: no cover - ctranslate2 is a dependency
            raise InputError("the ct2 backend needs the ctranslate2 package") from exc
        stamp = source_stamp(path)
        target = ct2_cache_dir(path, quantization, stamp)
        if not (target / "model.bin").is_file() or _read(target / "source.json") != stamp:
            target.parent.mkdir(parents=True, exist_ok=True)
            tmp = target.with_name(target.name + f".tmp{os.getpid()}")
            try:
                if start_embedding_is_zero(path) is False:
                    warnings.warn(
                        f"{path}: the decoder start (<pad>) embedding is not zero; CTranslate2 "
                        "starts Marian decoders from zeros, so ct2 translations will differ "
                        "from torch ones (zero that row and fine-tune, or use --backend torch)",
                        stacklevel=2,
                    )
                vmap_file = path / VMAP_FILE
                _convert(path, tmp, vmap_file if vmap_file.is_file() else None, quantization)
                (tmp / "source.json").write_text(stamp, encoding="utf-8")
                if target.exists():  # a stale conversion of an earlier export
                    shutil.rmtree(target)
                os.replace(tmp, target)
            except Exception as exc:
                raise ModelNotFoundError(
                    f"could not convert {path} for CTranslate2: {exc}"
                ) from exc
        self.path = target
        self.tokenizer = tokenizer
        self.use_vmap = vmap and (target / VMAP_FILE).is_file()
        # One intra-op thread unless asked: throughput comes from worker processes
        # (docs/design/decisions.md, "One ct2 thread per process").
        # a worker thread seeds its random generator from this when it first samples; a seed set
        # later does not reach it (OpenNMT/CTranslate2#1757): a process that asks for the same
        # samples in the same order gets the same ones
        ctranslate2.set_random_seed(SAMPLE_SEED)
        self.translator = ctranslate2.Translator(
            str(target),
            device="cpu",
            compute_type="auto",
            inter_threads=1,
            intra_threads=threads or 1,
        )
        cfg = json.loads((path / "config.json").read_text(encoding="utf-8"))
        self.pad_id = int(cfg["pad_token_id"])
        self.eos_id = int(cfg["eos_token_id"])
        self.max_positions = int(cfg.get("max_position_embeddings", 512))

    def _tokens(self, ids: list[int]) -> list[str]:
        return list(self.tokenizer.convert_ids_to_tokens(ids))

    def generate(
        self, batch: list[list[int]], *, beam: int, max_new: int, guard: bool, min_new: int = 0
    ) -> list[list[int]]:
        extra: dict[str, Any] = (
            {"no_repeat_ngram_size": 3, "repetition_penalty": 1.3} if guard else {}
        )
        results = self._decode(batch, beam=beam, max_new=max_new, min_new=min_new, **extra)
        return [self._ids(r)[:max_new] for r in results]

    def generate_scored(
        self, batch: list[list[int]], *, beam: int, max_new: int, attention: bool = False
    ) -> list[Decoded]:
        # CTranslate2's hypothesis score (length penalty 1) is the mean log-probability per
        # token, eos included: the forced-decoding score, unless a vocabulary map restricted
        # the softmax (then it is higher) or the output was cut before its eos
        results = self._decode(
            batch, beam=beam, max_new=max_new, return_scores=True, return_attention=attention
        )
        out = []
        for r in results:
            ids = self._ids(r)
            exact = not self.use_vmap and len(ids) <= max_new and ids[-1:] == [self.eos_id]
            weights = np.asarray(r.attention[0], dtype=np.float32) if attention else None
            if weights is not None and len(batch) > 1 and beam > 1:
                # in a batch, beam search returns another source's attention for the first
                # step: that row is no evidence
                weights[:1] = 0.0
            out.append(Decoded(ids[:max_new], r.scores[0] if exact else None, weights))
        return out

    def _decode(
        self, batch: list[list[int]], *, beam: int, max_new: int, min_new: int = 0, **extra: Any
    ) -> Any:
        """CTranslate2's results for ``batch``, eos kept on each hypothesis (and allowed
        first: CTranslate2's own minimum length is one token)."""
        return self.translator.translate_batch(
            [self._tokens(s) for s in batch],
            beam_size=beam,
            max_decoding_length=max_new,
            min_decoding_length=min_new,
            return_end_token=True,
            use_vmap=self.use_vmap,
            **extra,
        )

    def _ids(self, result: Any) -> list[int]:
        return list(self.tokenizer.convert_tokens_to_ids(result.hypotheses[0]))

    def nbest(
        self, batch: list[list[int]], *, beam: int, n: int, max_new: int
    ) -> list[list[list[int]]]:
        # at least one token: an empty hypothesis is no alternative
        results = self._decode(
            batch, beam=max(beam, n), max_new=max_new, min_new=1, num_hypotheses=n
        )
        return [
            [list(self.tokenizer.convert_tokens_to_ids(h))[:max_new] for h in r.hypotheses]
            for r in results
        ]

    def sample(self, batch: list[list[int]], *, n: int, max_new: int) -> list[list[list[int]]]:
        results = self._decode(
            batch,
            beam=1,
            max_new=max_new,
            min_new=1,
            num_hypotheses=n,
            sampling_topk=SAMPLE_TOP_K,
        )
        return [
            [list(self.tokenizer.convert_tokens_to_ids(h))[:max_new] for h in r.hypotheses]
            for r in results
        ]

    def attention(self, batch: list[list[int]], outputs: list[list[int]]) -> list[np.ndarray]:
        # the output as the target prefix: decoding reads the same attention as when it wrote it
        prefixes = [self._tokens([t for t in o if t != self.eos_id]) for o in outputs]
        results = self.translator.translate_batch(
            [self._tokens(s) for s in batch],
            target_prefix=prefixes,
            beam_size=1,
            max_decoding_length=max(len(p) for p in prefixes) + 1,
            return_attention=True,
        )
        return [
            np.asarray(r.attention[0], dtype=np.float32)[: len(p)]
            for r, p in zip(results, prefixes, strict=True)
        ]

    def score(self, batch: list[list[int]], outputs: list[list[int]]) -> list[list[float]]:
        # score_batch appends eos itself and returns one log-probability per target token
        targets = [self._tokens([t for t in o if t != self.eos_id]) for o in outputs]
        # in chunks of target tokens: scoring holds logits for every position × vocabulary,
        # which for a large vocabulary and a whole batch runs to gigabytes
        results = self.translator.score_batch(
            [self._tokens(s) for s in batch],
            targets,
            max_batch_size=SCORE_BATCH_TOKENS,
            batch_type="tokens",
        )
        return [list(r.log_probs) for r in results]


def load(path: Path, tokenizer: Any, threads: int | None, vmap: bool) -> CT2Backend:
    """The CTranslate2 backend, over the model's vocabulary map when ``vmap`` and it has one."""
    return CT2Backend(path, tokenizer, threads, vmap=vmap)
