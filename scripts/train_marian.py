"""Train the project's offline French→English MarianMT model from ../shared/data.

Three steps, each resumable and safe to re-run:

    python scripts/train_marian.py prepare            # clean + mix corpora, train SentencePiece
    python scripts/train_marian.py train --hours 2    # train (resumes from runs/<name>/last.pt)
    python scripts/train_marian.py export             # average checkpoints, save into mt/models/

``focus`` writes a stream rich in English with opening quotes and brackets, for fine-tuning a
model on split targets (``train --split-targets --stream runs/data/focus.tsv``).

The exported directory loads with ``MarianMTModel.from_pretrained`` / ``MarianTokenizer`` exactly
like an OPUS-MT model. Run state (data stream, checkpoints, log) lives in ``runs/`` (git-ignored).
Write a number to ``runs/<name>/threads`` to change the trainer's thread count while it runs.
"""

from __future__ import annotations

import argparse
import gzip
import hashlib
import itertools
import json
import lzma
import os
import random
import re
import signal
import sys
import time
from collections.abc import Iterator
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from marian_files import train_sentencepiece  # noqa: E402
from marian_recipe import (  # noqa: E402
    collate,
    greedy_bleu,
    lr_at,
    make_batches,
    new_model,
    train_step,
    training_pairs,
    zero_start_embedding,
)
from model_card import write_card  # noqa: E402

from mt.translate import (  # noqa: E402
    SOURCE_PREPARE_FILE,
    join_open_quotes,
    split_elisions,
    split_open_marks,
)
from mt.translate import normalise as normalise_for_model  # noqa: E402

DATA = ROOT.parent / "shared" / "data"
RUNS = ROOT / "runs"

# How many times each corpus is sampled into the training stream (expected copies per pair).
# News is the target domain but tiny, so it is upsampled; Europarl is the closest large domain;
# laws, docs and captions are kept for coverage but down-weighted.
MIX = {
    "wmt-news-2008-2012.tsv.gz": 4.0,
    "europarl-v7.tsv.xz": 0.6,
    "tatoeba-2019.tsv.gz": 1.0,
    "multi30k-train.tsv.gz": 0.5,
    "wmt-biomed.tsv.gz": 0.7,
    "python-docs.tsv.gz": 0.3,
    "django-docs.tsv.gz": 0.3,
    "canada-laws.tsv.xz": 0.12,
}
# the seed of the stream's draws: prepare's copies of each pair, then its shuffle
STREAM_SEED = 1234

# ---------------------------------------------------------------------------- data preparation

_REST_ROLE = re.compile(r":[\w:.-]+:`(?:[^`<]*<)?([^`>]*)>?`")
_REST_LINK = re.compile(r"`([^`<]+?)(?:\s*<[^`>]*>)?`_{1,2}")
_REST_LIT = re.compile(r"``([^`]+)``")
_FR_WORDS = frozenset(
    "le la les des est une pour que qui dans pas sur avec sont nous vous il".split()
)
_EN_WORDS = frozenset("the and is are of to that this for with have was not you be it".split())


def normalise(text: str) -> str:
    """The inference side's normalisation (mt.translate.normalise), and a stray quote's space."""
    text = normalise_for_model(text)
    return re.sub(r'"\s+', '"', text) if text.count('"') == 1 else text


def strip_rest(text: str) -> str:
    """Turn reST roles/links/literals into their visible text."""
    text = _REST_ROLE.sub(r"\1", text)
    text = _REST_LINK.sub(r"\1", text)
    return _REST_LIT.sub(r"\1", text)


def _open(path: Path):  # type: ignore[no-untyped-def]
    if path.suffix == ".xz":
        return lzma.open(path, "rt", encoding="utf-8")
    return gzip.open(path, "rt", encoding="utf-8")


def keep_pair(fr: str, en: str) -> bool:
    """Length, ratio and crude language filters."""
    if not fr or not en or fr == en:
        return False
    wf, we = fr.split(), en.split()
    if not (1 <= len(wf) <= 80 and 1 <= len(we) <= 80):
        return False
    ratio = (len(fr) + 10) / (len(en) + 10)
    if not 0.5 <= ratio <= 2.2:
        return False
    lf = {w.lower() for w in wf}
    le = {w.lower() for w in we}
    # the French side must not look English, nor the English side French
    return not (
        len(lf & _EN_WORDS) > len(lf & _FR_WORDS) + 1
        or len(le & _FR_WORDS) > len(le & _EN_WORDS) + 1
    )


