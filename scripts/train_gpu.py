"""Continue training the bundled model on a lent GPU machine, in one short, self-contained run.

The GPU machine sees only the working tree (at most 64 MiB travels) and gives back at most
64 MiB in files of 16 MiB, so a run is three steps:

    python scripts/train_gpu.py pack --out gpu          # here: fp16 weights + a slice of the stream
    python scripts/train_gpu.py run --data gpu --out $OUT --minutes 7   # there (CUDA, bf16)
    python scripts/train_gpu.py unpack --from DIR       # here: pick raw or EMA weights by dev BLEU,
                                                        # write a checkpoint into runs/<name>/

then ``python scripts/train_marian.py export --average 1`` ships it. ``run`` imports nothing from
the ``mt`` package (its text-processing dependencies are not installed there; what it needs
is in ``scripts/``) and writes its weights to ``--out``
every ``--save-minutes``, so a run cut off by the machine's time limit still returns its latest
weights. A later call goes on from them: copy the returned weights and ``run.json`` into a folder
of the next pack (made with ``--no-init`` where its text needs the room) and pass
``run --init-from`` that folder. The machine keeps nothing of the first call's under ``runs/``.
"""

from __future__ import annotations

import argparse
import json
import lzma
import os
import queue
import random
import shutil
import sys
import threading
import time
from pathlib import Path
from typing import Any

from marian_recipe import (
    collate,
    greedy_bleu,
    make_batches,
    new_model,
    train_step,
    training_pairs,
    zero_start_embedding,
)

ROOT = Path(__file__).resolve().parent.parent
RUNS = ROOT / "runs"
CHUNK = 40_000  # lines per chunk of the CPU trainer's stream (train_marian.py)
PART_BYTES = 15_000_000  # files returned from the GPU machine must stay under 16 MiB


# ---------------------------------------------------------------------------- weights in parts


def unique_state(model: Any) -> dict[str, Any]:
    """The state dict without the tied copies of the shared embedding (restored on load)."""
    seen: set[int] = set()
    out = {}
    for key, value in model.state_dict().items():
        ptr = value.data_ptr()
        if ptr in seen:
            continue
        seen.add(ptr)
        out[key] = value
    return out


def save_parts(model: Any, out: Path, prefix: str, dtype: Any) -> list[Path]:
    """Write the weights as ``prefix-N.safetensors`` files of at most ``PART_BYTES`` each."""
    from safetensors.torch import save_file

    parts: list[dict[str, Any]] = [{}]
    size = 0
    for key, value in unique_state(model).items():
        tensor = value.detach().to("cpu", dtype if value.is_floating_point() else value.dtype)
        n = tensor.numel() * tensor.element_size()
        if parts[-1] and size + n > PART_BYTES:
            parts.append({})
            size = 0
        parts[-1][key] = tensor.contiguous()
        size += n
    paths = []
    for old in out.glob(f"{prefix}-*.safetensors"):
        old.unlink()
    for i, part in enumerate(parts):
        path = out / f"{prefix}-{i}.safetensors"
        tmp = out / f"{prefix}-{i}.tmp"
        save_file(part, str(tmp))
        os.replace(tmp, path)
        paths.append(path)
    return paths


def load_weights(model: Any, folder: Path, pattern: str) -> None:
    """Load the ``pattern`` safetensors files of ``folder`` (fp16 or fp32) into ``model``, all of
    it but the weights tied to others; exits with a message when none are there or they do not
    fit."""
    from safetensors.torch import load_file

    files = sorted(folder.glob(pattern))
    if not files:
        sys.exit(f"no {pattern} in {folder}")
    state: dict[str, Any] = {}
    for f in files:
        state.update({k: v.float() for k, v in load_file(str(f)).items()})
    missing, unexpected = model.load_state_dict(state, strict=False)
    tied = set(model.state_dict()) - set(unique_state(model))
    if unexpected or set(missing) - tied:
        sys.exit(f"{folder}: weights do not fit the model ({unexpected or missing})")


def load_parts(model: Any, folder: Path, prefix: str) -> None:
    """Load weights written by :func:`save_parts` into a Marian ``model``."""
    load_weights(model, folder, f"{prefix}-*.safetensors")
    zero_start_embedding(model)


# ---------------------------------------------------------------------------- pack (here)


