"""The bundled model's card, in the Hugging Face model-card format.

    python scripts/model_card.py mt/models/fr-en-small    # rewrite the card from training.json
    python eval/bleu.py --card                            # then fill in its evaluation results

``scripts/train_marian.py export`` writes the card with :func:`write_card`; results are left out
then, since they belong to the weights, and ``eval/bleu.py --card`` adds each run's table and its
``model-index`` entries with :func:`update_evaluation`.
"""

from __future__ import annotations

import argparse
import json
from pathlib import Path
from typing import Any

import yaml

# Corpora of ../shared/data/train, with the licences of ../shared/data/README.md.
CORPORA = {
    "wmt-news-2008-2012.tsv.gz": ("WMT news 2008–2012", "research use"),
    "europarl-v7.tsv.xz": ("Europarl v7", "no copyright restrictions (attribution)"),
    "tatoeba-2019.tsv.gz": ("Tatoeba", "CC BY 2.0 FR"),
    "multi30k-train.tsv.gz": ("Multi30k", "research / non-commercial (Flickr30k terms)"),
    "wmt-biomed.tsv.gz": ("WMT biomedical", "research use"),
    "python-docs.tsv.gz": ("Python documentation", "CC0"),
    "django-docs.tsv.gz": ("Django documentation", "BSD-3"),
    "canada-laws.tsv.xz": ("Canadian laws", "Crown copyright, reproduction permitted"),
}

# Other French→English systems on the same test sets, as their publishers report them.
# opus-mt-fr-en: its model card (Helsinki-NLP/opus-mt-fr-en, opus-2020-02-26).
# Bergamot tiny fr-en: mozilla/firefox-translations-models, evaluation/bleu-results.md
# (wmt13 is newstest2013, wmt15 is newsdiscusstest2015).
OTHER_MODELS = {
    "opus-mt-fr-en": {"newstest2013": 33.9, "newsdiscusstest2015": 38.7},
    "Bergamot tiny fr-en": {"newstest2013": 33.3, "newsdiscusstest2015": 37.2},
}

EVALUATION = "## Evaluation"
# the configuration `mt` translates with by default (eval/bleu.py's heading for it)
DEFAULT_CONFIG = "backend ct2, beam 4"