def read_corpus(name: str) -> Iterator[tuple[str, str]]:
    docs = "docs" in name
    with _open(DATA / "train" / name) as fh:
        for line in fh:
            parts = line.rstrip("\n").split("\t")
            if len(parts) != 2:
                continue
            fr, en = parts
            if docs:
                fr, en = strip_rest(fr), strip_rest(en)
            fr, en = normalise(fr), normalise(en)
            if keep_pair(fr, en):
                yield fr, en


def eval_sources() -> set[str]:
    """Every French line of the evaluation sets, normalised: kept out of training."""
    out: set[str] = set()
    for f in (DATA / "eval").glob("*.fr"):
        out.update(normalise(x) for x in f.read_text(encoding="utf-8").splitlines())
    return out


def stream_pairs(rng: random.Random) -> Iterator[tuple[str, str, str, int]]:
    """Each distinct pair of the corpora of :data:`MIX` as ``prepare`` draws it into the
    training stream: (corpus, French, English, copies). ``rng`` decides the copies of a
    corpus weighted under one, so ``random.Random(STREAM_SEED)`` draws them again: a pair
    drawn 0 times never enters the stream (``scripts/train_qe.py`` fits on such pairs)."""
    seen: set[bytes] = set()
    eval_fr = eval_sources()
    for name, weight in MIX.items():
        for fr, en in read_corpus(name):
            key = hashlib.blake2b(f"{fr}\t{en}".encode(), digest_size=12).digest()
            if key in seen or fr in eval_fr:
                continue
            seen.add(key)
            yield name, fr, en, int(weight) + (1 if rng.random() < weight - int(weight) else 0)


def prepare(args: argparse.Namespace) -> None:
    if args.vocab_from and not (Path(args.vocab_from) / "source.spm").is_file():
        sys.exit(f"--vocab-from {args.vocab_from}: no source.spm there (an exported model folder)")
    out = RUNS / "data"
    out.mkdir(parents=True, exist_ok=True)
    rng = random.Random(STREAM_SEED)
    stream: list[tuple[str, str]] = []
    stats = dict.fromkeys(MIX, 0)
    for name, fr, en, copies in stream_pairs(rng):
        stats[name] += 1
        stream.extend([(fr, en)] * copies)
    for name, kept in stats.items():
        print(f"{name}: {kept} pairs kept", flush=True)
    rng.shuffle(stream)
    with open(out / "stream.tsv", "w", encoding="utf-8") as fh:
        for fr, en in stream:
            fh.write(f"{fr}\t{en}\n")
    print(f"stream: {len(stream)} pairs", flush=True)

    if args.vocab_from:
        # a fresh machine going on with an exported model: its vocabulary, not a new one (a
        # re-trained SentencePiece model is not guaranteed to come out the same)
        (out / "spm.model").write_bytes((Path(args.vocab_from) / "source.spm").read_bytes())
    else:
        sample = rng.sample(stream, min(len(stream), 400_000))
        with open(out / "spm_train.txt", "w", encoding="utf-8") as fh:
            for fr, en in sample:
                fh.write(fr + "\n" + en + "\n")
        train_sentencepiece(
            out / "spm_train.txt",
            out / "spm",
            args.vocab,
            character_coverage=0.9999,
            input_sentence_size=800_000,
            shuffle_input_sentence=True,
            num_threads=2,
        )
        (out / "spm_train.txt").unlink()
    (out / "prepare.json").write_text(json.dumps({"kept": stats, "stream": len(stream)}, indent=1))


def focus(args: argparse.Namespace) -> None:
    """Write a stream of every pair whose English opens a quote or bracket on a word, with
    ``--others`` times as many other pairs drawn at random (so the rest is not forgotten)."""
    source = Path(args.stream)
    if not source.is_file():
        sys.exit(f"{source}: no stream (run `prepare` first)")
    rng = random.Random(4321)
    marked: list[str] = []
    others: list[str] = []
    with open(source, encoding="utf-8") as fh:
        for line in fh:
            en = line.rstrip("\n").split("\t", 1)[-1]
            (marked if split_open_marks(en) != en else others).append(line)
    picked = marked + rng.sample(others, min(len(others), int(len(marked) * args.others)))
    rng.shuffle(picked)
    out = Path(args.out)
    out.parent.mkdir(parents=True, exist_ok=True)
    with open(out, "w", encoding="utf-8") as fh:
        fh.writelines(picked)
    print(f"{out}: {len(marked):,} pairs with opening marks, {len(picked):,} in all", flush=True)


