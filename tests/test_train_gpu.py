"""The GPU trainer's CPU path: pack layout in, weights in returnable parts out (scripts/train_gpu.py)."""

from __future__ import annotations

import gzip
import json
import lzma
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

SCRIPTS = Path(__file__).parent.parent / "scripts"
DATA = Path(__file__).parent / "data"
sys.path.insert(0, str(SCRIPTS))


def _tiny_pack(tiny_model: Path, pack: Path):  # type: ignore[no-untyped-def]
    """A pack folder as ``train_gpu.py pack`` writes it, over the tiny fixture model."""
    import sentencepiece as spm
    import torch
    from marian_recipe import new_model
    from train_gpu import save_parts

    pack.mkdir()
    shutil.copy(tiny_model / "source.spm", pack / "spm.model")
    vocab = spm.SentencePieceProcessor(model_file=str(pack / "spm.model")).get_piece_size()
    torch.manual_seed(0)
    model = new_model(vocab, "tiny")
    save_parts(model, pack, "init", torch.float16)
    rows = (DATA / "fixture.fr-en.tsv").read_text(encoding="utf-8").splitlines()
    (pack / "train.tsv.xz").write_bytes(lzma.compress(("\n".join(rows) + "\n").encode()))
    fr, en = zip(*(r.split("\t") for r in rows[:4]), strict=True)
    (pack / "dev.fr").write_text("\n".join(fr) + "\n", encoding="utf-8")
    (pack / "dev.en").write_text("\n".join(en) + "\n", encoding="utf-8")
    meta = {
        "size": "tiny",
        "vocab": vocab,
        "init": str(tiny_model),
        "init_steps": 0,
        "init_tokens": 0,
        "init_seconds": 0,
        "from_line": 0,
        "lines": len(rows),
    }
    (pack / "meta.json").write_text(json.dumps(meta))
    return model


