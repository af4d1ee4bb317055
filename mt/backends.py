"""Inference backends for a Marian model: transformers/torch, or CTranslate2 (int8 on CPU).

A backend turns batches of source token ids into output token ids, and scores given outputs
(mean log-probability per token, eos included, by forced decoding). Everything else — splitting,
batching, loop detection — lives in :mod:`mt.translate` and is shared by both.
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import warnings
from pathlib import Path
from typing import Any, Protocol

from mt.errors import InputError, ModelNotFoundError

BACKENDS = ("torch", "ct2")
# CTranslate2 int8: several times faster than torch for the same BLEU (docs/results/speed.md)
DEFAULT_BACKEND = "ct2"
# CTranslate2's vocabulary map, built by scripts/build_vmap.py into the model directory
VMAP_FILE = "vmap.txt"
# target tokens per CTranslate2 scoring batch (bounds the logits it holds at once)
SCORE_BATCH_TOKENS = 256


class Backend(Protocol):
    pad_id: int
    eos_id: int
    max_positions: int

    def generate(
        self, batch: list[list[int]], *, beam: int, max_new: int, guard: bool, min_new: int = 0
    ) -> list[list[int]]:
        """Output ids for each source (no start token; ends with eos unless cut by ``max_new``).

        ``guard``: decode with n-gram blocking and a repetition penalty. ``min_new`` forbids
        eos before that many tokens (benchmarks use it to fix output lengths).
        """
        ...

    def generate_scored(
        self, batch: list[list[int]], *, beam: int, max_new: int
    ) -> list[tuple[list[int], float | None]]:
        """Unguarded :meth:`generate`, each output with its :meth:`score` when decoding
        computed exactly that number on the way (None where it did not)."""
        ...

    def score(self, batch: list[list[int]], outputs: list[list[int]]) -> list[float]:
        """Mean per-token log-probability of each output given its source."""
        ...


def pad_batch(batch: list[list[int]], pad_id: int) -> tuple[Any, Any]:
    """Token id lists as one padded ``(rows, longest)`` torch tensor, and its attention mask."""
    import torch

    width = max(len(s) for s in batch)
    x = torch.full((len(batch), width), pad_id, dtype=torch.long)
    for i, s in enumerate(batch):
        x[i, : len(s)] = torch.tensor(s, dtype=torch.long)
    return x, (x != pad_id).long()


class TorchBackend:
    """transformers' ``MarianMTModel`` on torch (fp32)."""

    def __init__(self, path: Path, threads: int | None) -> None:
        import torch
        from transformers import MarianMTModel

        if threads is not None:
            torch.set_num_threads(threads)
        self.model = MarianMTModel.from_pretrained(str(path), dtype=torch.float32).eval()
        cfg = self.model.config
        self.pad_id = int(cfg.pad_token_id)
        self.eos_id = int(cfg.eos_token_id)
        self.start_id = int(cfg.decoder_start_token_id)
        self.max_positions = int(cfg.max_position_embeddings)

    def _pad(self, batch: list[list[int]]) -> tuple[Any, Any]:
        return pad_batch(batch, self.pad_id)

    def generate(
        self, batch: list[list[int]], *, beam: int, max_new: int, guard: bool, min_new: int = 0
    ) -> list[list[int]]:
        import torch

        x, mask = self._pad(batch)
        extra: dict[str, Any] = (
            {"no_repeat_ngram_size": 3, "repetition_penalty": 1.3} if guard else {}
        )
        with torch.inference_mode():
            out = self.model.generate(
                input_ids=x,
                attention_mask=mask,
                num_beams=beam,
                max_new_tokens=max_new,
                min_new_tokens=min_new,
                # no eos forced at the limit: a cut output stays visibly cut, as in CTranslate2
                forced_eos_token_id=None,
                **extra,
            )
        return [self._strip(s) for s in out.tolist()]

    def generate_scored(
        self, batch: list[list[int]], *, beam: int, max_new: int
    ) -> list[tuple[list[int], float | None]]:
        # transformers' beam scores are not the forced-decoding score: scored separately
        return [(s, None) for s in self.generate(batch, beam=beam, max_new=max_new, guard=False)]

    def _strip(self, seq: list[int]) -> list[int]:
        """Drop the decoder start token and padding; keep tokens up to and including eos."""
        seq = seq[1:] if seq and seq[0] == self.start_id else seq
        out = []
        for t in seq:
            if t == self.pad_id:
                continue
            out.append(t)
            if t == self.eos_id:
                break
        return out

    def score(self, batch: list[list[int]], outputs: list[list[int]]) -> list[float]:
        import torch

        x, mask = self._pad(batch)
        width = max(max((len(s) for s in outputs), default=0), 1)
        labels = torch.full((len(outputs), width), -100, dtype=torch.long)
        dec = torch.full((len(outputs), width), self.pad_id, dtype=torch.long)
        for i, s in enumerate(outputs):
            if s:
                labels[i, : len(s)] = torch.tensor(s)
                dec[i, : len(s)] = torch.tensor([self.start_id, *s[:-1]])
        with torch.inference_mode():
            logits = self.model(input_ids=x, attention_mask=mask, decoder_input_ids=dec).logits
            logp = torch.log_softmax(logits.float(), dim=-1)
            valid = labels != -100
            picked = logp.gather(-1, labels.clamp(min=0).unsqueeze(-1)).squeeze(-1) * valid
            totals = picked.sum(-1) / valid.sum(-1).clamp(min=1)
        return [float(v) for v in totals.tolist()]


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
    """Size and modification time of the source model's config and weights.

    Stored beside a conversion, so that a model re-exported in place is converted again.
    """
    files = sorted(
        p
        for p in path.iterdir()
        if p.suffix in (".json", ".safetensors", ".bin") or p.name == VMAP_FILE
    )
    return json.dumps({p.name: [p.stat().st_size, p.stat().st_mtime_ns] for p in files})


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
            from ctranslate2.converters import TransformersConverter

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
                TransformersConverter(str(path)).convert(
                    str(tmp),
                    vmap=str(vmap_file) if vmap_file.is_file() else None,
                    quantization=quantization,
                    force=True,
                )
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
        results = self._translate(
            batch, beam=beam, max_new=max_new, min_new=min_new, return_scores=False, **extra
        )
        return [ids[:max_new] for ids, _ in results]

    def generate_scored(
        self, batch: list[list[int]], *, beam: int, max_new: int
    ) -> list[tuple[list[int], float | None]]:
        # CTranslate2's hypothesis score (length penalty 1) is the mean log-probability per
        # token, eos included: the forced-decoding score, unless a vocabulary map restricted
        # the softmax (then it is higher) or the output was cut before its eos
        results = self._translate(batch, beam=beam, max_new=max_new, return_scores=True)
        out: list[tuple[list[int], float | None]] = []
        for ids, score in results:
            exact = not self.use_vmap and len(ids) <= max_new and ids[-1:] == [self.eos_id]
            out.append((ids[:max_new], score if exact else None))
        return out

    def _translate(
        self,
        batch: list[list[int]],
        *,
        beam: int,
        max_new: int,
        return_scores: bool,
        min_new: int = 0,
        **extra: Any,
    ) -> list[tuple[list[int], float | None]]:
        """Output ids of each source's best hypothesis, with its score when asked for."""
        results = self.translator.translate_batch(
            [self._tokens(s) for s in batch],
            beam_size=beam,
            max_decoding_length=max_new,
            min_decoding_length=min_new,
            return_end_token=True,
            return_scores=return_scores,
            use_vmap=self.use_vmap,
            **extra,
        )
        return [
            (
                list(self.tokenizer.convert_tokens_to_ids(r.hypotheses[0])),
                r.scores[0] if return_scores else None,
            )
            for r in results
        ]

    def score(self, batch: list[list[int]], outputs: list[list[int]]) -> list[float]:
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
        return [sum(r.log_probs) / max(len(r.log_probs), 1) for r in results]