def pack(args: argparse.Namespace) -> None:
    import sentencepiece as spm
    import torch
    from train_marian import dev_sets, extra_lines
    from transformers import MarianMTModel

    from mt.translate import source_preparation, split_elisions, split_open_marks

    init = Path(args.init)
    run = RUNS / args.name
    stream = RUNS / "data" / "stream.tsv"
    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    info = json.loads((init / "training.json").read_text())
    if not args.no_init:
        model = MarianMTModel.from_pretrained(init)
        save_parts(model, out, "init", torch.float16)
    shutil.copy(init / "source.spm", out / "spm.model")
    sp = spm.SentencePieceProcessor(model_file=str(out / "spm.model"))
    if args.from_line is not None:
        start = args.from_line
    else:
        # the part of the current epoch the CPU trainer has not reached yet
        ck = torch.load(run / "last.pt", map_location="cpu", weights_only=False)["state"]
        start = ck["chunk"] * CHUNK + (CHUNK if ck["batch"] else 0)
    # a model trained on split sources goes on training on them: the GPU side needs no mt code
    split = args.split_elisions or source_preparation(init).get("split_elisions", False)
    # and one trained on split targets (train_marian.py --split-targets) on those
    split_targets = info.get("split_targets_from_tokens") is not None

    def prepared(rows: list[str]) -> list[str]:
        if not (split or split_targets):
            return rows
        return [
            (split_elisions(fr) if split else fr)
            + "\t"
            + (split_open_marks(en) if split_targets else en)
            for fr, en in (x.split("\t", 1) for x in rows)
        ]

    budget = int(args.max_mb * 1e6)
    # each upweighted corpus travels once with its number of copies; ``run`` repeats it there
    # (copies shuffled into the stream sat further apart than xz looks back: each cost in full)
    extras = []
    for i, item in enumerate(args.extra):
        rows = extra_lines([item])  # every pair COPIES times; exits on a malformed item
        copies = int(item.partition("=")[2])
        rows = prepared(rows[: len(rows) // copies] if copies else [])
        blob = lzma.compress("".join(rows).encode(), preset=9)
        (out / f"extra-{i}.tsv.xz").write_bytes(blob)
        extras.append({"file": f"extra-{i}.tsv.xz", "copies": copies, "lines": len(rows)})
        budget -= len(blob)
    pool: list[str] = []
    room = budget * 7  # more text than xz can fit into the budget
    # from ``start`` to the end of the stream, then on from its beginning while room is left
    for lo, hi in ((start, None), (0, start)):
        with open(stream, encoding="utf-8") as fh:
            for i, line in enumerate(fh):
                if i < lo or room <= 0:
                    continue
                if hi is not None and i >= hi:
                    break
                pool.append(line)
                room -= len(line.encode())
    pool = prepared(pool)
    # xz's ratio grows with the amount of text: guess the line count from a 100k-line sample,
    # then correct it from each pass (minutes each at preset 9) until the budget is nearly full
    sample = "".join(pool[:100_000]).encode()
    ratio = len(sample) / len(lzma.compress(sample, preset=9))
    raw_limit, n = budget * ratio, 0
    while n < len(pool) and raw_limit > 0:
        raw_limit -= len(pool[n].encode())
        n += 1
    for _ in range(4):
        lines = pool[:n]
        blob = lzma.compress("".join(lines).encode(), preset=9)
        if 0.97 * budget <= len(blob) <= budget or (n == len(pool) and len(blob) <= budget):
            break
        n = min(len(pool), int(n * budget / len(blob) * 0.985))
    while len(blob) > budget:
        lines = lines[: int(len(lines) * budget / len(blob) * 0.98)]
        blob = lzma.compress("".join(lines).encode(), preset=9)
    (out / "train.tsv.xz").write_bytes(blob)
    src, ref = dev_sets(args.dev_lines, split)
    (out / "dev.fr").write_text("\n".join(src) + "\n", encoding="utf-8")
    (out / "dev.en").write_text("\n".join(ref) + "\n", encoding="utf-8")
    meta = {
        "size": info["size"],
        "vocab": sp.get_piece_size(),
        "init": str(init),
        "init_steps": info["steps"],
        "init_tokens": info["target_tokens"],
        "init_seconds": info["train_seconds"],
        "init_gpu_seconds": info.get("gpu_seconds", 0),
        "from_line": start,
        "lines": len(lines),
        "extra_files": extras,
        "split_elisions": split,
        "split_from_tokens": info.get(
            "split_from_tokens", info["target_tokens"] if split else None
        ),
        "split_targets_from_tokens": info.get("split_targets_from_tokens"),
        "extra": args.extra,
        "init_extra_runs": info.get("extra_runs", []),
    }
    (out / "meta.json").write_text(json.dumps(meta, indent=1))
    total = sum(f.stat().st_size for f in out.iterdir()) / 2**20
    print(
        f"packed {len(lines):,} pairs from line {start:,}; {out} holds {total:.1f} MiB", flush=True
    )


# ---------------------------------------------------------------------------- run (there)


def read_pairs(path: Path, sp: Any) -> list[tuple[list[int], list[int]]]:
    """The ``fr<TAB>en`` lines of an xz file, encoded as training pairs."""
    text = lzma.decompress(path.read_bytes()).decode("utf-8")
    fr, en = [], []
    for line in text.splitlines():
        a, _, b = line.partition("\t")
        if a and b:
            fr.append(a)
            en.append(b)
    threads = os.cpu_count() or 1
    ids_fr = sp.encode(fr, num_threads=threads)
    ids_en = sp.encode(en, num_threads=threads)
    return training_pairs(ids_fr, ids_en)


def load_pairs(data: Path, sp: Any, valid: int, seed: int) -> tuple[list[Any], list[Any]]:
    """Held-out pairs (the slice's first ``valid``) and training pairs: the rest of the slice
    and each upweighted corpus of the pack its number of times, shuffled together."""
    pairs = read_pairs(data / "train.tsv.xz", sp)
    held, train = pairs[:valid], pairs[valid:]
    meta = json.loads((data / "meta.json").read_text())
    for extra in meta.get("extra_files", []):
        train.extend(read_pairs(data / extra["file"], sp) * extra["copies"])
    # the batcher sorts by length, stably: shuffled first, copies of a pair fall into
    # different batches
    random.Random(seed).shuffle(train)
    return held, train


def batches_forever(pairs, budget: int, pad: int, seed: int, pad_to: int = 1):  # type: ignore[no-untyped-def]
    """Collated batches from a background thread, epoch after epoch (a new shuffle each).

    Yields ``(epoch, batch, ready)``, ``ready`` the batches waiting (0 often: data-bound).
    """
    q: queue.Queue = queue.Queue(maxsize=16)

    def work() -> None:
        epoch = 0
        while True:
            for batch in make_batches(pairs, budget, random.Random(seed + epoch)):
                q.put((epoch, collate(batch, pad, pad_to)))
            epoch += 1

    threading.Thread(target=work, daemon=True).start()
    while True:
        ready = q.qsize()
        yield (*q.get(), ready)


def history_after(info: dict[str, Any]) -> dict[str, Any]:
    """The model's step, token and GPU-second counts and upweighted-corpus runs once the run
    recorded in ``info`` (a ``run.json``) is added to the history it started from."""
    return {
        "steps": info["init_steps"] + info["steps"],
        "tokens": info["init_tokens"] + info["tokens"],
        "gpu_seconds": info.get("init_gpu_seconds", 0) + info["seconds"],
        # corpora a run upweighted (pack --extra), and the target tokens the run trained on
        "extra_runs": [
            *info.get("init_extra_runs", []),
            *([{"extra": info["extra"], "tokens": info["tokens"]}] if info.get("extra") else []),
        ],
    }


def start_run(
    data: Path, seed: int, cudnn_attention: bool = False, init_from: Path | None = None
) -> tuple[Any, ...]:
    """Device, pack metadata, SentencePiece model and the packed model, for a run on ``data``.

    With ``init_from`` (an earlier run's ``--out``, carried along: the device machine keeps
    nothing under ``runs/`` between calls) the weights are that run's and the metadata counts its
    steps, tokens and seconds as the model's history.

    On CUDA: TF32 matmuls, and cuDNN attention off unless asked for — it builds a plan for each
    new batch shape, which slows the first epoch, where every shape is new
    (docs/design/decisions.md, "GPU runs").
    """
    import sentencepiece as spm
    import torch

    if not (data / "meta.json").is_file():
        sys.exit(f"{data}: no meta.json there (not a folder written by train_gpu.py pack)")
    meta = json.loads((data / "meta.json").read_text())
    device = torch.device("cuda" if torch.cuda.is_available() else "cpu")
    if device.type == "cuda":
        torch.backends.cuda.matmul.allow_tf32 = True
        if hasattr(torch.backends.cuda, "enable_cudnn_sdp") and not cudnn_attention:
            torch.backends.cuda.enable_cudnn_sdp(False)
        print(torch.cuda.get_device_name(), flush=True)
    torch.manual_seed(seed)
    sp = spm.SentencePieceProcessor(model_file=str(data / "spm.model"))
    model = new_model(meta["vocab"], meta["size"])
    if init_from is None:
        load_parts(model, data, "init")
        return device, meta, sp, model
    if not (init_from / "run.json").is_file():
        sys.exit(f"--init-from {init_from}: no run.json there (not an earlier run's --out)")
    prev = json.loads((init_from / "run.json").read_text())
    if (prev["vocab"], prev["size"]) != (meta["vocab"], meta["size"]):
        sys.exit(f"--init-from {init_from}: another model than the pack's")
    kept = [n for n in ("ema", "raw") if any(init_from.glob(f"{n}-*.safetensors"))]
    if not kept:
        sys.exit(f"--init-from {init_from}: no weights there")
    load_parts(model, init_from, kept[0])
    done = history_after(prev)
    meta.update(
        init_steps=done["steps"],
        init_tokens=done["tokens"],
        init_gpu_seconds=done["gpu_seconds"],
        init_extra_runs=done["extra_runs"],
    )
    for key in ("init", "init_seconds", "split_from_tokens", "split_targets_from_tokens"):
        meta[key] = prev.get(key, meta.get(key))
    print(f"going on from {init_from} ({kept[0]} weights)", flush=True)
    return device, meta, sp, model


def train_run(args: argparse.Namespace) -> None:
    import torch

    t_start = time.time()
    data, out = Path(args.data), Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    device, meta, sp, model = start_run(
        data, args.seed, args.cudnn_attention, Path(args.init_from) if args.init_from else None
    )
    model.to(device).train()
    pad = model.config.pad_token_id
    valid, pairs = load_pairs(data, sp, args.valid, args.seed)
    n_tok = sum(len(t) for _, t in pairs)
    print(
        f"{len(pairs):,} training pairs ({n_tok:,} target tokens), {len(valid):,} held out; "
        f"loaded in {time.time() - t_start:.0f} s",
        flush=True,
    )
    fused = {"fused": True} if device.type == "cuda" else {}
    opt = torch.optim.AdamW(
        model.parameters(), lr=args.lr, betas=(0.9, 0.98), eps=1e-9, weight_decay=0.0, **fused
    )
    params = list(model.parameters())
    ema = [p.detach().clone() for p in params]
    valid_batches = [
        collate(b, pad) for b in make_batches(valid, args.batch_tokens, random.Random(0))
    ]

    def valid_loss() -> float:
        model.eval()
        total, count = 0.0, 0
        with torch.inference_mode(), torch.autocast(device.type, dtype=torch.bfloat16):
            for src, mask, dec, tgt in valid_batches:
                src, mask, dec, tgt = (t.to(device) for t in (src, mask, dec, tgt))
                logits = model(input_ids=src, attention_mask=mask, decoder_input_ids=dec).logits
                total += float(
                    torch.nn.functional.cross_entropy(
                        logits.float().view(-1, logits.shape[-1]),
                        tgt.view(-1),
                        ignore_index=-100,
                        reduction="sum",
                    )
                )
                count += int((tgt != -100).sum())
        model.train()
        return total / max(count, 1)

    def swap_ema() -> None:
        with torch.no_grad():
            for p, e in zip(params, ema, strict=True):
                tmp = p.detach().clone()
                p.copy_(e)
                e.copy_(tmp)

    log = open(out / "log.txt", "a", encoding="utf-8")  # noqa: SIM115 - closed at exit

    def say(msg: str) -> None:
        print(msg, flush=True)
        log.write(msg + "\n")
        log.flush()

    state = {"steps": 0, "tokens": 0, "seconds": 0.0, "epoch": 0}

    def save() -> None:
        save_parts(model, out, "raw", torch.float32)
        swap_ema()
        save_parts(model, out, "ema", torch.float16)
        swap_ema()
        (out / "run.json").write_text(json.dumps({**meta, **state, "args": vars(args)}, indent=1))

    say(f"valid loss at start {valid_loss():.4f}")
    budget_s = args.minutes * 60
    t0 = time.time()
    last_save = t0
    loss_sum = torch.zeros((), device=device)
    tok_sum = torch.zeros((), device=device, dtype=torch.long)
    mark_t, mark_tok, n_loss = t0, 0, 0
    starved = 0  # steps since the last log line that found no batch ready
    batches = batches_forever(pairs, args.batch_tokens, pad, args.seed, args.pad_to)
    for epoch, (src, mask, dec, tgt), ready in batches:
        elapsed = time.time() - t0
        if elapsed >= budget_s:
            break
        state["epoch"] = epoch
        progress = elapsed / budget_s
        lr = args.lr * min(1.0, (state["steps"] + 1) / args.warmup)
        if progress > 1 - args.cooldown:
            lr *= (1 - progress) / args.cooldown
        batch = tuple(t.to(device) for t in (src, mask, dec, tgt))
        loss = train_step(model, opt, batch, lr, device.type)
        tgt = batch[3]
        with torch.no_grad():
            torch._foreach_lerp_(ema, [p.detach() for p in params], 1 - args.ema)
        loss_sum += loss
        n_loss += 1
        starved += ready == 0
        state["steps"] += 1
        tok_sum += (tgt != -100).sum()  # summed on the GPU: no sync per step
        if state["steps"] % args.log_every == 0:
            now = time.time()
            state["tokens"] = int(tok_sum)
            say(
                f"step {state['steps']} epoch {epoch} loss {float(loss_sum) / n_loss:.3f} "
                f"lr {lr:.2e} tokens {state['tokens']:,} "
                f"({(state['tokens'] - mark_tok) / (now - mark_t):,.0f} tok/s, "
                f"{starved} steps found no batch ready)"
            )
            starved = 0
            loss_sum.zero_()
            n_loss, mark_t, mark_tok = 0, now, state["tokens"]
        # an early save tries the saving code before minutes of GPU time depend on it
        if state["steps"] == 50 or time.time() - last_save > args.save_minutes * 60:
            state["seconds"] = round(time.time() - t0, 1)
            state["tokens"] = int(tok_sum)
            say(f"valid loss {valid_loss():.4f} (EMA weights not shown); saving")
            save()
            last_save = time.time()
    state["seconds"] = round(time.time() - t0, 1)
    state["tokens"] = int(tok_sum)
    say(f"valid loss at end {valid_loss():.4f}")
    save()
    src_dev = (data / "dev.fr").read_text(encoding="utf-8").splitlines()
    ref_dev = (data / "dev.en").read_text(encoding="utf-8").splitlines()
    scores = {}
    for name in ("raw", "ema"):
        if name == "ema":
            swap_ema()
            say(f"ema valid loss {valid_loss():.4f}")
        ev = greedy_bleu(model, sp, src_dev, ref_dev, batch=128)
        scores[name] = ev["bleu"]
        say(f"{name} dev greedy: {ev}")
    if args.keep_best:
        # the device returns at most 64 MiB: drop the weaker set so other results fit beside it
        worse = "raw" if scores["ema"] >= scores["raw"] else "ema"
        for old in out.glob(f"{worse}-*.safetensors"):
            old.unlink()
        say(f"kept the {'ema' if worse == 'raw' else 'raw'} weights; {worse} weights removed")
    say(f"done in {time.time() - t_start:.0f} s")


# ---------------------------------------------------------------------------- unpack (here)


def unpack(args: argparse.Namespace) -> None:
    import sentencepiece as spm
    import torch
    from train_marian import dev_bleu

    src = Path(args.source)
    if not (src / "run.json").is_file():
        sys.exit(f"--from {src}: no run.json there (not a folder a GPU run returned)")
    info = json.loads((src / "run.json").read_text())
    run = RUNS / args.name
    sp = spm.SentencePieceProcessor(model_file=str(RUNS / "data" / "spm.model"))
    if sp.serialized_model_proto() != (Path(info["init"]) / "source.spm").read_bytes():
        sys.exit("runs/data/spm.model is not the vocabulary the GPU run trained with")
    model = new_model(info["vocab"], info["size"])
    best: tuple[float, str, dict] | None = None
    names = [n for n in ("raw", "ema") if any(src.glob(f"{n}-*.safetensors"))]
    if not names:
        sys.exit(f"{src} holds no raw-*.safetensors or ema-*.safetensors weights")
    for name in names:
        load_parts(model, src, name)
        ev = dev_bleu(model, sp, args.dev_lines, split=bool(info.get("split_elisions")))
        print(f"{name}: {ev}", flush=True)
        if best is None or ev["bleu"] > best[0]:
            best = (ev["bleu"], name, {k: v.clone() for k, v in model.state_dict().items()})
    assert best is not None
    _, name, weights = best
    model.load_state_dict(weights)
    ev = dev_bleu(model, sp, 300, split=bool(info.get("split_elisions")))  # the curve's dev size
    done = history_after(info)
    state = {
        "step": done["steps"],
        # the GPU run read its own slice of the stream: the CPU trainer starts a new pass
        "chunk": 0,
        "batch": 0,
        "tokens": done["tokens"],
        "seconds": float(info["init_seconds"]),
        "gpu_seconds": done["gpu_seconds"],
        "best_bleu": ev["bleu"],
    }
    if info.get("split_elisions"):
        state.update(split_elisions=True, split_from_tokens=info.get("split_from_tokens"))
    state["split_targets_from_tokens"] = info.get("split_targets_from_tokens")
    state["extra_runs"] = done["extra_runs"]
    tag = f"{state['step']:07d}"
    torch.save({"model": model.state_dict(), "state": state}, run / f"ckpt-{tag}.pt")
    opt = torch.optim.AdamW(model.parameters())  # fresh moments: the GPU run's stayed there
    torch.save(
        {
            "model": model.state_dict(),
            "opt": opt.state_dict(),
            "state": state,
            "size": info["size"],
        },
        run / "last.pt",
    )
    rec = {
        "step": state["step"],
        "tokens": state["tokens"],
        "train_seconds": round(state["seconds"]),
        "gpu_seconds": round(state["gpu_seconds"]),
        "time": time.strftime("%Y-%m-%d %H:%M:%S"),
        **ev,
    }
    with open(run / "log.jsonl", "a", encoding="utf-8") as log:
        log.write(json.dumps(rec, ensure_ascii=False) + "\n")
    print(f"kept {name} as {run / f'ckpt-{tag}.pt'}: {rec}", flush=True)


def main() -> None:
    p = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    sub = p.add_subparsers(dest="cmd", required=True)
    pp = sub.add_parser("pack", help="weights and a slice of the stream for the GPU machine")
    pp.add_argument("--name", default="fr-en-small")
    pp.add_argument("--init", default=str(ROOT / "mt" / "models" / "fr-en-small"))
    pp.add_argument("--out", default=str(ROOT / "gpu"))
    pp.add_argument("--max-mb", type=float, default=36.0, help="compressed training text, MB")
    pp.add_argument("--from-line", type=int, default=None)
    pp.add_argument("--dev-lines", type=int, default=500)
    pp.add_argument(
        "--split-elisions",
        action="store_true",
        help="split elisions and opening quotes in the French (the model then declares it)",
    )
    pp.add_argument(
        "--extra",
        action="append",
        default=[],
        metavar="CORPUS=COPIES",
        help="add every pair of a ../shared/data/train corpus COPIES more times (repeatable)",
    )
    pp.add_argument(
        "--no-init",
        action="store_true",
        help="leave the weights out: the run goes on from an earlier run's (run --init-from)",
    )
    pr = sub.add_parser("run", help="train on the GPU machine (or the CPU, for a smoke test)")
    pr.add_argument("--data", default=str(ROOT / "gpu"))
    pr.add_argument("--out", required=True)
    pr.add_argument("--minutes", type=float, default=7.0)
    pr.add_argument("--batch-tokens", type=int, default=32_000)
    pr.add_argument("--lr", type=float, default=7e-4)
    pr.add_argument("--warmup", type=int, default=300)
    pr.add_argument("--cooldown", type=float, default=0.4, help="share of the time to decay lr")
    pr.add_argument("--ema", type=float, default=0.999)
    pr.add_argument("--valid", type=int, default=2000)
    pr.add_argument("--save-minutes", type=float, default=1.5)
    pr.add_argument("--log-every", type=int, default=100)
    pr.add_argument("--seed", type=int, default=0)
    pr.add_argument(
        "--keep-best",
        action="store_true",
        help="at the end keep only the weights (raw or EMA) with the higher dev BLEU",
    )
    pr.add_argument(
        "--cudnn-attention",
        action="store_true",
        help="let attention use cuDNN (a plan per batch shape: slow first epoch)",
    )
    pr.add_argument(
        "--pad-to", type=int, default=8, help="pad lengths to a multiple of this (tensor cores)"
    )
    pr.add_argument(
        "--init-from",
        default=None,
        help="go on from an earlier run's --out folder (carried in the pack), not the pack's weights",
    )
    pu = sub.add_parser("unpack", help="turn a GPU run's weights into a checkpoint in runs/")
    pu.add_argument("--from", dest="source", required=True)
    pu.add_argument("--name", default="fr-en-small")
    pu.add_argument("--dev-lines", type=int, default=500)
    args = p.parse_args()
    {"pack": pack, "run": train_run, "unpack": unpack}[args.cmd](args)


if __name__ == "__main__":
    sys.exit(main())