def extra_lines(extra: list[str]) -> list[str]:
    """``CORPUS=COPIES`` items as training lines: each cleaned pair of the corpus, COPIES times.

    Pairs whose French is in an evaluation set are left out, as in ``prepare``.
    """
    if not extra:
        return []
    eval_fr = eval_sources()
    out = []
    for item in extra:
        name, sep, copies = item.partition("=")
        if not sep or not copies.isdigit() or not (DATA / "train" / name).is_file():
            sys.exit(f"--extra {item!r}: expected CORPUS=COPIES with a file of {DATA / 'train'}")
        pairs = [f"{fr}\t{en}\n" for fr, en in read_corpus(name) if fr not in eval_fr]
        out.extend(pairs * int(copies))
    return out


def mix_in(lines: list[str], extra: list[str]) -> list[str]:
    """``lines`` with ``extra`` shuffled in (the stream itself is already shuffled)."""
    mixed = lines + extra
    random.Random(0).shuffle(mixed)
    return mixed


def mix(args: argparse.Namespace) -> None:
    """Write a stream of ``--lines`` stream pairs from ``--from-line`` with ``--extra`` corpora
    shuffled in (as ``train_gpu.py pack`` mixes them for a GPU run), and beside it a record of
    the mix that ``train --stream`` carries into the run and export into the model card."""
    source = Path(args.stream)
    if not source.is_file():
        sys.exit(f"{source}: no stream (run `prepare` first)")
    extra = extra_lines(args.extra)  # checks the --extra items before the long read
    with open(source, encoding="utf-8") as fh:
        lines = list(itertools.islice(fh, args.from_line, args.from_line + args.lines))
    if not lines:
        sys.exit(f"{source} has no lines from {args.from_line:,} on")
    out = Path(args.out)
    out.parent.mkdir(parents=True, exist_ok=True)
    with open(out, "w", encoding="utf-8") as fh:
        fh.writelines(mix_in(lines, extra))
    record = {"from_line": args.from_line, "lines": len(lines), "extra": args.extra}
    mix_record(out).write_text(json.dumps(record) + "\n")
    print(f"{out}: {len(lines):,} stream pairs and {len(extra):,} extra ones", flush=True)


def mix_record(stream: Path) -> Path:
    """Where ``mix`` records how it made ``stream``."""
    return stream.with_name(stream.name + ".mix.json")


# ---------------------------------------------------------------------------- data stream


def read_chunk(path: Path, start: int, size: int) -> list[tuple[str, str]]:
    out = []
    with open(path, encoding="utf-8") as fh:
        for i, line in enumerate(fh):
            if i < start:
                continue
            if i >= start + size:
                break
            fr, en = line.rstrip("\n").split("\t")
            out.append((fr, en))
    return out


# ---------------------------------------------------------------------------- evaluation


def dev_sets(n: int, split: bool = False) -> tuple[list[str], list[str]]:
    """The first ``n`` lines of newstest2013 (the dev set), the source prepared for the model."""
    src = [normalise(x) for x in (DATA / "eval" / "newstest2013.fr").read_text().splitlines()[:n]]
    if split:
        src = [split_elisions(x) for x in src]
    return src, (DATA / "eval" / "newstest2013.en").read_text().splitlines()[:n]


def dev_bleu(model, sp, n: int, beam: int = 1, split: bool = False) -> dict:  # type: ignore[no-untyped-def]
    """Greedy BLEU/chrF on the first ``n`` lines of newstest2013 (the dev set)."""
    # opening quotes joined as the translator joins them (models on split targets write them apart)
    return greedy_bleu(model, sp, *dev_sets(n, split), beam=beam, post=join_open_quotes)


# ---------------------------------------------------------------------------- training


