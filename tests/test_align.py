import dataclasses
import importlib
import json
import random
from pathlib import Path

import numpy as np
import pytest

import mt
from mt.align import Costs, Link, split_clauses

from .conftest import DATA
from .test_cli import run


def covers(links: list[Link], n: int, m: int) -> bool:
    """Links cover every sentence of both sides exactly once, in order."""
    fr = [i for link in links for i in link.fr]
    en = [j for link in links for j in link.en]
    return fr == list(range(n)) and en == list(range(m))


def _gold(path: Path) -> set[tuple[tuple[int, ...], tuple[int, ...]]]:
    out = set()
    for line in path.read_text(encoding="utf-8").splitlines():
        fr, en = line.split("]:[")
        out.add((tuple(json.loads(fr + "]")), tuple(json.loads("[" + en))))
    return out


def test_aligns_a_literary_excerpt() -> None:
    fr = (DATA / "jane-eyre.fr").read_text(encoding="utf-8").splitlines()
    en = (DATA / "jane-eyre.en").read_text(encoding="utf-8").splitlines()
    gold = _gold(DATA / "jane-eyre.gold")
    links = mt.align(fr, en)
    assert covers(links, len(fr), len(en))
    found = {(tuple(x.fr), tuple(x.en)) for x in links}
    strict = len(found & gold) / len(gold)
    baseline = {(tuple(x.fr), tuple(x.en)) for x in mt.align(fr, en, lexical_weight=0.0)}
    assert strict >= 0.8
    assert strict > len(baseline & gold) / len(gold)  # lexical signals beat length alone


def test_edge_cases() -> None:
    assert mt.align([], []) == []
    assert [(x.fr, x.en) for x in mt.align(["Un.", "Deux."], [])] == [([0], []), ([1], [])]
    assert [(x.fr, x.en) for x in mt.align([], ["One."])] == [([], [0])]
    assert [(x.fr, x.en) for x in mt.align(["Bonjour."], ["Hello."])] == [([0], [0])]
    same = ["Le chat dort.", "Il pleut à Paris depuis lundi.", "Rien ne va plus."]
    assert [(x.fr, x.en) for x in mt.align(same, same)] == [([0], [0]), ([1], [1]), ([2], [2])]
    long = [f"Phrase numéro {i} sur la guerre en Ukraine." for i in range(120)]
    links = mt.align(long, ["A single English sentence about Ukraine."])
    assert covers(links, 120, 1)
    links = mt.align(["Une phrase."], [f"Sentence {i}." for i in range(90)])
    assert covers(links, 1, 90)


def test_the_search_stays_within_its_budget(monkeypatch: pytest.MonkeyPatch) -> None:
    align_module = importlib.import_module("mt.align")  # mt.align is also the function
    band = importlib.import_module("mt.align.band")
    pairs = [
        row.split("\t") for row in (DATA / "fixture.fr-en.tsv").read_text("utf-8").splitlines()
    ]
    fr = [f for f, _ in pairs]
    en = [e for _, e in pairs]
    searches = []
    real = align_module.align_units

    def counted(*args, **kwargs):  # type: ignore[no-untyped-def]
        searches.append(args[3])  # the band: None is the automatic one
        return real(*args, **kwargs)

    monkeypatch.setattr(align_module, "align_units", counted)
    # length only: no anchor pins the path, so one stretch spans both texts
    for n, m, budget in ((200, 60, 4_000), (5, 200, 100)):
        monkeypatch.setattr(band, "CELL_BUDGET", budget)
        searches.clear()
        links = mt.align(fr[:n], en[:m], clauses=False, lexical_weight=0.0)
        assert covers(links, n, m)
        # the band was narrowed (43 → 15), or held at what a steep stretch needs (19, not 15):
        # either way the path got through and no wider search followed
        assert searches == [None]

    monkeypatch.setattr(band, "CELL_BUDGET", 4_000)
    within = band.within_budget
    assert band.passable(10, 10) == 1 and band.passable(200, 60_000) == 149
    assert within([20, 40], [(10, 10)] * 2) == [20, 40]  # within the budget: unchanged
    capped = within([20, 400, 300], [(10, 10)] * 3)  # only the widest are narrowed
    assert capped == [20, capped[1], capped[1]] and 15 <= capped[1] < 300
    assert sum(11 * (2 * b + 1) for b in capped) <= 4_000
    assert within([500], [(200, 60_000)]) == [149]  # a steep stretch keeps what it needs