def _curve_rows(curve: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Milestones of the learning curve: the first evaluation, the last of each CPU stretch, and
    the end of every GPU run."""
    kinds = [
        "gpu" if k and r.get("gpu_seconds", 0) > curve[k - 1].get("gpu_seconds", 0) else "cpu"
        for k, r in enumerate(curve)
    ]
    rows = curve[:1]
    for k in range(len(curve)):
        last = k + 1 == len(curve) or kinds[k + 1] != kinds[k]
        if (last or kinds[k] == "gpu") and curve[k] not in rows:
            rows.append(curve[k])
    return rows


def front_matter(results: list[dict[str, Any]]) -> str:
    """The card's YAML header, with ``results`` as its ``model-index``."""
    header = {
        "language": ["fr", "en"],
        "license": "other",
        "license_name": "research-non-commercial",
        "library_name": "transformers",
        "pipeline_tag": "translation",
        "tags": ["translation", "marian", "ctranslate2"],
        "datasets": [name for name, _ in CORPORA.values()],
        "metrics": ["bleu", "chrf"],
        "model-index": [{"name": "fr-en-small", "results": []}],
    }
    text = yaml.safe_dump(
        header, sort_keys=False, allow_unicode=True, default_flow_style=None, width=100
    )
    # one line per result, so that the header stays short
    lines = "".join(
        "  - "
        + yaml.safe_dump(
            r, default_flow_style=True, width=10_000, allow_unicode=True, sort_keys=False
        )
        for r in results
    )
    if lines:
        text = text.replace("  results: []\n", "  results:\n" + lines)
    return "---\n" + text + "---\n"


def write_card(out: Path, info: dict[str, Any], weights: dict[str, float]) -> None:
    """Write ``out/README.md`` from the model's config, its ``training.json`` record and the
    training stream's sampling ``weights`` per corpus file."""
    cfg = json.loads((out / "config.json").read_text())
    size_mb = sum(f.stat().st_size for f in out.iterdir() if f.is_file()) / 1e6
    curve = "\n".join(
        f"| {r['step']:,} | {r['tokens'] / 1e6:,.1f} M | {r['train_seconds'] / 3600:.2f} "
        f"| {r.get('gpu_seconds', 0) / 60:.1f} | {r['bleu']} | {r['chrf']} |"
        for r in _curve_rows(info["curve"])
    )
    corpora = "\n".join(
        f"| {CORPORA[file][0]} (`{file}`) | {weight} | {CORPORA[file][1]} |"
        for file, weight in weights.items()
    )
    extra_note = "".join(
        f" A {'CPU' if r.get('cpu') else 'GPU'} run of {r['tokens'] / 1e6:,.1f} M target tokens added "
        + ", ".join(
            f"{copies} more {'copy' if copies == '1' else 'copies'} of `{name}`"
            for name, _, copies in (e.partition("=") for e in r["extra"])
        )
        + "."
        for r in info.get("extra_runs", [])
    )
    prepared = ""
    if (out / "source_prepare.json").is_file() and info.get("split_from_tokens") is not None:
        prepared += (
            "\nSources are read with a space after French elisions and opening quotes "
            "(`mt.translate.split_elisions`,\ndeclared in `source_prepare.json`), from "
            f"{info['split_from_tokens'] / 1e6:,.1f} M target tokens of training on."
        )
    if info.get("split_targets_from_tokens") is not None:
        prepared += (
            " The English is written with\na space after an opening quote or bracket "
            "(`mt.translate.split_open_marks`), from "
            f"{info['split_targets_from_tokens'] / 1e6:,.1f} M\ntarget tokens on; the translator "
            "joins it back (`mt.translate.join_open_quotes`)."
        )
    text = f"""{front_matter([])}
# fr-en-small

A small MarianMT model, French into English, trained from scratch for `mt` and shipped inside it
so that `mt` translates offline; it loads like OPUS-MT (`MarianMTModel.from_pretrained`). Where
network exists, `Helsinki-NLP/opus-mt-fr-en` translates better.

## Intended use

French news and general text into English on a CPU, inside `mt`'s pipeline, which repairs garbled
French first and flags doubtful output; not for uses the data's licences exclude (below).

## How to use

`mt` prepares the text as the model was trained; with transformers alone, do the same:

```python
from transformers import MarianMTModel, MarianTokenizer
from mt.translate import join_open_quotes, normalise, split_elisions

tok = MarianTokenizer.from_pretrained(path)
model = MarianMTModel.from_pretrained(path)
batch = tok([split_elisions(normalise(s)) for s in french], return_tensors="pt", padding=True)
out = tok.batch_decode(model.generate(**batch, num_beams=4), skip_special_tokens=True)
english = [join_open_quotes(t) for t in out]
```

## Data and licences

`../shared/data/train` of the `mt` project: whitespace and quotes normalised, reST roles stripped
from the documentation corpora, pairs deduplicated, filtered by length (1–80 words), length ratio
and a stop-word language check, and every sentence of the evaluation sets removed. Weight:
expected copies of each pair in the training stream.{extra_note}

| corpus | weight | licence |
|---|---:|---|
{corpora}

Because of the Multi30k and WMT terms, treat this model as research / non-commercial.

## Architecture

Transformer encoder-decoder: {cfg["encoder_layers"]} + {cfg["decoder_layers"]} layers, d_model {cfg["d_model"]}, {cfg["encoder_attention_heads"]} heads, FFN {cfg["encoder_ffn_dim"]}, swish; tied
embeddings; a joint SentencePiece vocabulary of {cfg["vocab_size"]} (`<pad>` last, as in OPUS-MT); {size_mb:.0f} MB.{prepared}

## Training

Label smoothing 0.1, AdamW (0.9, 0.98), warm-up then inverse square root (CPU) or constant with
a linear decay (GPU), gradient clipping 1.0, token-based batches of length-sorted pairs, bf16.
Compute: {info["train_seconds"] / 3600:.2f} hours on two CPU cores (4,000-token batches, `scripts/train_marian.py`)
and {info.get("gpu_seconds", 0) / 60:.0f} minutes on one NVIDIA H100 (32,000-token batches, `scripts/train_gpu.py`):
{info["steps"]:,} steps, {info["target_tokens"] / 1e6:,.1f} M target tokens. Selected: `{info["selected"]}` ({", ".join(info["averaged_checkpoints"])}).

Learning curve: greedy BLEU / chrF on the first 300–500 lines of newstest2013 (`training.json`):

| step | target tokens | CPU hours | GPU minutes | BLEU | chrF |
|---:|---:|---:|---:|---:|---:|
{curve}

## Limitations

- Well behind opus-mt-fr-en (a model about seven times larger) on news.
- Two readings of `mt`'s sample article are wrong: `sous le feu` (under fire) is lost after a verb
  of leaving, and `désosser` (here: to take apart) comes out as "disappoint". The training data
  pairs `désoss…` with meat in 53 of its 58 pairs and with the sample's sense in 2
  (`python eval/data_gaps.py` in the `mt` repository).
- Single words need a full stop and a capital to read (`mt` adds them); a word the model cannot
  translate may come out in French (`mt` replaces those its word table knows, and flags the rest).

## How to reproduce

```sh
python scripts/train_marian.py prepare --vocab-from mt/models/fr-en-small
python scripts/train_marian.py train --init-from mt/models/fr-en-small --hours 0.5
python scripts/train_marian.py export
python eval/bleu.py --card --beam 4 --threads 1 newstest2013 newsdiscusstest2015 ntrex128 tico19-test ud-pud multi30k-test2016
python eval/quality.py --fit --write newstest2013 && python scripts/train_qe.py
```

GPU runs go through `scripts/train_gpu.py pack`, `run` and `unpack` (`mt`'s "Models and training").

{EVALUATION}

Written by `python eval/bleu.py --card` for these weights (sacreBLEU, one reference).
"""
    (out / "README.md").write_text(text, encoding="utf-8")


def _split(text: str) -> tuple[dict[str, Any], str]:
    """The card's YAML header and its body."""
    if text.startswith("---\n"):
        head, sep, body = text[4:].partition("\n---\n")
        if sep:
            return yaml.safe_load(head) or {}, body
    return {}, text


def update_evaluation(
    card: Path, heading: str, table: str, scores: dict[str, tuple[float, float]], config: str
) -> None:
    """Put ``table`` under ``### heading`` in the card's evaluation section (replacing a table of
    the same heading), record ``scores`` (set → BLEU, chrF) in ``model-index`` under ``config``,
    and refresh the comparison with other models."""
    header, body = _split(card.read_text(encoding="utf-8") if card.is_file() else "")
    index = header.get("model-index") or [{"name": "fr-en-small", "results": []}]
    kept = [r for r in index[0]["results"] if r.get("config") != config]
    for name, (bleu, chrf) in scores.items():
        kept.append(
            {
                "task": {"type": "translation", "name": "Translation fr-en"},
                "dataset": {"name": name, "type": name},
                "config": config,
                "metrics": [
                    {"type": "bleu", "value": bleu, "name": "BLEU"},
                    {"type": "chrf", "value": chrf, "name": "chrF"},
                ],
            }
        )
    if EVALUATION not in body:
        body = body.rstrip("\n") + f"\n\n{EVALUATION}\n"
    head, _, rest = body.partition(EVALUATION + "\n")
    section, sep, tail = rest.partition("\n## ")
    blocks = section.split("\n### ")
    intro = blocks[0]
    subs = {b.splitlines()[0]: "### " + b for b in blocks[1:]}
    subs[heading] = f"### {heading}\n\n{table}\n"
    subs["Beside other models"] = _comparison(kept)
    order = ["Beside other models"] + [h for h in subs if h != "Beside other models"]
    parts = [intro.strip("\n") + "\n"] + [subs[h].rstrip("\n") + "\n" for h in order]
    text = head + EVALUATION + "\n\n" + "\n".join(parts) + (sep + tail if sep else "")
    card.write_text(front_matter(kept) + "\n" + text.lstrip("\n"), encoding="utf-8")


def _comparison(results: list[dict[str, Any]]) -> str:
    """BLEU of these weights (the default configuration first) beside the published scores of
    other models."""
    ours: dict[str, float] = {}
    for r in sorted(results, key=lambda r: r.get("config") != DEFAULT_CONFIG):
        ours.setdefault(r["dataset"]["name"], r["metrics"][0]["value"])
    sets = [s for s in ("newstest2013", "newsdiscusstest2015") if s in ours]
    if not sets:
        return "### Beside other models\n\nNo run of these weights on newstest2013 yet.\n"
    rows = ["| fr-en-small (these weights) | " + " | ".join(str(ours[s]) for s in sets) + " |"]
    for model, scores in OTHER_MODELS.items():
        rows.append(f"| {model} (published) | " + " | ".join(str(scores[s]) for s in sets) + " |")
    return (
        "### Beside other models\n\nBLEU; the others as published (opus-mt-fr-en's card, "
        "Mozilla's Firefox Translations evaluation).\n\n"
        f"| model | {' | '.join(sets)} |\n|---|{'---:|' * len(sets)}\n" + "\n".join(rows) + "\n"
    )


def main() -> None:
    p = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    p.add_argument("model_dir", type=Path, help="an exported model directory with training.json")
    args = p.parse_args()
    from train_marian import MIX

    info = json.loads((args.model_dir / "training.json").read_text())
    write_card(args.model_dir, info, MIX)
    print(f"wrote {args.model_dir / 'README.md'} (no evaluation yet: run eval/bleu.py --card)")


if __name__ == "__main__":
    main()