def test_weights_round_trip_in_parts(tiny_model: Path, tmp_path: Path, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    import torch
    import train_gpu
    from marian_recipe import new_model

    model = _tiny_pack(tiny_model, tmp_path / "pack")
    monkeypatch.setattr(train_gpu, "PART_BYTES", 60_000)  # force several parts
    parts = train_gpu.save_parts(model, tmp_path, "w", torch.float32)
    assert len(parts) > 1 and all(p.stat().st_size < 200_000 for p in parts)
    other = new_model(model.config.vocab_size - 1, "tiny")
    train_gpu.load_parts(other, tmp_path, "w")
    for key, value in model.state_dict().items():
        assert torch.equal(value, other.state_dict()[key]), key
    # the tied copies of the shared embedding are tied again, not loaded as separate tensors
    assert other.lm_head.weight.data_ptr() == other.model.shared.weight.data_ptr()


def test_run_trains_and_returns_weights_in_parts(tiny_model: Path, tmp_path: Path) -> None:
    from marian_recipe import new_model
    from train_gpu import load_parts

    init = _tiny_pack(tiny_model, tmp_path / "pack")
    out = tmp_path / "out"
    cmd = [
        sys.executable,
        str(SCRIPTS / "train_gpu.py"),
        "run",
        "--data",
        str(tmp_path / "pack"),
        "--out",
        str(out),
        "--minutes",
        "0.05",
        "--batch-tokens",
        "400",
        "--valid",
        "4",
        "--log-every",
        "2",
        "--warmup",
        "2",
        "--lr",
        "3e-3",
        "--ema",
        "0.5",
    ]
    res = subprocess.run(cmd, capture_output=True, text=True, timeout=300)
    assert res.returncode == 0, res.stderr[-2000:]
    info = json.loads((out / "run.json").read_text())
    assert info["steps"] > 0 and info["tokens"] > 0
    assert "dev greedy" in (out / "log.txt").read_text()
    assert all(f.stat().st_size < 16 * 2**20 for f in out.iterdir())
    for name in ("raw", "ema"):
        model = new_model(init.config.vocab_size - 1, "tiny")
        load_parts(model, out, name)
        moved = max(
            float((a - b).detach().abs().max())
            for a, b in zip(model.parameters(), init.parameters(), strict=True)
        )
        assert moved > 1e-3, name  # trained, not the init weights handed back


def test_run_keep_best_returns_one_weight_set(tiny_model: Path, tmp_path: Path) -> None:
    _tiny_pack(tiny_model, tmp_path / "pack")
    out = tmp_path / "out"
    cmd = [
        *(sys.executable, str(SCRIPTS / "train_gpu.py"), "run", "--data", str(tmp_path / "pack")),
        *("--out", str(out), "--minutes", "0.02", "--batch-tokens", "400", "--valid", "4"),
        "--keep-best",
    ]
    res = subprocess.run(cmd, capture_output=True, text=True, timeout=300)
    assert res.returncode == 0, res.stderr[-2000:]
    kept = {f.name.split("-")[0] for f in out.glob("*.safetensors")}
    assert len(kept) == 1, kept
    assert f"kept the {kept.pop()} weights" in (out / "log.txt").read_text()


def test_collate_shifts_targets_into_the_decoder_input() -> None:
    from marian_recipe import collate

    src, mask, dec, tgt = collate([([5, 6, 0], [7, 8, 9, 0]), ([5, 0], [7, 0])], pad=99)
    assert src.tolist() == [[5, 6, 0], [5, 0, 99]]
    assert mask.tolist() == [[1, 1, 1], [1, 1, 0]]
    assert tgt.tolist() == [[7, 8, 9, 0], [7, 0, -100, -100]]
    assert dec.tolist() == [[99, 7, 8, 9], [99, 7, 99, 99]]


def test_load_parts_refuses_a_missing_set(tmp_path: Path) -> None:
    from marian_recipe import new_model
    from train_gpu import load_parts

    with pytest.raises(SystemExit, match="no raw-"):
        load_parts(new_model(50, "tiny"), tmp_path, "raw")


def test_collate_pads_to_a_multiple_without_changing_the_loss(tiny_model: Path) -> None:
    import torch
    from marian_recipe import collate, train_step
    from transformers import MarianMTModel

    batch = [([5, 6, 7, 0], [7, 8, 9, 0]), ([5, 0], [7, 0])]
    model = MarianMTModel.from_pretrained(tiny_model)
    pad = model.config.pad_token_id
    plain, padded = collate(batch, pad), collate(batch, pad, pad_to=8)
    assert [t.shape[1] for t in plain] == [4, 4, 4, 4]
    assert [t.shape[1] for t in padded] == [8, 8, 8, 8]
    opt = torch.optim.SGD(model.parameters(), lr=0.0)  # lr 0: the step leaves weights alone
    model.eval()  # no dropout: both losses from the same function
    losses = [float(train_step(model, opt, b, 0.0, bf16=False)) for b in (plain, padded)]
    assert abs(losses[0] - losses[1]) < 1e-5


def test_pack_extra_refuses_a_malformed_item() -> None:
    from train_marian import extra_lines, mix_in

    with pytest.raises(SystemExit, match="CORPUS=COPIES"):
        extra_lines(["tatoeba-2019.tsv.gz"])
    with pytest.raises(SystemExit, match="CORPUS=COPIES"):
        extra_lines(["no-such-corpus.tsv.gz=2"])
    mixed = mix_in(["a\tA\n", "b\tB\n"], ["c\tC\n"] * 2)
    assert sorted(mixed) == ["a\tA\n", "b\tB\n", "c\tC\n", "c\tC\n"]


def test_prepare_refuses_a_vocabulary_folder_without_one(tmp_path: Path) -> None:
    cmd = [
        sys.executable,
        str(SCRIPTS / "train_marian.py"),
        "prepare",
        "--vocab-from",
        str(tmp_path),
    ]
    res = subprocess.run(cmd, capture_output=True, text=True, timeout=120)
    assert res.returncode != 0
    assert "no source.spm" in res.stderr and "Traceback" not in res.stderr


def test_embed_run_trains_and_exports_an_encoder(tiny_model: Path, tmp_path: Path) -> None:
    import numpy as np

    from mt.align.embed import Embedder

    _tiny_pack(tiny_model, tmp_path / "pack")
    out, folder = tmp_path / "out", tmp_path / "encoder"
    script = str(SCRIPTS / "train_embed.py")
    run_args = ["--data", str(tmp_path / "pack"), "--out", str(out), "--minutes", "0.05"]
    run_args += ["--batch", "8", "--valid", "8", "--log-every", "2", "--warmup", "2"]
    res = subprocess.run(
        [sys.executable, script, "run", *run_args, "--merge-share", "0.5"],
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert res.returncode == 0, res.stderr[-2000:]
    info = json.loads((out / "embed.json").read_text())
    assert info["steps"] > 0 and info["device"] == "cpu"
    assert set(info["end"]) == {"fr_to_en", "en_to_fr", "pair_cosine", "merge_fr_to_en"}
    export = [sys.executable, script, "export", "--from", str(out), "--out", str(folder)]
    res = subprocess.run(
        [*export, "--init", str(tiny_model)], capture_output=True, text=True, timeout=300
    )
    assert res.returncode == 0, res.stderr[-2000:]
    assert "| 1 | CPU |" in (folder / "README.md").read_text()
    vectors = Embedder(folder).vectors(["Il pleut.", "Le chat dort."], "fr")
    assert vectors.shape == (2, 64) and np.isfinite(vectors).all()
    # a later run goes on from the exported encoder: it starts where the first one ended
    again = [*run_args[:2], "--out", str(tmp_path / "again"), *run_args[4:]]
    res = subprocess.run(
        [sys.executable, script, "run", *again, "--init-encoder", str(folder)],
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert res.returncode == 0, res.stderr[-2000:]
    second = json.loads((tmp_path / "again" / "embed.json").read_text())
    assert second["init_encoder"] == folder.name
    assert second["start"]["pair_cosine"] == pytest.approx(info["end"]["pair_cosine"], abs=2e-3)
    # its export lists both runs, the first as the first export recorded it
    export = [sys.executable, script, "export", "--from", str(tmp_path / "again")]
    res = subprocess.run(
        [*export, "--out", str(tmp_path / "encoder2"), "--init", str(tiny_model)],
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert res.returncode == 0, res.stderr[-2000:]
    runs = json.loads((tmp_path / "encoder2" / "training.json").read_text())["stages"]
    assert [r["steps"] for r in runs] == [info["steps"], second["steps"]]
    assert runs[1]["init_encoder"] == folder.name and runs[0]["merge_share"] == 0.5
    assert "| 2 | CPU |" in (tmp_path / "encoder2" / "README.md").read_text()
    res = subprocess.run(
        [sys.executable, script, "run", *again, "--init-encoder", str(tiny_model)],
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert res.returncode != 0 and "weights do not fit the model" in res.stderr


def test_merged_rows_sum_their_parts() -> None:
    import random

    import torch
    from train_embed import merged_rows, with_merges

    batch = [([i, i + 1, 0], [i + 2, 0]) for i in range(10, 18)]
    merges, fr_joined, en_joined = merged_rows(batch, 2, random.Random(0))
    assert len(merges) == 2 and len({i for m in merges for i in m}) == 4
    (p0, q0), (p1, q1) = merges
    # one merge joined in French, the other in English: the first text's eos dropped
    assert fr_joined == [batch[p0][0][:-1] + batch[q0][0]]
    assert en_joined == [batch[p1][1][:-1] + batch[q1][1]]
    fr, en = torch.randn(8, 4), torch.randn(8, 4)
    fr_len, en_len = torch.full((8,), 3.0), torch.full((8,), 2.0)
    joined = (torch.randn(1, 4), torch.randn(1, 4))
    a, b = with_merges((fr, en), (fr_len, en_len), joined, merges)
    assert a.shape == b.shape == (10, 4)
    torch.testing.assert_close(a[8], joined[0][0])  # French joined, English summed apart
    torch.testing.assert_close(b[8], 2 * (en[p0] + en[q0]))
    torch.testing.assert_close(a[9], 3 * (fr[p1] + fr[q1]))
    torch.testing.assert_close(b[9], joined[1][0])
    assert merged_rows(batch, 5, random.Random(0)) == ([], [], [])  # not enough pairs: none


def test_focus_keeps_every_pair_with_an_opening_mark(tmp_path: Path) -> None:
    stream = tmp_path / "stream.tsv"
    marked = [f'Il a dit « oui {i} ».\tHe said "yes {i}".\n' for i in range(5)]
    marked += [f"Le chat ({i}).\tThe cat (a cat {i}).\n" for i in range(5)]
    plain = [f"Phrase {i}.\tSentence {i}.\n" for i in range(100)]
    stream.write_text("".join(plain[:50] + marked + plain[50:]), encoding="utf-8")
    out = tmp_path / "focus.tsv"
    cmd = [sys.executable, str(SCRIPTS / "train_marian.py"), "focus", "--stream", str(stream)]
    res = subprocess.run(
        [*cmd, "--out", str(out), "--others", "2"], capture_output=True, text=True, timeout=120
    )
    assert res.returncode == 0, res.stderr[-2000:]
    lines = out.read_text(encoding="utf-8").splitlines(keepends=True)
    assert sorted(set(lines) & set(marked)) == sorted(marked)  # all of them, once each
    assert len(lines) == 30 and len(set(lines) & set(plain)) == 20
    res = subprocess.run(
        [*cmd[:-1], str(tmp_path / "none.tsv")], capture_output=True, text=True, timeout=120
    )
    assert res.returncode != 0 and "no stream" in res.stderr and "Traceback" not in res.stderr


def test_marian_fine_tune_on_split_targets_goes_on_from_the_exported_model(
    tiny_model: Path,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    request: pytest.FixtureRequest,
) -> None:
    import sentencepiece as spm
    import torch
    import train_marian
    from marian_recipe import new_model

    from mt.translate import Translator

    # the exported model a fine-tune starts from: its steps, split sources and learning curve
    init = tmp_path / "init"
    torch.manual_seed(0)
    vocab = spm.SentencePieceProcessor(model_file=str(tiny_model / "source.spm")).get_piece_size()
    new_model(vocab, "tiny").save_pretrained(init)
    for name in ("source.spm", "target.spm", "vocab.json", "tokenizer_config.json"):
        shutil.copy(tiny_model / name, init / name)
    curve = [{"step": 7, "tokens": 900, "train_seconds": 5, "bleu": 0.1, "chrf": 1.0, "n": 4}]
    info = {"steps": 7, "target_tokens": 900, "train_seconds": 5, "split_from_tokens": 400}
    info |= {"extra_runs": [{"extra": ["tatoeba-2019.tsv.gz=2"], "tokens": 300}], "curve": curve}
    (init / "training.json").write_text(json.dumps(info))
    data = tmp_path / "data"
    (data / "eval").mkdir(parents=True)
    rows = (DATA / "fixture.fr-en.tsv").read_text(encoding="utf-8").splitlines()
    for k, side in enumerate(("fr", "en")):
        dev = "\n".join(r.split("\t")[k] for r in rows[:4]) + "\n"
        (data / "eval" / f"newstest2013.{side}").write_text(dev, encoding="utf-8")
    stream = tmp_path / "stream.tsv"
    stream.write_text("\n".join(rows) + "\n", encoding="utf-8")
    # a corpus the run's stream upweights (train_marian.py mix --extra)
    (data / "train").mkdir()
    with gzip.open(data / "train" / "extra.tsv.gz", "wt", encoding="utf-8") as fh:
        fh.write("\n".join(rows) + "\n")
    # in this process: the trainer's signal handlers and thread count must not outlive the test
    monkeypatch.setattr(train_marian.signal, "signal", lambda *_: None)
    threads = torch.get_num_threads()
    request.addfinalizer(lambda: torch.set_num_threads(threads))
    monkeypatch.setattr(train_marian, "RUNS", tmp_path / "runs")
    monkeypatch.setattr(train_marian, "DATA", data)
    (tmp_path / "runs" / "data").mkdir(parents=True)

    def main(*args: str) -> None:
        monkeypatch.setattr(sys, "argv", ["train_marian.py", *args])
        train_marian.main()

    mixed = tmp_path / "mixed.tsv"
    main("mix", "--stream", str(stream), "--out", str(mixed), "--extra", "extra.tsv.gz=2")
    # every stream line, and each extra pair twice but the four whose French is newstest2013's
    lines = mixed.read_text(encoding="utf-8").splitlines()
    assert len(lines) == len(rows) + 2 * len(rows[4:])
    train = ["train", "--name", "ft", "--size", "tiny", "--init-from", str(init), "--threads", "1"]
    train += ["--stream", str(mixed), "--batch-tokens", "300", "--warmup", "2", "--no-bf16"]
    main(*train, "--hours", "0.001", "--dev-lines", "4", "--split-targets")
    out = tmp_path / "exported"
    main("export", "--name", "ft", "--average", "1", "--dev-lines", "4", "--out", str(out))
    got = json.loads((out / "training.json").read_text())
    assert got["steps"] > 7 and got["target_tokens"] > 900
    assert got["split_from_tokens"] == 400 and got["split_targets_from_tokens"] == 900
    this_run = {"extra": ["extra.tsv.gz=2"], "tokens": got["target_tokens"] - 900, "cpu": True}
    assert got["extra_runs"] == [*info["extra_runs"], this_run]
    assert "A CPU run of" in (out / "README.md").read_text()
    assert [r["step"] for r in got["curve"]] == [7, got["steps"]]
    assert "split_open_marks" in (out / "README.md").read_text()
    assert Translator(out, backend="torch").translate("Bonjour.")  # loads and translates
    # the run's place is a place in its stream: resuming it on another stream is refused
    other = [a if a != str(mixed) else str(stream) for a in train]
    with pytest.raises(SystemExit, match=r"reads .*mixed\.tsv .*another stream"):
        main(*other, "--hours", "0.001", "--dev-lines", "4")
    # split targets need a model that splits its sources too: the translator joins only then
    del info["split_from_tokens"]
    (init / "training.json").write_text(json.dumps(info))
    with pytest.raises(SystemExit, match="needs a model trained on split sources"):
        main(*[a if a != "ft" else "plain" for a in train], "--hours", "0.001", "--split-targets")


def test_load_pairs_repeats_each_extra_corpus_its_copies(tiny_model: Path, tmp_path: Path) -> None:
    import sentencepiece as spm
    from train_gpu import load_pairs

    pack = tmp_path / "pack"
    _tiny_pack(tiny_model, pack)
    rows = (DATA / "fixture.fr-en.tsv").read_text(encoding="utf-8").splitlines()
    extra = ["Un chat noir.\tA black cat.", "Il pleut.\tIt is raining."]
    (pack / "extra-0.tsv.xz").write_bytes(lzma.compress(("\n".join(extra) + "\n").encode()))
    meta = json.loads((pack / "meta.json").read_text())
    meta["extra_files"] = [{"file": "extra-0.tsv.xz", "copies": 3, "lines": 2}]
    (pack / "meta.json").write_text(json.dumps(meta))
    sp = spm.SentencePieceProcessor(model_file=str(pack / "spm.model"))
    held, train = load_pairs(pack, sp, 4, seed=0)
    assert len(held) == 4 and len(train) == len(rows) - 4 + 3 * 2
    cat = (sp.encode("Un chat noir.") + [0], sp.encode("A black cat.") + [0])
    assert train.count(cat) == 3 and cat not in held


def test_run_init_from_goes_on_from_an_earlier_run(tiny_model: Path, tmp_path: Path) -> None:
    _tiny_pack(tiny_model, tmp_path / "pack")
    second = tmp_path / "pack2"
    shutil.copytree(tmp_path / "pack", second)
    for f in second.glob("init-*.safetensors"):
        f.unlink()  # pack --no-init: the weights come from the first run
    base = [sys.executable, str(SCRIPTS / "train_gpu.py"), "run", "--minutes", "0.02"]
    base += ["--batch-tokens", "400", "--valid", "4", "--keep-best"]
    first = subprocess.run(
        [*base, "--data", str(tmp_path / "pack"), "--out", str(tmp_path / "out1")],
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert first.returncode == 0, first.stderr[-2000:]
    cmd = [*base, "--data", str(second), "--out", str(tmp_path / "out2")]
    res = subprocess.run(
        [*cmd, "--init-from", str(tmp_path / "out1")], capture_output=True, text=True, timeout=300
    )
    assert res.returncode == 0, res.stderr[-2000:]
    one = json.loads((tmp_path / "out1" / "run.json").read_text())
    two = json.loads((tmp_path / "out2" / "run.json").read_text())
    assert two["init_steps"] == one["steps"] and two["init_tokens"] == one["tokens"]
    assert two["init_gpu_seconds"] == one["seconds"] and two["steps"] > 0
    # the first run's end is the second's start (EMA weights travel in fp16: a rounding apart)
    end = (tmp_path / "out1" / "log.txt").read_text()
    start = (tmp_path / "out2" / "log.txt").read_text()
    kept = "ema" if "kept the ema" in end else "raw"
    end_loss = end.split("ema valid loss " if kept == "ema" else "valid loss at end ")[1][:6]
    assert abs(float(start.split("valid loss at start ")[1][:6]) - float(end_loss)) < 2e-3
    # a machine given back between the calls: a clear message, no traceback
    gone = subprocess.run(
        [*cmd, "--init-from", str(tmp_path / "nowhere")], capture_output=True, text=True
    )
    assert gone.returncode != 0 and "no run.json there" in gone.stderr
    assert "Traceback" not in gone.stderr


def test_pack_sends_extras_once_and_fills_its_budget(
    tiny_model: Path, tmp_path: Path, monkeypatch
) -> None:  # type: ignore[no-untyped-def]
    import sentencepiece as spm
    import train_gpu
    import train_marian
    from train_gpu import load_pairs

    rows = (DATA / "fixture.fr-en.tsv").read_text(encoding="utf-8").splitlines()
    data = tmp_path / "shared"
    (data / "eval").mkdir(parents=True)
    (data / "train").mkdir()
    fr, en = zip(*(r.split("\t") for r in rows[:3]), strict=True)
    (data / "eval" / "newstest2013.fr").write_text("\n".join(fr) + "\n", encoding="utf-8")
    (data / "eval" / "newstest2013.en").write_text("\n".join(en) + "\n", encoding="utf-8")
    extra = rows[3:13]
    with gzip.open(data / "train" / "small.tsv.gz", "wt", encoding="utf-8") as fh:
        fh.write("\n".join(extra) + "\n")
    runs = tmp_path / "runs"
    (runs / "data").mkdir(parents=True)
    # a stream of varied lines, more than the budget holds
    stream = [
        f"{r.split(chr(9))[0]} ({i})\t{r.split(chr(9))[1]} ({i})" for i, r in enumerate(rows * 40)
    ]
    (runs / "data" / "stream.tsv").write_text("\n".join(stream) + "\n", encoding="utf-8")
    init = tmp_path / "init"
    shutil.copytree(tiny_model, init)
    (init / "training.json").write_text(
        json.dumps({"size": "tiny", "steps": 0, "target_tokens": 0, "train_seconds": 0})
    )
    monkeypatch.setattr(train_marian, "DATA", data)
    monkeypatch.setattr(train_gpu, "RUNS", runs)
    budget_mb = 0.02
    args = [
        *("pack", "--init", str(init), "--out", str(tmp_path / "pack"), "--from-line", "5"),
        *("--max-mb", str(budget_mb), "--extra", "small.tsv.gz=3", "--no-init"),
    ]
    monkeypatch.setattr(sys, "argv", ["train_gpu.py", *args])
    train_gpu.main()
    pack = tmp_path / "pack"
    meta = json.loads((pack / "meta.json").read_text())
    assert not list(pack.glob("init-*"))  # --no-init
    assert meta["extra_files"] == [{"file": "extra-0.tsv.xz", "copies": 3, "lines": len(extra)}]
    # the corpus travels once, its lines in order
    sent = lzma.decompress((pack / "extra-0.tsv.xz").read_bytes()).decode().splitlines()
    assert len(sent) == len(extra)
    text = (pack / "train.tsv.xz").stat().st_size + (pack / "extra-0.tsv.xz").stat().st_size
    assert 0.9 * budget_mb * 1e6 <= text <= budget_mb * 1e6
    lines = lzma.decompress((pack / "train.tsv.xz").read_bytes()).decode().splitlines()
    assert lines[0] == stream[5] and len(lines) == meta["lines"] < len(stream)
    sp = spm.SentencePieceProcessor(model_file=str(pack / "spm.model"))
    held, train = load_pairs(pack, sp, 4, seed=0)
    assert len(held) == 4 and len(train) == len(lines) - 4 + 3 * len(extra)


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (["run", "--data", "nowhere", "--out", "OUT"], "no meta.json there"),
        (["unpack", "--from", "nowhere"], "no run.json there"),
    ],
)
def test_a_missing_folder_is_one_line_not_a_traceback(
    tmp_path: Path, argv: list[str], message: str
) -> None:
    argv = [str(tmp_path / a) if a in ("nowhere", "OUT") else a for a in argv]
    res = subprocess.run(
        [sys.executable, str(SCRIPTS / "train_gpu.py"), *argv], capture_output=True, text=True
    )
    assert res.returncode != 0 and message in res.stderr
    assert "Traceback" not in res.stderr


def _corpora(root: Path) -> dict[str, float]:
    """Two small corpora under ``root/train`` and an evaluation set under ``root/eval``, with
    the stream weights of each corpus."""
    (root / "train").mkdir(parents=True)
    (root / "eval").mkdir()
    news = [f"Le maire de la ville {i} parle.\tThe mayor of town {i} speaks." for i in range(40)]
    news.append(news[0])  # a duplicate pair: drawn once
    laws = [
        f"La loi numéro {i} est dans le texte.\tLaw number {i} is in the text." for i in range(400)
    ]
    laws.append(f"{laws[3].split(chr(9))[0]}\tAnother English for law 3.")  # French seen again
    laws.append("La loi de la ville parle.\tThe town's law speaks.")  # French of the eval set
    (root / "train" / "news.tsv.gz").write_bytes(gzip.compress("\n".join(news).encode()))
    (root / "train" / "laws.tsv.xz").write_bytes(lzma.compress("\n".join(laws).encode()))
    (root / "eval" / "test.fr").write_text("La loi de la ville parle.\n", encoding="utf-8")
    return {"news.tsv.gz": 2.0, "laws.tsv.xz": 0.25}


def test_stream_pairs_draws_the_same_copies_again(tmp_path: Path, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    import random

    import train_marian

    monkeypatch.setattr(train_marian, "DATA", tmp_path)
    monkeypatch.setattr(train_marian, "MIX", _corpora(tmp_path))
    first = list(train_marian.stream_pairs(random.Random(train_marian.STREAM_SEED)))
    again = list(train_marian.stream_pairs(random.Random(train_marian.STREAM_SEED)))
    assert first == again
    news = [c for name, _, _, c in first if name == "news.tsv.gz"]
    laws = [c for name, _, _, c in first if name == "laws.tsv.xz"]
    assert news == [2] * 40  # the duplicate pair once, each pair twice
    assert len(laws) == 401 and set(laws) == {0, 1}  # not the evaluation set's French
    assert 0.15 < sum(laws) / len(laws) < 0.35
    other = list(train_marian.stream_pairs(random.Random(train_marian.STREAM_SEED + 1)))
    assert [c for *_, c in other] != [c for *_, c in first]


def test_held_out_pairs_are_pairs_the_stream_never_drew(tmp_path: Path, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    import random

    import train_marian
    import train_qe

    monkeypatch.setattr(train_marian, "DATA", tmp_path)
    monkeypatch.setattr(train_marian, "MIX", _corpora(tmp_path))
    monkeypatch.setattr(train_qe, "ROOT", tmp_path)
    monkeypatch.setattr(train_qe, "HELD_OUT", {"laws.tsv.xz": 1000, "news.tsv.gz": 10})
    held = train_qe.held_out_pairs()
    assert held["news.tsv.gz"] == []  # every news pair is drawn
    drawn = train_marian.stream_pairs(random.Random(train_marian.STREAM_SEED))
    taken = {fr for _, fr, _, copies in drawn if copies}
    pairs = held["laws.tsv.xz"]
    assert 200 < len(pairs) < 400 and len(set(pairs)) == len(pairs)
    assert not taken & {fr for fr, _ in pairs}
    assert all(fr.startswith("La loi numéro") for fr, _ in pairs)
    # cached: a second call reads the same pairs without the corpora
    (tmp_path / "train" / "laws.tsv.xz").unlink()
    assert train_qe.held_out_pairs() == held


def test_held_out_pairs_need_the_training_corpora(tmp_path: Path, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    import train_marian
    import train_qe

    monkeypatch.setattr(train_marian, "DATA", tmp_path)
    monkeypatch.setattr(train_qe, "ROOT", tmp_path)
    with pytest.raises(SystemExit, match="--without-held-out"):
        train_qe.held_out_pairs()