def test_clauses_move_a_boundary_across_sentences() -> None:
    # the translator moved "il pleut…" into the next sentence: only clauses show the 2-2 bead
    fr = ["Le chat dort sur le canapé; il pleut depuis trois jours.", "Marie achète du pain."]
    en = ["The cat sleeps on the sofa.", "It has been raining for three days; Mary buys bread."]
    assert split_clauses(fr) == (
        ["Le chat dort sur le canapé;", "il pleut depuis trois jours.", "Marie achète du pain."],
        [0, 0, 1],
    )
    assert [(x.fr, x.en) for x in mt.align(fr, en)] == [([0, 1], [0, 1])]
    assert [(x.fr, x.en) for x in mt.align(fr, en, clauses=False)] == [([0], [0]), ([1], [1])]
    # a piece shorter than MIN_CLAUSE_CHARS stays with its neighbour; empty sentences stay
    assert split_clauses(["Il dit : « Bien sûr ; je viens. »", "", "Oui : non."]) == (
        ["Il dit : « Bien sûr ;", "je viens. »", "", "Oui : non."],
        [0, 0, 1, 2],
    )
    # no more pieces than a bead holds: the shortest neighbours are joined
    items = "Il faut du pain; du lait frais; des oeufs de ferme; du beurre salé; de la farine."
    assert split_clauses([items], max_clauses=3)[0] == [
        "Il faut du pain; du lait frais;",
        "des oeufs de ferme;",
        "du beurre salé; de la farine.",
    ]
    assert len(split_clauses([items])[0]) == 4 == len(split_clauses([items], 4)[1])


def test_the_embedder_encodes_what_is_aligned() -> None:
    fr = ["Zorbu flimaq; tresko vandi plofa.", "Kwazzo blorpi."]
    en = ["The harbour froze.", "Nobody had expected it; the cold came."]
    seen: list[list[str]] = []

    class Axes:
        def pair_vectors(self, a, b):  # type: ignore[no-untyped-def]
            seen.extend([list(a), list(b)])
            axes = np.eye(4, dtype=np.float32) * 10
            return axes[: len(a)], axes[: len(b)]

    mt.align(fr, en, embedder=Axes())
    assert seen == [split_clauses(fr)[0], split_clauses(en)[0]]
    seen.clear()
    mt.align(fr, en, embedder=Axes(), clauses=False)
    assert seen == [fr, en]
    rows = (np.ones((2, 4)), np.ones((2, 4)))
    with pytest.raises(mt.InputError, match=r"expected 3 and 3: one row per clause"):
        mt.align(fr, en, vectors=rows)
    assert covers(mt.align(fr, en, vectors=rows, clauses=False), 2, 2)
    with pytest.raises(mt.InputError, match="not both"):
        mt.align(fr, en, vectors=rows, embedder=Axes())
    with pytest.raises(mt.InputError, match="clauses=False"):
        mt.align(fr, en, translations=["a", "b"])


def _eval_align():  # type: ignore[no-untyped-def]
    """eval/align.py as a module (its name would clash with mt.align)."""
    import importlib.util

    path = Path(__file__).parent.parent / "eval" / "align.py"
    spec = importlib.util.spec_from_file_location("eval_align", path)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_the_benchmark_interval_counts_what_f1_counts() -> None:
    ev = _eval_align()
    gold = [([i], [i]) for i in range(50)]
    # two merges, one pair left unmatched, in different stretches of 20
    pred = [([i], [i]) for i in range(5)] + [([5, 6], [5, 6])] + [([i], [i]) for i in range(7, 30)]
    pred += [([30, 31], [30, 31])] + [([i], [i]) for i in range(32, 45)]
    pred += [([45], []), ([], [45])] + [([i], [i]) for i in range(46, 50)]
    counts = ev.stretch_counts(pred, gold, size=20)
    assert counts.shape == (3, 3) and list(counts[:, 2]) == [20, 20, 10]
    hits, predicted, golden = counts.sum(axis=0)
    strict = ev.f1(pred, gold)[0]
    assert 2 * hits / (predicted + golden) == pytest.approx(strict)
    lo, hi = ev.bootstrap_interval([counts], samples=500)
    assert lo < strict < hi
    perfect = ev.stretch_counts(gold, gold, size=20)
    assert ev.bootstrap_interval([perfect, perfect], samples=50) == (1.0, 1.0)
    # paired: the same alignment differs by nothing; a perfect one beats it in every resampling
    assert ev.difference_interval([counts], [counts], samples=50) == (0.0, 0.0)
    lo, hi = ev.difference_interval([perfect], [counts], samples=500)
    assert 0 < lo <= 1 - strict <= hi


