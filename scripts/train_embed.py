"""Train the bundled sentence embedder (``mt/models/fr-en-embed``) that the aligner uses.

A dual encoder in the manner of LaBSE, at the size of the bundled translation model: its
encoder, started from the translation model's weights, reads French and English alike (the
vocabulary is joint); a sentence's vector is the mean of its token states. Training makes each
French sentence closer to its own translation than to every other English sentence in the batch,
and the other way round (symmetric InfoNCE with an additive margin, as LaBSE is trained).

    python scripts/train_gpu.py pack --out gpu ...                     # here: the same pack as
                                                                       # the translation runs use
    python scripts/train_embed.py run --data gpu --out $OUT --minutes 3   # there (or the CPU)
    python scripts/train_embed.py export --from DIR                    # here: the model folder

``run`` imports nothing from the ``mt`` package (the GPU machine lacks its dependencies) and saves
its weights to ``--out`` every ``--save-minutes``. It reports retrieval accuracy on held-out
pairs: how often a sentence's nearest neighbour among ``--valid`` translations is its own.
"""

from __future__ import annotations

import argparse
import json
import random
import shutil
import time
from pathlib import Path
from typing import Any

from marian_recipe import new_model
from train_gpu import load_parts, load_weights, read_pairs, save_parts, start_run

ROOT = Path(__file__).resolve().parent.parent
BUNDLED = ROOT / "mt" / "models" / "fr-en-small"
EXPORT = ROOT / "mt" / "models" / "fr-en-embed"
MAX_PIECES = 128  # per sentence in training (alignment sentences are rarely longer)


def batches(pairs: list[tuple[list[int], list[int]]], size: int, rng: random.Random):  # type: ignore[no-untyped-def]
    """Batches of ``size`` pairs, epoch after epoch; each of similar French length.

    Similar lengths waste little padding, and negatives that share a sentence's length force
    the model to tell them apart by content (alignment meets such neighbours all the time).
    """
    epoch = 0
    while True:
        order = list(range(len(pairs)))
        rng.shuffle(order)
        chunk = size * 64
        out = []
        for k in range(0, len(order) - size + 1, chunk):
            part = sorted(order[k : k + chunk], key=lambda i: len(pairs[i][0]))
            out += [part[s : s + size] for s in range(0, len(part) - size + 1, size)]
        rng.shuffle(out)
        for b in out:
            yield epoch, [pairs[i] for i in b]
        epoch += 1


