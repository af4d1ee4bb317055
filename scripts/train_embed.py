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
from train_gpu import load_pairs, load_parts, save_parts

ROOT = Path(__file__).resolve().parent.parent
BUNDLED = ROOT / "mt" / "models" / "fr-en-small"
EXPORT = ROOT / "mt" / "models" / "fr-en-embed"
MAX_PIECES = 128  # per sentence in training (alignment sentences are rarely longer)
PAD = 8000


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


def pad(seqs: list[list[int]], multiple: int = 8) -> tuple[Any, Any]:
    import torch

    width = -(-max(len(s) for s in seqs) // multiple) * multiple
    x = torch.full((len(seqs), width), PAD, dtype=torch.long)
    for i, s in enumerate(seqs):
        x[i, : len(s)] = torch.tensor(s)
    return x, (x != PAD).long()


def mean_pool(encoder: Any, ids: Any, mask: Any) -> Any:
    """The mean of the token states (the vector ``mt.embed`` computes)."""
    h = encoder(input_ids=ids, attention_mask=mask).last_hidden_state
    m = mask.unsqueeze(-1).to(h.dtype)
    return (h * m).sum(1) / m.sum(1)


def contrastive_loss(a: Any, b: Any, scale: float, margin: float) -> Any:
    """Symmetric InfoNCE over unit vectors; the true pair's similarity is lowered by ``margin``."""
    import torch

    sims = a @ b.T
    sims = scale * (sims - margin * torch.eye(len(a), device=a.device, dtype=sims.dtype))
    labels = torch.arange(len(a), device=a.device)
    ce = torch.nn.functional.cross_entropy
    return (ce(sims, labels) + ce(sims.T, labels)) / 2


def retrieval(encoder: Any, pairs: list[tuple[list[int], list[int]]], device: Any) -> dict:
    """Accuracy of nearest-neighbour search among the held-out pairs, both ways."""
    import torch

    encoder.eval()
    vecs = []
    with torch.inference_mode(), torch.autocast(device.type, dtype=torch.bfloat16):
        for side in (0, 1):
            out = []
            for k in range(0, len(pairs), 256):
                x, m = pad([p[side] for p in pairs[k : k + 256]])
                out.append(mean_pool(encoder, x.to(device), m.to(device)).float())
            vecs.append(torch.nn.functional.normalize(torch.cat(out), dim=-1))
    encoder.train()
    sims = vecs[0] @ vecs[1].T
    gold = torch.arange(len(pairs), device=sims.device)
    return {
        "fr_to_en": round(float((sims.argmax(1) == gold).float().mean()), 4),
        "en_to_fr": round(float((sims.argmax(0) == gold).float().mean()), 4),
        "pair_cosine": round(float(sims.diag().mean()), 4),
    }


def train_run(args: argparse.Namespace) -> None:
    import sentencepiece as spm
    import torch

    t_start = time.time()
    data, out = Path(args.data), Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    meta = json.loads((data / "meta.json").read_text())
    device = torch.device("cuda" if torch.cuda.is_available() else "cpu")
    if device.type == "cuda":
        torch.backends.cuda.matmul.allow_tf32 = True
        if hasattr(torch.backends.cuda, "enable_cudnn_sdp"):
            torch.backends.cuda.enable_cudnn_sdp(False)  # see train_gpu.py
    torch.manual_seed(args.seed)
    sp = spm.SentencePieceProcessor(model_file=str(data / "spm.model"))
    model = new_model(meta["vocab"], meta["size"])
    load_parts(model, data, "init")
    encoder = model.get_encoder().to(device).train()
    del model
    pairs = [(a[:MAX_PIECES] + [0], b[:MAX_PIECES] + [0]) for a, b in load_pairs(data, sp)]
    valid, pairs = pairs[: args.valid], pairs[args.valid :]
    log = open(out / "log.txt", "a", encoding="utf-8")  # noqa: SIM115 - closed at exit

    def say(msg: str) -> None:
        print(msg, flush=True)
        log.write(msg + "\n")
        log.flush()

    say(f"{len(pairs):,} training pairs, {len(valid):,} held out; {time.time() - t_start:.0f} s")
    state: dict[str, Any] = {"steps": 0, "pairs": 0, "seconds": 0.0, "epoch": 0}
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
        x, xm = (t.to(device) for t in pad([p[0] for p in batch]))
        y, ym = (t.to(device) for t in pad([p[1] for p in batch]))
        with torch.autocast(device.type, dtype=torch.bfloat16):
            a = mean_pool(encoder, x, xm).float()
            b = mean_pool(encoder, y, ym).float()
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


def export(args: argparse.Namespace) -> None:
    """Write the run's encoder into the package as a ``MarianEncoder`` folder (fp16 weights)."""
    import torch
    from transformers import MarianConfig
    from transformers.models.marian.modeling_marian import MarianEncoder

    source = Path(args.source)
    run = json.loads((source / "embed.json").read_text())
    config = MarianConfig.from_pretrained(BUNDLED)
    config.architectures = ["MarianEncoder"]
    encoder = MarianEncoder(config)
    load_parts(encoder, source, "embed")
    out = Path(args.out)
    if out.exists():
        shutil.rmtree(out)
    encoder.to(torch.float16).save_pretrained(out, max_shard_size="15MB")
    for name in ("source.spm", "target.spm", "vocab.json", "tokenizer_config.json"):
        shutil.copy(BUNDLED / name, out / name)
    shutil.copy(BUNDLED / "source_prepare.json", out / "source_prepare.json")
    info = {
        "init": "mt/models/fr-en-small (its encoder)",
        "pooling": "mean",
        "steps": run["steps"],
        "pairs": run["pairs"],
        "seconds": run["seconds"],
        "batch": run["args"]["batch"],
        "lr": run["args"]["lr"],
        "scale": run["args"]["scale"],
        "margin": run["args"]["margin"],
        "from_line": run.get("from_line"),
        "pack_lines": run.get("lines"),
        "extra": run.get("extra", []),
        "held_out_retrieval": {"start": run.get("start"), "end": run.get("end")},
    }
    (out / "training.json").write_text(json.dumps(info, indent=1) + "\n")
    size = sum(f.stat().st_size for f in out.iterdir()) / 1e6
    print(f"exported {out} ({size:.1f} MB)")


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
    pe = sub.add_parser("export", help="write a run's encoder into mt/models/fr-en-embed")
    pe.add_argument("--from", dest="source", required=True)
    pe.add_argument("--out", default=str(EXPORT))
    args = p.parse_args()
    {"run": train_run, "export": export}[args.cmd](args)


if __name__ == "__main__":
    main()
