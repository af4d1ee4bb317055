"""transformers' ``MarianMTModel`` on torch, in fp32."""

from __future__ import annotations

import threading
from pathlib import Path
from typing import Any

import numpy as np

from mt.translate.backends.base import (
    SAMPLE_SEED,
    SAMPLE_TOP_K,
    Decoded,
    attention_layer,
    pad_batch,
)


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
        self.path = path
        self._eager: Any = None
        self._eager_lock = threading.Lock()

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
        self, batch: list[list[int]], *, beam: int, max_new: int, attention: bool = False
    ) -> list[Decoded]:
        # transformers' beam scores are not the forced-decoding score: scored separately; its
        # beam search keeps no attention of the finished hypotheses
        out = self.generate(batch, beam=beam, max_new=max_new, guard=False)
        return [Decoded(s, None) for s in out]

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

    def score(self, batch: list[list[int]], outputs: list[list[int]]) -> list[list[float]]:
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
            picked = logp.gather(-1, labels.clamp(min=0).unsqueeze(-1)).squeeze(-1)
        rows = picked.tolist()
        return [[float(v) for v in rows[i][: len(s)]] for i, s in enumerate(outputs)]

    def attention(self, batch: list[list[int]], outputs: list[list[int]]) -> list[np.ndarray]:
        import torch

        model = self._eager_model()
        layer, heads = attention_layer(self.path)
        outputs = [[t for t in o if t != self.eos_id] for o in outputs]
        x, mask = self._pad(batch)
        dec = torch.full((len(outputs), max(max(map(len, outputs)), 1)), self.pad_id)
        for i, o in enumerate(outputs):
            dec[i, : len(o)] = torch.tensor([self.start_id, *o[:-1]][: len(o)])
        with torch.inference_mode():
            # the encoder-decoder without its output layer: weights need no logits
            result = model.model(
                input_ids=x, attention_mask=mask, decoder_input_ids=dec, output_attentions=True
            )
        weights = result.cross_attentions[layer][:, :heads].float().mean(dim=1).numpy()
        return [np.asarray(weights[i, : len(o)], dtype=np.float32) for i, o in enumerate(outputs)]

    def _eager_model(self) -> Any:
        # a copy in eager mode (the fused attention kernels return no weights), in bfloat16
        # where the CPU has it: word links need only where attention falls
        with self._eager_lock:
            if self._eager is None:
                import torch
                from transformers import MarianMTModel

                dtype = torch.bfloat16 if _bf16() else torch.float32
                self._eager = MarianMTModel.from_pretrained(
                    str(self.path), attn_implementation="eager", dtype=dtype
                ).eval()
            return self._eager

    def nbest(
        self, batch: list[list[int]], *, beam: int, n: int, max_new: int
    ) -> list[list[list[int]]]:
        return self._n_each(batch, n, max_new, num_beams=max(beam, n))

    def sample(self, batch: list[list[int]], *, n: int, max_new: int) -> list[list[list[int]]]:
        import torch

        # a generator of its own would be better, but generate() draws from the global one
        torch.manual_seed(SAMPLE_SEED)
        return self._n_each(batch, n, max_new, do_sample=True, top_k=SAMPLE_TOP_K, num_beams=1)

    def _n_each(
        self, batch: list[list[int]], n: int, max_new: int, **how: Any
    ) -> list[list[list[int]]]:
        """``n`` outputs of each source, generated as ``how`` says, in source order."""
        import torch

        x, mask = self._pad(batch)
        with torch.inference_mode():
            out = self.model.generate(
                input_ids=x,
                attention_mask=mask,
                num_return_sequences=n,
                max_new_tokens=max_new,
                forced_eos_token_id=None,
                **how,
            )
        seqs = [self._strip(s) for s in out.tolist()]
        return [seqs[i * n : (i + 1) * n] for i in range(len(batch))]


def _bf16() -> bool:
    """Whether this CPU does bfloat16 arithmetic natively (where it does, twice as fast)."""
    import torch

    try:
        return bool(torch.ops.mkldnn._is_mkldnn_bf16_supported())
    except (AttributeError, RuntimeError):
        return False


def load(path: Path, tokenizer: Any, threads: int | None, vmap: bool) -> TorchBackend:
    """The torch backend (a vocabulary map is a CTranslate2 feature: ``vmap`` is ignored)."""
    return TorchBackend(path, threads)