def test_the_benchmark_reads_other_gold_and_refuses_bad_gold(tmp_path: Path) -> None:
    import shutil
    import subprocess
    import sys

    ev = _eval_align()
    for ext in ("fr", "en", "gold"):
        shutil.copy(DATA / f"jane-eyre.{ext}", tmp_path / f"jane-eyre.{ext}")
    [(name, fr, en, gold)] = ev.read_books(tmp_path)
    assert name == "jane-eyre" and (len(fr), len(en), len(gold)) == (49, 46, 40)
    lines = (tmp_path / "jane-eyre.gold").read_text(encoding="utf-8").splitlines()
    (tmp_path / "jane-eyre.gold").write_text("\n".join(lines[1:]) + "\n", encoding="utf-8")
    with pytest.raises(ev.GoldError, match="do not cover the 49 French sentences"):
        ev.read_books(tmp_path)
    (tmp_path / "jane-eyre.gold").write_text("[0]:[0]\nnot a link\n", encoding="utf-8")
    with pytest.raises(ev.GoldError, match=r"jane-eyre\.gold:2: not a link"):
        ev.read_books(tmp_path)
    (tmp_path / "jane-eyre.en").unlink()
    with pytest.raises(ev.GoldError, match=r"no jane-eyre\.en beside it"):
        ev.read_books(tmp_path)
    script = Path(__file__).parent.parent / "eval" / "align.py"
    for folder, message in ((tmp_path / "none", "is not a folder"), (tmp_path, "no jane-eyre.en")):
        done = subprocess.run(
            [sys.executable, str(script), "--data", str(folder)], capture_output=True, text=True
        )
        assert done.returncode == 2 and message in done.stderr and "Traceback" not in done.stderr


def test_costs_are_checked() -> None:
    with pytest.raises(mt.InputError, match="not a block"):
        Costs(beads={(1, 1): 0.0, (0, 0): 1.0})
    with pytest.raises(mt.InputError, match="include"):
        Costs(beads={(1, 2): 0.0})
    with pytest.raises(mt.InputError, match="clause_break"):
        Costs(clause_break=-1.0)
    one_to_one = Costs(beads={(1, 1): 0.0, (1, 0): 3.0, (0, 1): 3.0})
    links = mt.align(["Un.", "Deux.", "Trois."], ["One.", "Two and three."], costs=one_to_one)
    assert covers(links, 3, 2) and all(len(x.fr) <= 1 and len(x.en) <= 1 for x in links)