def train(args: argparse.Namespace) -> None:
    import sentencepiece as spm
    import torch
    from transformers import MarianMTModel

    run = RUNS / args.name
    run.mkdir(parents=True, exist_ok=True)
    if args.init_from and not (run / "last.pt").exists():
        # keep the exported model's vocabulary (a re-run of `prepare` may not reproduce it)
        (RUNS / "data" / "spm.model").write_bytes(
            (Path(args.init_from) / "source.spm").read_bytes()
        )
    sp = spm.SentencePieceProcessor(model_file=str(RUNS / "data" / "spm.model"))
    vocab = sp.get_piece_size()
    threads_file = run / "threads"
    threads = int(threads_file.read_text()) if threads_file.exists() else args.threads
    torch.set_num_threads(threads)
    # subnormal floats (tiny attention probabilities and gradients) are slow on CPUs
    torch.set_flush_denormal(True)
    torch.manual_seed(0)

    model = new_model(vocab, args.size)
    opt = torch.optim.AdamW(
        model.parameters(), lr=args.lr, betas=(0.9, 0.98), eps=1e-9, weight_decay=0.0
    )
    state = {"step": 0, "chunk": 0, "batch": 0, "tokens": 0, "seconds": 0.0, "best_bleu": -1.0}
    last = run / "last.pt"
    if not last.exists() and args.init_from:
        # A fresh machine: continue from the exported model (weights only; new optimiser state).
        init = MarianMTModel.from_pretrained(args.init_from)
        model.load_state_dict(init.state_dict())
        info = json.loads((Path(args.init_from) / "training.json").read_text())
        # steps count from 0 again for the learning-rate schedule; logs and checkpoints go on
        # from the model's own step count, and its learning curve opens the run's log
        state.update(
            step=0,
            step_offset=info["steps"],
            tokens=info["target_tokens"],
            seconds=float(info["train_seconds"]),
            gpu_seconds=float(info.get("gpu_seconds", 0)),
        )
        state["chunk"] = args.start_chunk
        # what the exported model was trained on goes on being true of it
        if info.get("split_from_tokens") is not None:
            state.update(split_elisions=True, split_from_tokens=info["split_from_tokens"])
        state["split_targets_from_tokens"] = info.get("split_targets_from_tokens")
        state["extra_runs"] = info.get("extra_runs", [])
        record = mix_record(Path(args.stream))
        if record.is_file():
            # corpora this run's stream upweights: export adds them to extra_runs
            extra = json.loads(record.read_text())["extra"]
            state["stream_extra"] = {"extra": extra, "from_tokens": state["tokens"]}
        if info.get("curve") and not (run / "log.jsonl").exists():
            (run / "log.jsonl").write_text("".join(json.dumps(r) + "\n" for r in info["curve"]))
        print(f"initialised from {args.init_from} ({state['tokens']:,} target tokens)", flush=True)
    if last.exists():
        ck = torch.load(last, map_location="cpu", weights_only=False)
        model.load_state_dict(ck["model"])
        opt.load_state_dict(ck["opt"])
        state = ck["state"]
        print(f"resumed at step {state['step']} ({state['tokens']:,} target tokens)", flush=True)
    if args.split_elisions and not state.get("split_elisions"):
        state["split_elisions"] = True
        state["split_from_tokens"] = state["tokens"]
    split = bool(state.get("split_elisions"))
    if args.split_targets and state.get("split_targets_from_tokens") is None:
        if not split:
            # the translator joins what split_open_marks splits only for split-source models
            sys.exit("--split-targets needs a model trained on split sources (--split-elisions)")
        state["split_targets_from_tokens"] = state["tokens"]
    split_targets = state.get("split_targets_from_tokens") is not None
    model.train()
    pad = model.config.pad_token_id
    zero_start_embedding(model)
    stop = {"now": False}

    def _stop(*_: object) -> None:
        stop["now"] = True

    signal.signal(signal.SIGTERM, _stop)
    signal.signal(signal.SIGINT, _stop)

    def save(tag: str | None = None) -> None:
        ck = {
            "model": model.state_dict(),
            "opt": opt.state_dict(),
            "state": state,
            "size": args.size,
        }
        torch.save(ck, run / "last.tmp")
        os.replace(run / "last.tmp", last)
        if tag:
            torch.save({"model": model.state_dict(), "state": dict(state)}, run / f"ckpt-{tag}.pt")
            cks = sorted(run.glob("ckpt-*.pt"), key=lambda p: p.stat().st_mtime)
            for old in cks[: -args.keep]:
                old.unlink()

    deadline = time.time() + args.hours * 3600
    last_ckpt = time.time()
    stream = Path(args.stream)
    if not stream.is_file():
        sys.exit(f"{stream}: no training stream (run `prepare`, or `focus` for --stream)")
    # the run's place (chunk, batch) is a place in one stream: another stream would go on
    # from that place in different data, skipping its start
    read_before = state.get("stream")
    if read_before is not None and Path(read_before) != stream.resolve():
        sys.exit(
            f"run {run.name} reads {read_before} (chunk {state['chunk']}); --stream {stream} is "
            "another stream. Resume with the same --stream, or start a new run on it "
            "(--name NEW --init-from MODEL)."
        )
    state["stream"] = str(stream.resolve())
    chunk_size = 40_000
    log = open(run / "log.jsonl", "a", encoding="utf-8")  # noqa: SIM115 - closed at exit
    loss_avg, t_mark, tok_mark = None, time.time(), state["tokens"]
    while not stop["now"] and time.time() < deadline:
        rng = random.Random(state["chunk"])
        raw = read_chunk(stream, state["chunk"] * chunk_size, chunk_size)
        if not raw:  # end of stream: start another epoch
            state["chunk"], state["batch"] = 0, 0
            continue
        enc_fr = sp.encode([split_elisions(fr) if split else fr for fr, _ in raw])
        enc_en = sp.encode([split_open_marks(en) if split_targets else en for _, en in raw])
        pairs = training_pairs(enc_fr, enc_en)
        batches = make_batches(pairs, args.batch_tokens, rng)
        while state["batch"] < len(batches) and not stop["now"] and time.time() < deadline:
            t0 = time.time()
            src, mask, dec, tgt = collate(batches[state["batch"]], pad)
            lr = lr_at(state["step"] + 1, args.lr, args.warmup)
            left = deadline - time.time()
            # no cool-down asked: skip, as the deadline can pass between the loop's test and here
            if args.cooldown_minutes > 0 and left < args.cooldown_minutes * 60:
                # linear decay to zero over the run's last minutes (a "cool-down", as in
                # warmup-stable-decay schedules): the loss drops further than averaging alone
                lr *= max(left, 0.0) / (args.cooldown_minutes * 60)
            loss = train_step(model, opt, (src, mask, dec, tgt), lr, "cpu", args.bf16)
            state["step"] += 1
            state["batch"] += 1
            state["tokens"] += int((tgt != -100).sum())
            state["seconds"] += time.time() - t0
            value = float(loss.detach())
            loss_avg = value if loss_avg is None else 0.98 * loss_avg + 0.02 * value
            if state["step"] % 50 == 0:
                rate = (state["tokens"] - tok_mark) / (time.time() - t_mark)
                t_mark, tok_mark = time.time(), state["tokens"]
                print(
                    f"step {state['step']} loss {loss_avg:.3f} lr {opt.param_groups[0]['lr']:.2e} "
                    f"tokens {state['tokens']:,} ({rate:.0f} tok/s, {threads} threads)",
                    flush=True,
                )
                if threads_file.exists() and int(threads_file.read_text()) != threads:
                    threads = int(threads_file.read_text())
                    torch.set_num_threads(threads)
            if time.time() - last_ckpt > args.ckpt_minutes * 60:
                checkpoint(model, sp, state, log, args, save)
                last_ckpt = time.time()
        if state["batch"] >= len(batches):
            state["chunk"] += 1
            state["batch"] = 0
    checkpoint(model, sp, state, log, args, save)
    print("stopped; state saved", flush=True)