def pad(seqs: list[list[int]], pad_id: int, multiple: int = 8) -> tuple[Any, Any]:
    import torch

    width = -(-max(len(s) for s in seqs) // multiple) * multiple
    x = torch.full((len(seqs), width), pad_id, dtype=torch.long)
    for i, s in enumerate(seqs):
        x[i, : len(s)] = torch.tensor(s)
    return x, (x != pad_id).long()


def mean_pool(encoder: Any, ids: Any, mask: Any) -> Any:
    """The mean of the token states (the vector ``mt.align.embed`` computes)."""
    h = encoder(input_ids=ids, attention_mask=mask).last_hidden_state
    m = mask.unsqueeze(-1).to(h.dtype)
    return (h * m).sum(1) / m.sum(1)


def merged_rows(
    batch: list[tuple[list[int], list[int]]], k: int, rng: random.Random
) -> tuple[list[tuple[int, int]], list[list[int]], list[list[int]]]:
    """``k`` pairs of pairs to merge, and the merged texts: half joined in French, half in English.

    A merge stands for a 1-2 / 2-1 bead of an alignment: one side is the two sentences written as
    one text (encoded together), the other the two sentences apart, their token states summed as
    the aligner sums rows. Both pairs stay in the batch, so a merged row must prefer its merged
    partner to either part, and each single sentence its own translation to a merge that holds
    it: the choice between a 1-1 and a 1-2 / 2-1 bead.
    """
    order = rng.sample(range(len(batch)), 2 * k) if 2 * k <= len(batch) else []
    merges = list(zip(order[:k], order[k:], strict=True))
    half = len(merges) // 2
    fr_joined = [batch[p][0][:-1] + batch[q][0] for p, q in merges[:half]]
    en_joined = [batch[p][1][:-1] + batch[q][1] for p, q in merges[half:]]
    return merges, fr_joined, en_joined


def with_merges(
    single: tuple[Any, Any],
    lengths: tuple[Any, Any],
    joined: tuple[Any, Any],
    merges: list[tuple[int, int]],
) -> tuple[Any, Any]:
    """The batch's French and English rows with the merged rows appended (see merged_rows)."""
    import torch

    if not merges:
        return single
    half = len(merges) // 2
    p = torch.tensor([a for a, _ in merges], device=single[0].device)
    q = torch.tensor([b for _, b in merges], device=single[0].device)
    sums = [v * n.unsqueeze(-1) for v, n in zip(single, lengths, strict=True)]
    apart = [s[p] + s[q] for s in sums]
    # French joined for the first half (English apart), English joined for the second half
    fr_rows = torch.cat([joined[0], apart[0][half:]])
    en_rows = torch.cat([apart[1][:half], joined[1]])
    return torch.cat([single[0], fr_rows]), torch.cat([single[1], en_rows])


def contrastive_loss(a: Any, b: Any, scale: float, margin: float) -> Any:
    """Symmetric InfoNCE over unit vectors; the true pair's similarity is lowered by ``margin``."""
    import torch

    sims = a @ b.T
    sims = scale * (sims - margin * torch.eye(len(a), device=a.device, dtype=sims.dtype))
    labels = torch.arange(len(a), device=a.device)
    ce = torch.nn.functional.cross_entropy
    return (ce(sims, labels) + ce(sims.T, labels)) / 2


def retrieval(encoder: Any, pairs: list[tuple[list[int], list[int]]], device: Any) -> dict:
    """Nearest-neighbour accuracy among the held-out pairs, both ways, and among merges.

    ``merge_fr_to_en``: the held-out pairs are also merged two by two (2k, 2k+1), the French
    written as one text and the English summed apart (a 1-2 bead); how often each merged French
    text and each single French sentence finds its own among all singles and merges in English.
    """
    import torch

    encoder.eval()

    def encode(seqs: list[list[int]]) -> tuple[Any, Any]:
        out, lengths = [], []
        for k in range(0, len(seqs), 256):
            x, m = pad(seqs[k : k + 256], encoder.config.pad_token_id)
            out.append(mean_pool(encoder, x.to(device), m.to(device)).float())
            lengths.append(m.sum(1).float().to(device))
        return torch.cat(out), torch.cat(lengths)

    unit = torch.nn.functional.normalize
    with torch.inference_mode(), torch.autocast(device.type, dtype=torch.bfloat16):
        (fr, _), (en, en_len) = encode([p[0] for p in pairs]), encode([p[1] for p in pairs])
        half = len(pairs) // 2
        joined, _ = encode([pairs[2 * i][0][:-1] + pairs[2 * i + 1][0] for i in range(half)])
    encoder.train()
    sims = unit(fr, dim=-1) @ unit(en, dim=-1).T
    gold = torch.arange(len(pairs), device=sims.device)
    en_sums = en * en_len.unsqueeze(-1)
    en_merged = en_sums[0 : 2 * half : 2] + en_sums[1 : 2 * half : 2]
    pool = unit(torch.cat([en, en_merged]), dim=-1)
    queries = unit(torch.cat([fr, joined]), dim=-1)
    targets = torch.cat([gold, len(pairs) + torch.arange(half, device=gold.device)])
    return {
        "fr_to_en": round(float((sims.argmax(1) == gold).float().mean()), 4),
        "en_to_fr": round(float((sims.argmax(0) == gold).float().mean()), 4),
        "pair_cosine": round(float(sims.diag().mean()), 4),
        "merge_fr_to_en": round(float(((queries @ pool.T).argmax(1) == targets).float().mean()), 4),
    }


def train_run(args: argparse.Namespace) -> None:
    import torch

    t_start = time.time()
    data, out = Path(args.data), Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    device, meta, sp, model = start_run(data, args.seed)
    encoder = model.get_encoder()
    if args.init_encoder:  # go on from an exported encoder instead of the pack's translation model
        folder = Path(args.init_encoder)
        load_weights(encoder, folder, "*.safetensors")
        meta["init_encoder"] = folder.name
        if (folder / "training.json").is_file():
            meta["init_stages"] = stages(json.loads((folder / "training.json").read_text()))
    encoder = encoder.to(device).train()
    pad_id = model.config.pad_token_id
    del model
    rng = random.Random(args.seed + 1)
    pairs = [
        (a[:MAX_PIECES] + [0], b[:MAX_PIECES] + [0])
        for a, b in read_pairs(data / "train.tsv.xz", sp)
    ]
    valid, pairs = pairs[: args.valid], pairs[args.valid :]
    log = open(out / "log.txt", "a", encoding="utf-8")  # noqa: SIM115 - closed at exit

    def say(msg: str) -> None:
        print(msg, flush=True)
        log.write(msg + "\n")
        log.flush()

    say(f"{len(pairs):,} training pairs, {len(valid):,} held out; {time.time() - t_start:.0f} s")
    state: dict[str, Any] = {
        "steps": 0,
        "pairs": 0,
        "seconds": 0.0,
        "epoch": 0,
        "device": device.type,
    }
    state["start"] = retrieval(encoder, valid, device)
    say(f"held-out retrieval at start {state['start']}")
    fused = {"fused": True} if device.type == "cuda" else {}
    opt = torch.optim.AdamW(encoder.parameters(), lr=args.lr, weight_decay=0.0, **fused)

    def save() -> None:
        save_parts(encoder, out, "embed", torch.float16)
        (out / "embed.json").write_text(json.dumps({**meta, **state, "args": vars(args)}, indent=1))

    budget_s = args.minutes * 60
    t0 = time.time()
    last_save = t0
    for epoch, batch in batches(pairs, args.batch, random.Random(args.seed)):
        elapsed = time.time() - t0
        if elapsed >= budget_s:
            break
        progress = elapsed / budget_s
        lr = args.lr * min(1.0, (state["steps"] + 1) / args.warmup)
        if progress > 1 - args.cooldown:
            lr *= (1 - progress) / args.cooldown
        for group in opt.param_groups:
            group["lr"] = lr
        merges, fr_joined, en_joined = merged_rows(
            batch, int(len(batch) * args.merge_share / 2), rng
        )
        x, xm = (t.to(device) for t in pad([p[0] for p in batch] + fr_joined, pad_id))
        y, ym = (t.to(device) for t in pad([p[1] for p in batch] + en_joined, pad_id))
        with torch.autocast(device.type, dtype=torch.bfloat16):
            a = mean_pool(encoder, x, xm).float()
            b = mean_pool(encoder, y, ym).float()
        n = len(batch)
        a, b = with_merges(
            (a[:n], b[:n]), (xm[:n].sum(1).float(), ym[:n].sum(1).float()), (a[n:], b[n:]), merges
        )
        loss = contrastive_loss(
            torch.nn.functional.normalize(a, dim=-1),
            torch.nn.functional.normalize(b, dim=-1),
            args.scale,
            args.margin,
        )
        opt.zero_grad(set_to_none=True)
        loss.backward()
        torch.nn.utils.clip_grad_norm_(encoder.parameters(), 1.0)
        opt.step()
        state["steps"] += 1
        state["pairs"] += len(batch)
        state["epoch"] = epoch
        if state["steps"] % args.log_every == 0:
            say(
                f"step {state['steps']} epoch {epoch} loss {loss.item():.3f} lr {lr:.2e} "
                f"pairs {state['pairs']:,} ({state['pairs'] / (time.time() - t0):,.0f}/s)"
            )
        if state["steps"] == 20 or time.time() - last_save > args.save_minutes * 60:
            state["seconds"] = round(time.time() - t0, 1)
            say(f"held-out retrieval {retrieval(encoder, valid, device)}; saving")
            save()
            last_save = time.time()
    state["seconds"] = round(time.time() - t0, 1)
    state["end"] = retrieval(encoder, valid, device)
    say(f"held-out retrieval at end {state['end']}")
    save()
    say(f"done in {time.time() - t_start:.0f} s")


def stage(run: dict[str, Any]) -> dict[str, Any]:
    """One training run's record, as the model card lists it (``run``: the run's embed.json)."""
    return {
        "device": run.get("device", "cuda"),
        "init_encoder": run.get("init_encoder"),
        "init_tokens": None if run.get("init_encoder") else run.get("init_tokens"),
        "steps": run["steps"],
        "pairs": run["pairs"],
        "seconds": run["seconds"],
        "batch": run["args"]["batch"],
        "lr": run["args"]["lr"],
        "scale": run["args"]["scale"],
        "margin": run["args"]["margin"],
        "merge_share": run["args"].get("merge_share", 0.0),
        "valid": run["args"]["valid"],
        "from_line": run.get("from_line"),
        "pack_lines": run.get("lines"),
        "extra": run.get("extra", []),
        "held_out_retrieval": {"start": run.get("start"), "end": run.get("end")},
    }


def stages(training: dict[str, Any]) -> list[dict[str, Any]]:
    """The runs behind an exported encoder (its training.json; the first exports had one run)."""
    if "stages" in training:
        return list(training["stages"])
    keys = ("steps", "pairs", "seconds", "batch", "lr", "scale", "margin", "from_line", "extra")
    return [
        {
            "device": "cuda",
            "init_encoder": None,
            "init_tokens": training.get("init_tokens"),
            **{k: training.get(k) for k in keys},
            "merge_share": 0.0,
            "valid": 2000,
            "pack_lines": training.get("pack_lines"),
            "held_out_retrieval": training.get("held_out_retrieval"),
        }
    ]


def export(args: argparse.Namespace) -> None:
    """Write the run's encoder into the package as a ``MarianEncoder`` folder (fp16 weights)."""
    import torch
    from transformers.models.marian.modeling_marian import MarianEncoder

    source, init = Path(args.source), Path(args.init)
    run = json.loads((source / "embed.json").read_text())
    config = new_model(run["vocab"], run["size"]).config  # the shape the pack was trained in
    config.architectures = ["MarianEncoder"]
    encoder = MarianEncoder(config)
    load_parts(encoder, source, "embed")
    out = Path(args.out)
    if out.exists():
        shutil.rmtree(out)
    encoder.to(torch.float16).save_pretrained(out, max_shard_size="15MB")
    # the translation model's tokenizer files, and how it prepares French
    for name in ("source.spm", "target.spm", "vocab.json", "tokenizer_config.json"):
        shutil.copy(init / name, out / name)
    if (init / "source_prepare.json").is_file():
        shutil.copy(init / "source_prepare.json", out / "source_prepare.json")
    info = {
        "init": f"{init.name} (its encoder)",
        "pooling": "mean",
        "stages": [*run.get("init_stages", []), stage(run)],
    }
    info["init_tokens"] = info["stages"][0].get("init_tokens")
    (out / "training.json").write_text(json.dumps(info, indent=1) + "\n")
    (out / "README.md").write_text(card(info, encoder), encoding="utf-8")
    size = sum(f.stat().st_size for f in out.iterdir()) / 1e6
    print(f"exported {out} ({size:.1f} MB)")


def card(info: dict[str, Any], encoder: Any) -> str:
    """The model card (``README.md``), from the runs' numbers (``info["stages"]``)."""
    cfg = encoder.config
    params = sum(p.numel() for p in encoder.parameters())
    first = info["stages"][0]
    rows = []
    for k, st in enumerate(info["stages"], 1):
        where = "lent GPU" if st["device"] == "cuda" else "CPU"
        extra = " + ".join(st.get("extra") or []) or "none"
        ret = st.get("held_out_retrieval") or {}
        a, b = ret.get("start") or {}, ret.get("end") or {}
        merge = f"{a.get('merge_fr_to_en', '–')} → {b.get('merge_fr_to_en', '–')}"
        rows.append(
            f"| {k} | {where} | {st.get('from_line') or 0:,} ({extra}) | {st['batch']:,} | "
            f"{st['lr']} | {st.get('merge_share') or 0} | {st['steps']:,} | "
            f"{st['pairs'] / 1e6:.2f} M | {st['seconds']} s | {st.get('valid')} | "
            f"{a.get('fr_to_en')} → **{b.get('fr_to_en')}** | "
            f"{a.get('en_to_fr')} → **{b.get('en_to_fr')}** | {merge} |"
        )
    table = "\n".join(rows)
    tokens = first.get("init_tokens")
    after = (
        f" as it was after {tokens / 1e6:.1f} M target tokens of translation training"
        if tokens
        else ""
    )
    return f"""# fr-en-embed: French/English sentence encoder for alignment

A dual-language sentence encoder in the manner of LaBSE, at the size of the bundled translation
model. `mt.align` uses it to compare blocks of sentences (`mt align`, `mt run --reference`,
`mt batch` with references, the service's `/v1/align`). It is not a translation model; `mt models`
does not list it. Written by `python scripts/train_embed.py export`.

## Model

- `MarianEncoder` (transformers): {cfg.encoder_layers} layers, d_model {cfg.d_model},
  {cfg.encoder_attention_heads} heads, FFN {cfg.encoder_ffn_dim}, {cfg.activation_function},
  sinusoidal positions; the tokenizer files of `{info["init"].split()[0]}` (joint vocabulary).
  {params / 1e6:.1f} M parameters, stored in fp16 and loaded as fp32.
- French and English go through the same encoder. French is prepared as for the translation
  model (`source_prepare.json`); both sides are normalised (`mt.translate.normalise`).
- A sentence's vector is the mean of its token states (eos included). `mt.align.embed.Embedder.vectors`
  returns the *sum* instead, so that the sum of a run of rows is, up to its length, the vector of
  those sentences read as one; the aligner normalises.

## Training

Started from the encoder of `{info["init"].split()[0]}`{after}, then trained by
`scripts/train_embed.py run`, one run after another (each from the previous one's weights,
`--init-encoder`), on training pairs from the stream `runs/data/stream.tsv` (from the line given,
with the corpora named upweighted):

- objective: symmetric InfoNCE over in-batch negatives with an additive margin (LaBSE's;
  margin {first["margin"]}, scale {first["scale"]}), in batches of pairs of similar French
  length; AdamW, linear warm-up and decay, bf16 autocast;
- merges (`--merge-share`): that share of a batch's pairs is also merged two by two into extra
  rows, one side written as one text and the other its two sentences apart with their token
  states summed, as the aligner sums rows (a 1-2 / 2-1 bead); both pairs stay in the batch, so
  a merged row must prefer its merged partner to either part.

Held-out retrieval: each of a run's held-out sentences (the first `valid` pairs of its data)
against all the held-out translations; "merges" also searches merged French texts among the
English singles and merges (`merge_fr_to_en`).

| run | on | stream from line | batch | lr | merges | steps | pairs | time | held out | fr → en | en → fr | merges |
|---|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|
{table}

Data sources and licences are those of the translation model (its README).

## Alignment

`python eval/align.py --embed` scores alignment with these vectors on the six gold books (the
project documentation's alignment results have the table).

## Use

```python
from mt import Embedder, align

embedder = Embedder()  # this folder; Embedder("path/to/encoder") for another
links = align(fr_sentences, en_sentences, embedder=embedder)  # encodes clauses, aligns them
```
"""


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawTextHelpFormatter)
    sub = p.add_subparsers(dest="cmd", required=True)
    pr = sub.add_parser("run", help="train on the GPU machine (or the CPU, for a smoke test)")
    pr.add_argument("--data", default=str(ROOT / "gpu"))
    pr.add_argument("--out", required=True)
    pr.add_argument("--minutes", type=float, default=3.0)
    pr.add_argument("--batch", type=int, default=1024, help="pairs per batch (the negatives)")
    pr.add_argument("--lr", type=float, default=2e-4)
    pr.add_argument("--warmup", type=int, default=100)
    pr.add_argument("--cooldown", type=float, default=0.5, help="share of the time to decay lr")
    pr.add_argument("--scale", type=float, default=20.0, help="inverse softmax temperature")
    pr.add_argument("--margin", type=float, default=0.1)
    pr.add_argument("--valid", type=int, default=2000)
    pr.add_argument("--save-minutes", type=float, default=1.0)
    pr.add_argument("--log-every", type=int, default=50)
    pr.add_argument("--seed", type=int, default=0)
    pr.add_argument(
        "--merge-share",
        type=float,
        default=0.0,
        help="share of each batch's pairs also merged two by two into extra rows (1-2 / 2-1)",
    )
    pr.add_argument(
        "--init-encoder",
        default=None,
        help="start from this exported encoder folder (e.g. mt/models/fr-en-embed)",
    )
    pe = sub.add_parser("export", help="write a run's encoder into mt/models/fr-en-embed")
    pe.add_argument("--from", dest="source", required=True)
    pe.add_argument("--out", default=str(EXPORT))
    pe.add_argument(
        "--init", default=str(BUNDLED), help="the translation model the run started from"
    )
    args = p.parse_args()
    {"run": train_run, "export": export}[args.cmd](args)


if __name__ == "__main__":
    main()