def test_a_longer_english_text_makes_insertions_cheaper() -> None:
    # a French text and an English one with a sentence added after every second one (as Emma's
    # English is to its abridged French): the surplus of English text lowers the 0-1 prior
    pairs = [
        row.split("\t")
        for row in (DATA / "fixture.fr-en.tsv").read_text(encoding="utf-8").splitlines()
    ]
    picked = random.Random(14).sample(pairs, 24)
    fr = [f for f, _ in picked[:16]]
    en: list[str] = []
    gold = set()
    for i, (_, e) in enumerate(picked[:16]):
        en.append(e)
        gold.add(((i,), (len(en) - 1,)))
        if i % 2 == 1:
            en.append(picked[16 + i // 2][1])

    def found(costs: Costs) -> int:
        links = mt.align(fr, en, costs=costs)
        return sum((tuple(x.fr), tuple(x.en)) in gold for x in links)

    assert found(Costs()) == 16
    assert found(dataclasses.replace(Costs(), insertion_rate=0.0)) < 16
    with pytest.raises(mt.InputError, match="insertion_rate"):
        Costs(insertion_rate=1.5)
    with pytest.raises(mt.InputError, match="length_ratio"):
        Costs(length_ratio=(1.2, 0.9))


def test_align_cli(tmp_path: Path) -> None:
    (tmp_path / "a.fr").write_text(
        "Bonjour.\nLe chat dort sur le canapé.\nIl pleut.\n", encoding="utf-8"
    )
    (tmp_path / "a.en").write_text(
        "Hello.\nThe cat sleeps on the sofa. It rains.\n", encoding="utf-8"
    )
    res = run("align", str(tmp_path / "a.fr"), str(tmp_path / "a.en"), "--segmented")
    assert res.returncode == 0, res.stderr
    rows = res.stdout.decode().splitlines()
    assert [r.rsplit(":", 1)[0] for r in rows] == ["[0]:[0]", "[1,2]:[1]"]
    res = run("align", str(tmp_path / "a.fr"), str(tmp_path / "a.en"), "--format", "jsonl")
    rows = [json.loads(r) for r in res.stdout.decode().splitlines()]
    assert rows[1]["fr_text"] == "Le chat dort sur le canapé." and rows[1]["en"] == [1]
    res = run("align", str(tmp_path / "a.fr"), str(tmp_path / "missing.en"))
    assert res.returncode == 2 and b"no such file" in res.stderr
    (tmp_path / "b.fr").write_text(
        "Le chat dort sur le canapé; il pleut depuis trois jours.\nMarie achète du pain.\n",
        encoding="utf-8",
    )
    (tmp_path / "b.en").write_text(
        "The cat sleeps on the sofa.\nIt has been raining for three days; Mary buys bread.\n",
        encoding="utf-8",
    )
    for extra, expected in (((), ["[0,1]:[0,1]"]), (("--sentences",), ["[0]:[0]", "[1]:[1]"])):
        args = ("align", str(tmp_path / "b.fr"), str(tmp_path / "b.en"), "--segmented")
        res = run(*args, "--no-embed", *extra)
        assert res.returncode == 0, res.stderr
        assert [r.rsplit(":", 1)[0] for r in res.stdout.decode().splitlines()] == expected


def test_align_cli_with_a_scoring_model(tmp_path: Path, tiny_model: Path) -> None:
    (tmp_path / "a.fr").write_text("Bonjour.\nIl pleut.\n", encoding="utf-8")
    (tmp_path / "a.en").write_text("Hello.\nIt rains.\n", encoding="utf-8")
    args = ("align", str(tmp_path / "a.fr"), str(tmp_path / "a.en"), "--segmented", "--score")
    res = run(*args, "--model", str(tiny_model))
    assert res.returncode == 0, res.stderr
    assert len(res.stdout.decode().splitlines()) >= 1
    res = run(*args, "--model", str(tmp_path / "no-model"))
    assert res.returncode != 0 and b"Traceback" not in res.stderr


# invented French words: no dictionary entry, cognate or shared name links the two sides
INVENTED_FR = ["Zorbu flimaq tresko vandi.", "Kwazzo blorpi trindel snebu.", "Plofa grindu vesk."]
INSERTED_EN = [
    "The harbour froze overnight.",
    "Nobody had expected the cold.",  # no French counterpart
    "Fishermen stayed at home.",
    "Children skated.",
]


def test_translations_place_an_inserted_sentence() -> None:
    fr, en = INVENTED_FR, INSERTED_EN
    translations = [en[0], en[2], en[3]]
    expected = [([0], [0]), ([], [1]), ([1], [2]), ([2], [3])]
    with_mt = mt.align(fr, en, translations=translations, clauses=False)
    assert [(x.fr, x.en) for x in with_mt] == expected
    assert [(x.fr, x.en) for x in mt.align(fr, en)] != expected  # length alone cannot tell
    with pytest.raises(mt.InputError, match="2 translations for 3"):
        mt.align(fr, en, translations=translations[:2])


def test_a_scorer_places_sentences_left_unmatched() -> None:
    fr = [
        "Le chat dort sur le tapis rouge.",
        "Marie achète du pain chaque matin.",
        "Le train part à huit heures.",
    ]
    en = [
        "The cat sleeps on the red rug.",
        "Mary buys bread every morning.",
        "Zzz qqq vvv.",  # shares nothing with the French: the aligner leaves it unmatched
        "The train leaves at eight.",
    ]
    plain = mt.align(fr, en)
    assert Link([], [2], 0.0) in [Link(x.fr, x.en, 0.0) for x in plain]
    calls: list[tuple[str, str]] = []

    def scorer(frs, ens):  # type: ignore[no-untyped-def]
        # a stand-in for Translator.score_pairs: "Zzz" explains Marie's sentence, not the train's
        calls.extend(zip(frs, ens, strict=True))
        return [
            1.0 if ("Zzz" in e and "Marie" in f) else 0.0 for f, e in zip(frs, ens, strict=True)
        ]

    links = mt.align(fr, en, scorer=scorer)
    assert covers(links, 3, 4)
    assert [(x.fr, x.en) for x in links] == [([0], [0]), ([1], [1, 2]), ([2], [3])]
    assert len(calls) == 4  # each neighbour without and with the sentence, in one call
    # no gain, or nothing scored (too long for the model): the sentence stays unmatched
    for flat in (lambda f, e: [0.0] * len(f), lambda f, e: [None] * len(f)):
        assert [(x.fr, x.en) for x in mt.align(fr, en, scorer=flat)] == [
            (x.fr, x.en) for x in plain
        ]


def test_translator_scores_pairs(tiny_model: Path) -> None:
    tr = mt.Translator(tiny_model, beam=1)
    scores = tr.score_pairs(["Il pleut.", "Bonjour. " * 200], ["It rains.", "Hello."])
    assert scores[0] is not None and scores[0] < 0
    assert scores[1] is None  # longer than the tiny model's 64 positions: not scored, not cut
    with pytest.raises(mt.InputError):
        tr.score_pairs(["a"], [])
