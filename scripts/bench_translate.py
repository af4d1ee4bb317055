"""Translation speed: a naive transformers loop vs the project's torch and CTranslate2 paths.

    python scripts/bench_translate.py                      # both tables (bundled model, opus-mt shape)
    python scripts/bench_translate.py --only bundled --lines 300

Each configuration runs in a fresh subprocess so that its peak RSS is its own. Paths:
  naive  transformers, fixed batches of 32 in file order, no length sorting (what most users write)
  torch  the project's Translator on torch (length-sorted, token-budget batches)
  ct2    the project's Translator on CTranslate2 int8, decoding over the full vocabulary
  ct2+vmap  the same, over a vocabulary map (vmap.txt, scripts/build_vmap.py; built into a copy of
         the model under runs/bench/ when the model has none)
Table 1 uses the bundled model on newstest2013 and reports BLEU per path. Table 2 uses a
random-weight model of exactly opus-mt-fr-en's shape with output lengths fixed (every path emits
the same number of tokens), so that the speed is what the real opus-mt model would give; the
project's paths include the log-probability pass they make on real outputs (torch and ct2+vmap:
a forced-decoding pass; plain ct2 reuses its decoding scores). Its
vocabulary map is built by scripts/build_vmap.py with the same settings as the bundled model's,
over the bundled SentencePiece pieces (opus-mt's own pieces are finer, so its map differs).
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
DATA = ROOT.parent / "shared" / "data" / "eval"
OPUS_DIR = ROOT / "runs" / "bench" / "opus-mt-shape"
FIXED_LEN = 32
PATHS = ("naive", "torch", "ct2", "ct2+vmap")


def build_opus_shape(out: Path, spm_dir: Path) -> Path:
    """A Marian model with opus-mt-fr-en's shape (random weights), tokenizer from ``spm_dir``."""
    import torch
    from marian_files import new_marian_model, write_tokenizer_files

    if (out / "config.json").exists():
        return out
    vocab = 59514  # opus-mt-fr-en's vocabulary size
    pad = write_tokenizer_files(spm_dir / "source.spm", out, vocab_size=vocab)
    torch.manual_seed(0)
    model = new_marian_model(
        pad,
        d_model=512,
        encoder_layers=6,
        decoder_layers=6,
        heads=8,
        ffn_dim=2048,
        activation_function="swish",
        scale_embedding=True,
    )
    model.save_pretrained(out)
    return out


def peak_rss_mb() -> float:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
    return 0.0