def checkpoint(model, sp, state, log, args, save) -> None:  # type: ignore[no-untyped-def]
    ev = dev_bleu(model, sp, args.dev_lines, split=bool(state.get("split_elisions")))
    rec = {
        "step": state["step"] + state.get("step_offset", 0),
        "tokens": state["tokens"],
        "train_seconds": round(state["seconds"]),
        "gpu_seconds": round(state.get("gpu_seconds", 0)),
        "time": time.strftime("%Y-%m-%d %H:%M:%S"),
        **ev,
    }
    log.write(json.dumps(rec, ensure_ascii=False) + "\n")
    log.flush()
    print(f"checkpoint: {rec}", flush=True)
    state["best_bleu"] = max(state["best_bleu"], ev["bleu"])
    save(tag=f"{rec['step']:07d}")


# ---------------------------------------------------------------------------- export


def export(args: argparse.Namespace) -> None:
    import sentencepiece as spm
    import torch
    from marian_files import write_tokenizer_files

    run = RUNS / args.name
    sp = spm.SentencePieceProcessor(model_file=str(RUNS / "data" / "spm.model"))
    cks = sorted(run.glob("ckpt-*.pt"))[-args.average :]
    if not cks:
        sys.exit(f"no checkpoints in {run}")
    loaded = [torch.load(c, map_location="cpu", weights_only=False) for c in cks]
    size = torch.load(run / "last.pt", map_location="cpu", weights_only=False).get("size", "small")
    split = bool(loaded[-1]["state"].get("split_elisions"))
    model = new_model(sp.get_piece_size(), size)
    candidates = {"last": loaded[-1]["model"]}
    if len(loaded) > 1:
        candidates["average"] = {
            k: sum(ck["model"][k].float() for ck in loaded) / len(loaded)
            for k in loaded[-1]["model"]
        }
    best_name, best_score, best_state = "", -1.0, None
    for name, sd in candidates.items():
        model.load_state_dict(sd)
        zero_start_embedding(model)
        ev = dev_bleu(model, sp, args.dev_lines, split=split)
        print(f"{name}: {ev}", flush=True)
        if ev["bleu"] > best_score:
            best_name, best_score, best_state = name, ev["bleu"], sd
    model.load_state_dict(best_state)
    zero_start_embedding(model)
    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    for old in out.glob("*.safetensors"):
        old.unlink()
    model.save_pretrained(out, max_shard_size="15MB")
    # Tokenizer files in OPUS-MT's layout: one joint SentencePiece model used for both sides.
    write_tokenizer_files(RUNS / "data" / "spm.model", out)
    # how the model's sources were prepared in training: the translator does the same
    (out / SOURCE_PREPARE_FILE).unlink(missing_ok=True)
    if split:
        (out / SOURCE_PREPARE_FILE).write_text(json.dumps({"split_elisions": True}) + "\n")
    (out / "vmap.txt").unlink(missing_ok=True)
    # the quality score's calibration belongs to the old weights' log-probability scale
    if (out / "quality.json").is_file():
        (out / "quality.json").unlink()
        print("removed quality.json: re-fit it with `python eval/quality.py --fit --write`")
    # so does the learned estimator, fitted on the old weights' translations
    if (out / "qe.json").is_file():
        (out / "qe.json").unlink()
        (out / "qe-model.txt").unlink(missing_ok=True)
        print("removed qe.json: re-fit it with `python scripts/train_qe.py`")
    if args.vmap:
        # a vocabulary map for the ct2 backend (scripts/build_vmap.py); off by default: with an
        # 8,000-piece vocabulary it does not pay for the log-probability pass it forces
        # (docs/design/decisions.md)
        from build_vmap import write_vmap

        write_vmap(out, RUNS / "data" / "stream.tsv")
    last_state = loaded[-1]["state"]
    info = {
        "selected": best_name,
        "averaged_checkpoints": [c.name for c in cks] if best_name == "average" else [cks[-1].name],
        "dev_bleu_greedy": best_score,
        "dev_lines": args.dev_lines,
        "steps": last_state["step"] + last_state.get("step_offset", 0),
        "target_tokens": last_state["tokens"],
        "train_seconds": round(last_state["seconds"]),
        "gpu_seconds": round(last_state.get("gpu_seconds", 0)),
        "split_from_tokens": last_state.get("split_from_tokens"),
        "split_targets_from_tokens": last_state.get("split_targets_from_tokens"),
        "extra_runs": extra_runs(last_state),
        "size": size,
        "curve": learning_curve(run),
    }
    (out / "training.json").write_text(json.dumps(info, indent=1))
    write_card(out, info, MIX)
    shown = {k: v for k, v in info.items() if k != "curve"}
    print(f"exported {best_name} to {out}: {shown}", flush=True)


def extra_runs(state: dict) -> list[dict]:
    """The runs that upweighted corpora, this one included when its stream came from ``mix``."""
    runs = list(state.get("extra_runs", []))
    mixed = state.get("stream_extra")
    if mixed and mixed["extra"]:
        tokens = state["tokens"] - mixed["from_tokens"]
        runs.append({"extra": mixed["extra"], "tokens": tokens, "cpu": True})
    return runs


def learning_curve(run: Path) -> list[dict]:
    """The run's checkpoint evaluations, one per step, without their sample translations."""
    # one row per step: a run stopped right after resuming logs the same checkpoint twice
    by_step = {}
    for line in (run / "log.jsonl").read_text().splitlines():
        if line.strip():
            rec = json.loads(line)
            rec.pop("sample", None)
            by_step[rec["step"]] = rec
    return [by_step[k] for k in sorted(by_step)]


def main() -> None:
    p = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    sub = p.add_subparsers(dest="cmd", required=True)
    pp = sub.add_parser("prepare")
    pp.add_argument("--vocab", type=int, default=8000)
    pp.add_argument(
        "--vocab-from",
        metavar="MODEL_DIR",
        help="copy this exported model's source.spm instead of training a vocabulary",
    )
    pt = sub.add_parser("train")
    pt.add_argument("--name", default="fr-en-small")
    pt.add_argument("--size", default="small", choices=["tiny", "small", "base"])
    pt.add_argument("--hours", type=float, default=2.0)
    pt.add_argument("--threads", type=int, default=2)
    pt.add_argument("--lr", type=float, default=1e-3)
    pt.add_argument("--warmup", type=int, default=1500)
    pt.add_argument("--batch-tokens", type=int, default=4000)
    pt.add_argument(
        "--cooldown-minutes",
        type=float,
        default=0.0,
        help="decay the learning rate linearly to zero over the last N minutes of --hours",
    )
    pt.add_argument("--bf16", action=argparse.BooleanOptionalAction, default=True)
    pt.add_argument(
        "--start-chunk",
        type=int,
        default=0,
        help="with --init-from: the stream chunk (40,000 lines) to start reading at",
    )
    pt.add_argument(
        "--split-elisions",
        action="store_true",
        help="train on sources with elisions and opening quotes split from words "
        "(mt.translate.split_elisions; kept in the run's state, declared by export)",
    )
    pt.add_argument(
        "--split-targets",
        action="store_true",
        help="train on English with opening quotes and brackets split from words "
        "(mt.translate.split_open_marks; the translator joins them back)",
    )
    pt.add_argument(
        "--stream",
        default=str(RUNS / "data" / "stream.tsv"),
        help="the training pairs (TSV), read in chunks of 40,000 lines",
    )
    pt.add_argument("--ckpt-minutes", type=float, default=20)
    pt.add_argument("--keep", type=int, default=5)
    pt.add_argument("--dev-lines", type=int, default=300)
    pt.add_argument(
        "--init-from",
        default=None,
        help="exported model dir to start from when runs/<name> has no checkpoint (e.g. mt/models/fr-en-small)",
    )
    pf = sub.add_parser("focus")
    pf.add_argument("--stream", default=str(RUNS / "data" / "stream.tsv"))
    pf.add_argument("--out", default=str(RUNS / "data" / "focus.tsv"))
    pf.add_argument(
        "--others", type=float, default=2.0, help="other pairs per pair with an opening mark"
    )
    pm = sub.add_parser("mix")
    pm.add_argument("--stream", default=str(RUNS / "data" / "stream.tsv"))
    pm.add_argument("--out", default=str(RUNS / "data" / "mix.tsv"))
    pm.add_argument("--from-line", type=int, default=0, help="first stream line taken")
    pm.add_argument("--lines", type=int, default=200_000, help="stream lines taken")
    pm.add_argument(
        "--extra",
        action="append",
        default=[],
        metavar="CORPUS=COPIES",
        help="a corpus of the training data mixed in COPIES times (repeatable)",
    )
    pe = sub.add_parser("export")
    pe.add_argument("--name", default="fr-en-small")
    pe.add_argument("--average", type=int, default=3)
    pe.add_argument("--dev-lines", type=int, default=500)
    pe.add_argument("--out", default=str(ROOT / "mt" / "models" / "fr-en-small"))
    pe.add_argument(
        "--vmap",
        action=argparse.BooleanOptionalAction,
        default=False,
        help="also build a CTranslate2 vocabulary map (pays off for large vocabularies only)",
    )
    args = p.parse_args()
    commands = {"prepare": prepare, "focus": focus, "mix": mix, "train": train, "export": export}
    commands[args.cmd](args)


if __name__ == "__main__":
    main()