def worker(cfg: dict) -> dict:
    """One measurement (runs in its own process)."""
    src = cfg["src"]
    fixed = cfg["fixed"]
    from transformers import MarianTokenizer

    tok = MarianTokenizer.from_pretrained(cfg["model"])
    start = time.perf_counter()
    if cfg["path"] == "naive":
        import torch  # only here: the ct2 path must not pay for importing torch
        from transformers import MarianMTModel

        torch.set_num_threads(cfg["threads"])
        model = MarianMTModel.from_pretrained(cfg["model"]).eval()
        hyps: list[str] = []
        out_tokens = 0
        t0 = time.perf_counter()
        for k in range(0, len(src), 32):
            # truncation, as a naive loop does (the project's path splits long sentences instead)
            enc = tok(
                src[k : k + 32],
                return_tensors="pt",
                padding=True,
                truncation=True,
                max_length=model.config.max_position_embeddings - 2,
            )
            limit = min(256, model.config.max_position_embeddings - 2)
            kw = (
                {"min_new_tokens": fixed, "max_new_tokens": fixed}
                if fixed
                else {"max_new_tokens": limit}
            )
            with torch.inference_mode():
                out = model.generate(**enc, num_beams=cfg["beam"], **kw)
            if not fixed:  # random-weight models emit placeholder ids: nothing to read
                hyps += tok.batch_decode(out, skip_special_tokens=True)
            out_tokens += int((out[:, 1:] != model.config.pad_token_id).sum())
        seconds = time.perf_counter() - t0
    else:
        from mt.translate import Translator, length_batches

        tr = Translator(
            cfg["model"],
            beam=cfg["beam"],
            threads=cfg["threads"],
            backend="torch" if cfg["path"] == "torch" else "ct2",
            vmap=cfg["path"] == "ct2+vmap",
        )
        t0 = time.perf_counter()
        if fixed:
            # the project's batching and backend, with output length pinned
            ids = [tok(s)["input_ids"] for s in src]
            out_tokens = 0
            for batch in length_batches([len(i) for i in ids], tr.max_batch_tokens // tr.beam):
                src_ids = [ids[j] for j in batch]
                outs = tr.backend.generate(
                    src_ids, beam=tr.beam, max_new=fixed, min_new=fixed, guard=False
                )
                if cfg["path"] != "ct2":
                    # the log-probability pass the project's path makes for real outputs: torch
                    # always; ct2 over a vocabulary map, whose decoding scores are not the
                    # model's (plain ct2 reuses its decoding score for outputs that end in eos)
                    tr.backend.score(src_ids, outs)
                out_tokens += sum(len(o) for o in outs)
            hyps = []
        else:
            segs = tr.translate_segments(src)
            hyps = [s.translation for s in segs]
            out_tokens = sum(s.tgt_tokens for s in segs)
        seconds = time.perf_counter() - t0
    result = {
        "tokens_per_s": out_tokens / seconds,
        "sentences_per_s": len(src) / seconds,
        "peak_rss_mb": peak_rss_mb(),
        "load_s": t0 - start,
    }
    if cfg.get("ref"):
        import sacrebleu

        result["bleu"] = sacrebleu.corpus_bleu(hyps, [cfg["ref"]]).score
    return result


def run(cfg: dict) -> dict:
    proc = subprocess.run(
        [sys.executable, __file__, "--worker"],
        input=json.dumps(cfg),
        capture_output=True,
        text=True,
        check=False,
    )
    if proc.returncode != 0:
        raise SystemExit(
            f"worker failed for {cfg['path']}: {proc.stderr.strip().splitlines()[-1:]}"
        )
    return json.loads(proc.stdout.strip().splitlines()[-1])


def with_vmap(model: Path) -> Path:
    """``model`` itself when it has a vocabulary map, else a copy of it with one built.

    The copy is made again when the model's files change (a re-export keeps config.json
    identical, so the stamp of sizes and times is compared, as the ct2 conversion cache does).
    """
    from mt.translate.backends.ct2 import VMAP_FILE, source_stamp

    if (model / VMAP_FILE).is_file():
        return model
    copy = ROOT / "runs" / "bench" / f"{model.name}-vmap"
    stamp = copy / "copied-from.json"
    fresh = stamp.is_file() and stamp.read_text(encoding="utf-8") == source_stamp(model)
    if not (copy / VMAP_FILE).is_file() or not fresh:
        import shutil

        from build_vmap import write_vmap

        shutil.rmtree(copy, ignore_errors=True)
        shutil.copytree(model, copy, ignore=shutil.ignore_patterns("ct2-*"))
        write_vmap(copy)
        stamp.write_text(source_stamp(model), encoding="utf-8")
    return copy


def table(title: str, model: str, src: list[str], ref: list[str] | None, fixed: int, args) -> None:  # type: ignore[no-untyped-def]
    print(f"\n### {title}\n")
    cols = "| path | beam | threads | target tok/s | per thread | sent/s | peak RSS MB |"
    if ref:
        cols += " BLEU |"
    print(cols)
    print("|" + "---|" * (cols.count("|") - 1))
    mapped = str(with_vmap(Path(model))) if "ct2+vmap" in args.paths else model
    # convert for CTranslate2 once, untimed: the measured runs load the cached conversion
    for path, where in (("ct2", model), ("ct2+vmap", mapped)):
        cfg = {"path": path, "beam": 1, "threads": 1, "model": where, "src": src[:1]}
        run(cfg | {"ref": None, "fixed": fixed})
    naive: dict[tuple[int, int], float] = {}
    for beam in args.beams:
        for threads in args.threads:
            for path in ["naive", *(p for p in args.paths if p != "naive")]:
                r = run(
                    {
                        "path": path,
                        "beam": beam,
                        "threads": threads,
                        "model": mapped if path == "ct2+vmap" else model,
                        "src": src,
                        "ref": ref,
                        "fixed": fixed,
                    }
                )
                if path == "naive":
                    naive[(beam, threads)] = r["tokens_per_s"]
                speedup = r["tokens_per_s"] / naive[(beam, threads)]
                row = (
                    f"| {path} | {beam} | {threads} | {r['tokens_per_s']:.0f} (×{speedup:.1f}) | "
                    f"{r['tokens_per_s'] / threads:.0f} | {r['sentences_per_s']:.1f} | {r['peak_rss_mb']:.0f} |"
                )
                if ref:
                    row += f" {r['bleu']:.2f} |"
                print(row, flush=True)


def main() -> None:
    if "--worker" in sys.argv:
        print(json.dumps(worker(json.loads(sys.stdin.read()))))
        return
    p = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    p.add_argument("--model", default=None, help="default: the bundled model")
    p.add_argument("--lines", type=int, default=500)
    p.add_argument("--beams", type=int, nargs="+", default=[1, 4])
    p.add_argument("--threads", type=int, nargs="+", default=[1, 2])
    p.add_argument("--only", choices=["bundled", "opus"], default=None)
    p.add_argument(
        "--paths",
        nargs="+",
        choices=PATHS,
        default=list(PATHS),
        help="paths to measure (naive always runs: it is the baseline)",
    )
    args = p.parse_args()
    sys.path.insert(0, str(ROOT))
    from mt.translate.models import resolve

    model = resolve(args.model)
    src = (DATA / "newstest2013.fr").read_text(encoding="utf-8").splitlines()[: args.lines]
    ref = (DATA / "newstest2013.en").read_text(encoding="utf-8").splitlines()[: args.lines]
    print(f"{args.lines} lines of newstest2013; machine: {subprocess.getoutput('nproc')} cores")
    if args.only in (None, "bundled"):
        table(f"bundled model `{model.name}` (BLEU on these lines)", str(model), src, ref, 0, args)
    if args.only in (None, "opus"):
        opus = build_opus_shape(OPUS_DIR, model)
        table(
            f"opus-mt-fr-en shape (6+6 layers, d_model 512, vocab 59,514), random weights, {FIXED_LEN} output tokens each",
            str(opus),
            src,
            None,
            FIXED_LEN,
            args,
        )


if __name__ == "__main__":
    main()
