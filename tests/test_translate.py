import re
import shutil
import subprocess
import sys
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest

import mt
from mt.translate import Translator, capitalise_start, drop_stop, has_loop, needs_stop

from .conftest import DATA, SAMPLE, biased_model


@pytest.fixture(scope="module")
def translator(tiny_model: Path) -> Translator:
    return Translator(tiny_model, beam=1)


def test_translate_string_and_list(tiny_model: Path) -> None:
    out = mt.translate("Bonjour.", model=tiny_model, beam=1)
    assert isinstance(out, str) and out.strip()
    outs = mt.translate(["Bonjour.", "Merci beaucoup."], model=tiny_model, beam=1)
    assert isinstance(outs, list) and len(outs) == 2 and all(o.strip() for o in outs)
    assert mt.translate("  \n ", model=tiny_model) == ""
    with pytest.raises(mt.InputError):
        mt.translate(42, model=tiny_model)  # type: ignore[call-overload]


def test_paragraph_structure_is_kept(translator: Translator) -> None:
    text = "\nPremier paragraphe. Deux phrases.\n\n\nDeuxième.\n \nTroisième paragraphe !\n"
    out = translator.translate(text)
    separators = re.findall(r"\n[ \t]*\n\s*|\n$", out)
    assert separators == ["\n\n\n", "\n \n", "\n"]
    assert out.startswith("\n")
    # Windows line ends come back as they were, none lost inside a paragraph's text
    out = translator.translate(text.replace("\n", "\r\n"))
    assert re.findall(r"\r?\n[ \t]*\r?\n\s*|\r?\n$", out) == ["\r\n\r\n\r\n", "\r\n \r\n", "\r\n"]
    assert out.count("\n") == out.count("\r\n")


def test_document_records(translator: Translator) -> None:
    doc = translator.translate_document(SAMPLE.read_text(encoding="utf-8"))
    assert doc.metadata == "date 2022-11"
    assert doc.text.startswith(" date 2022-11 ")
    assert len(doc.sentences) == 19
    assert {r.paragraph for r in doc.sentences} == set(range(15))
    first = doc.sentences[0]
    assert first.source.startswith("La Russie")
    assert first.translation
    assert first.logprob < 0
    assert first.src_tokens > 10 and first.tgt_tokens > 0
    assert doc.text.count("\n\n") == 14


def test_identical_sentences_translated_once(translator: Translator) -> None:
    done: list[int] = []
    doc = translator.translate_document(
        "Le chat dort. Le chat dort. Le chien aboie.\n\nLe chat dort.", progress=done.append
    )
    assert sum(done) == 2  # two unique sentences reached the model
    texts = [r.translation for r in doc.sentences]
    assert texts[0] == texts[1] == texts[3]


def test_long_paragraph_without_full_stop_is_chunked_not_truncated(translator: Translator) -> None:
    words = (
        "la guerre continue dans la région de Kherson, selon les forces ukrainiennes " * 500
    ).split()
    text = " ".join(words[:5000])
    doc = translator.translate_document(text)
    assert len(doc.sentences) == 1
    rec = doc.sentences[0]
    assert rec.split_long
    full = len(translator.tokenizer(text)["input_ids"])
    assert full > translator.max_input_tokens
    # every chunk reached the model: chunk token counts add up to at least the whole
    assert rec.src_tokens >= full
    assert rec.tgt_tokens > translator.max_input_tokens


def test_repetition_loop_is_caught(tiny_model: Path, tmp_path: Path) -> None:
    looping = biased_model(tiny_model, tmp_path / "loop", "▁la")
    tr = Translator(looping, beam=1)
    rec = tr.translate_document("Le président a déclaré qu'il viendrait demain.").sentences[0]
    assert rec.repetition_guard
    assert rec.tgt_tokens <= tr.max_length_ratio * rec.src_tokens + 10
    assert not has_loop(tr.tokenizer(rec.translation)["input_ids"][:-1], max_n=1)


def test_output_length_is_bounded(translator: Translator) -> None:
    for rec in translator.translate_document(SAMPLE.read_text(encoding="utf-8")).sentences:
        assert rec.tgt_tokens <= translator.max_length_ratio * rec.src_tokens + 10 * rec.chunks
        assert rec.split_long == (rec.chunks > 1)


def test_empty_output_model(tiny_model: Path, tmp_path: Path) -> None:
    silent = biased_model(tiny_model, tmp_path / "eos", "</s>")
    rec = Translator(silent, beam=1).translate_document("Bonjour.").sentences[0]
    assert rec.translation == "" and not rec.repetition_guard and rec.tgt_tokens == 1


def test_has_loop() -> None:
    assert has_loop([5, 5, 5, 5])
    assert has_loop([1, 2, 3, 1, 2, 3, 1, 2, 3])
    assert not has_loop([1, 2, 3, 4, 5, 6, 1, 2])
    assert not has_loop([7, 7, 7])


def test_concurrent_use_gives_same_results(translator: Translator) -> None:
    texts = ["Bonjour.", "Le chat dort.", "La Russie a perdu l'élan.", "Merci."] * 3
    expected = [translator.translate(t) for t in texts]
    with ThreadPoolExecutor(4) as pool:
        got = list(pool.map(translator.translate, texts))
    assert got == expected


def test_bad_options(tiny_model: Path) -> None:
    with pytest.raises(mt.InputError):
        Translator(tiny_model, beam=0)


def test_ct2_backend_converts_once_and_translates(tiny_model: Path, tmp_path: Path) -> None:
    model = tmp_path / "model"
    shutil.copytree(tiny_model, model, ignore=shutil.ignore_patterns("ct2-*"))
    tr = Translator(model, beam=2, backend="ct2")
    assert (model / "ct2-int8" / "model.bin").is_file()
    doc = tr.translate_document(SAMPLE.read_text(encoding="utf-8"))
    assert len(doc.sentences) == 19 and doc.metadata == "date 2022-11"
    for rec in doc.sentences:
        assert rec.translation and rec.logprob < 0
        assert rec.tgt_tokens <= tr.max_length_ratio * rec.src_tokens + 10 * rec.chunks
    stamp = (model / "ct2-int8" / "model.bin").stat().st_mtime_ns
    Translator(model, backend="ct2")  # cached: not converted again
    assert (model / "ct2-int8" / "model.bin").stat().st_mtime_ns == stamp
    # a model re-exported in place is converted again, not served from the stale conversion
    from transformers import MarianMTModel

    MarianMTModel.from_pretrained(model).save_pretrained(model)
    Translator(model, backend="ct2")
    assert (model / "ct2-int8" / "model.bin").stat().st_mtime_ns != stamp


def test_ct2_read_only_model_uses_cache_dir(
    tiny_model: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from mt.translate.backends import ct2

    model = tmp_path / "ro-model"
    shutil.copytree(tiny_model, model, ignore=shutil.ignore_patterns("ct2-*"))
    # tests run as root, who may write anywhere: make the model directory look read-only
    monkeypatch.setattr(ct2.os, "access", lambda path, mode: Path(path) != model)
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))
    assert Translator(model, backend="ct2").translate("Bonjour.")
    assert not (model / "ct2-int8").exists()
    assert list((tmp_path / "cache" / "mt" / "ct2").glob("ro-model-*-int8/model.bin"))


def test_unknown_backend(tiny_model: Path) -> None:
    with pytest.raises(mt.InputError, match="unknown backend"):
        Translator(tiny_model, backend="onnx")


def test_length_batches() -> None:
    from mt.translate import length_batches

    lengths = [5, 50, 7, 6, 49, 300]
    batches = length_batches(lengths, budget=100)
    assert sorted(i for b in batches for i in b) == list(range(6))
    for b in batches:
        assert len(b) == 1 or len(b) * max(lengths[i] for i in b) <= 100
    assert batches[-1] == [5]  # longer than the budget: alone
    flat = [lengths[i] for b in batches for i in b]
    assert flat == sorted(flat)


def test_ct2_and_torch_score_alike(tiny_model: Path, tmp_path: Path) -> None:
    # CTranslate2 starts Marian decoders from a zero embedding; models built by the project keep
    # the <pad> (start) row at zero so that both backends see the same first decoder input.
    from transformers import MarianMTModel, MarianTokenizer

    from mt.translate.backends.ct2 import CT2Backend
    from mt.translate.backends.torch import TorchBackend

    loaded = MarianMTModel.from_pretrained(tiny_model)
    assert not loaded.get_input_embeddings().weight[loaded.config.pad_token_id].any()
    model = tmp_path / "model"
    shutil.copytree(tiny_model, model, ignore=shutil.ignore_patterns("ct2-*"))
    tok = MarianTokenizer.from_pretrained(model)
    ids = [tok(s)["input_ids"] for s in ["Bonjour à tous.", "Le chat dort.", "Il pleut."]]
    torch_backend = TorchBackend(model, 1)
    outs = [o[:6] + [0] for o in torch_backend.generate(ids, beam=1, max_new=8, guard=False)]
    ct2 = CT2Backend(model, tok, 1, quantization="float32")
    for a, b in zip(torch_backend.score(ids, outs), ct2.score(ids, outs), strict=True):
        assert a == pytest.approx(b, abs=0.01)


def test_ct2_reuses_the_decoding_score_only_when_it_is_the_forced_one(
    tiny_model: Path, tmp_path: Path
) -> None:
    from mt.translate.backends.ct2 import CT2Backend

    # a slight eos preference: outputs end at once, with a log-probability far from zero
    ending = biased_model(tiny_model, tmp_path / "ending", "</s>", bias=0.7)
    tr = Translator(ending, beam=2, backend="ct2", vmap=False)
    backend = tr.backend
    assert isinstance(backend, CT2Backend)
    ids = [tr.tokenizer(s)["input_ids"] for s in ["Bonjour à tous.", "Il pleut."]]
    decoded = backend.generate_scored(ids, beam=2, max_new=20)
    forced = [sum(t) / len(t) for t in backend.score(ids, [d.ids for d in decoded])]
    for d, expected in zip(decoded, forced, strict=True):
        assert d.ids[-1] == backend.eos_id and d.score == pytest.approx(expected, abs=1e-4)
        assert expected < -1.0
    assert tr.translate_segments(["Il pleut."])[0].logprob == pytest.approx(forced[1], abs=1e-3)
    # outputs cut at the length limit (no eos) must be scored by a forced pass
    cut = Translator(tiny_model, beam=1, backend="ct2", vmap=False).backend
    assert all(d.score is None for d in cut.generate_scored(ids, beam=1, max_new=5))
    # over a vocabulary map the decoder's softmax is not the model's: its score is not reused
    script = Path(__file__).parent.parent / "scripts" / "build_vmap.py"
    corpus = str(DATA / "fixture.fr-en.tsv")
    res = subprocess.run([sys.executable, str(script), str(ending), "--corpus", corpus])
    assert res.returncode == 0
    mapped = Translator(ending, beam=2, backend="ct2").backend
    decoded = mapped.generate_scored(ids, beam=2, max_new=20)
    assert all(d.ids[-1] == backend.eos_id and d.score is None for d in decoded)


def test_ct2_warns_when_the_start_embedding_is_not_zero(tiny_model: Path, tmp_path: Path) -> None:
    import torch
    from transformers import MarianMTModel

    model_dir = tmp_path / "model"
    shutil.copytree(tiny_model, model_dir, ignore=shutil.ignore_patterns("ct2-*"))
    model = MarianMTModel.from_pretrained(model_dir)
    with torch.no_grad():
        model.get_input_embeddings().weight[model.config.pad_token_id].fill_(0.1)
    model.save_pretrained(model_dir)
    with pytest.warns(UserWarning, match="start"):
        Translator(model_dir, backend="ct2")


def test_tidy_start_follows_the_source() -> None:
    from mt.translate import tidy_start

    assert tidy_start("Il a dit.", "he said.") == "He said."
    assert tidy_start("Cependant, il pleut.", ", however, it rains.") == "However, it rains."
    assert (
        tidy_start("iPhone sort.", "iPhone is out.") == "iPhone is out."
    )  # source not capitalised
    assert tidy_start("« Bien", '"well') == '"well'  # quotes are left alone
    assert tidy_start("Le", "") == ""


def test_ct2_decodes_over_the_vocabulary_map(tiny_model: Path, tmp_path: Path) -> None:
    model = tmp_path / "model"
    shutil.copytree(tiny_model, model, ignore=shutil.ignore_patterns("ct2-*"))
    plain = Translator(model, beam=1, backend="ct2")
    assert not plain.backend.use_vmap  # type: ignore[attr-defined]
    script = Path(__file__).parent.parent / "scripts" / "build_vmap.py"
    args = [sys.executable, str(script), str(model), "--corpus", str(DATA / "fixture.fr-en.tsv")]
    res = subprocess.run([*args, "--top", "3", "--always", "5"], capture_output=True, text=True)
    assert res.returncode == 0, res.stderr
    rules = {}
    for line in (model / "vmap.txt").read_text(encoding="utf-8").splitlines():
        key, _, values = line.partition("\t")
        rules[key] = values.split()
    assert len(rules[""]) == 5 and all(len(v) <= 4 for k, v in rules.items() if k)

    mapped = Translator(model, beam=1, backend="ct2")  # the new map means a new conversion
    assert mapped.backend.use_vmap  # type: ignore[attr-defined]
    assert mapped.settings_key != plain.settings_key
    tok = mapped.tokenizer
    src = tok("Le contrôle a échoué à cause des politiciens.")["input_ids"]
    allowed = set(rules[""]) | {"</s>", "<unk>"}
    for piece in tok.convert_ids_to_tokens(src):
        allowed |= set(rules.get(piece, []))
    out = mapped.backend.generate([src], beam=1, max_new=20, guard=False)[0]
    assert out and set(tok.convert_ids_to_tokens(out)) <= allowed
    # the same model without the map strays outside it (random weights): the map is what held it
    free = Translator(model, beam=1, backend="ct2", vmap=False)
    out = free.backend.generate([src], beam=1, max_new=20, guard=False)[0]
    assert not set(tok.convert_ids_to_tokens(out)) <= allowed


def test_build_vmap_reports_a_missing_corpus(tiny_model: Path, tmp_path: Path) -> None:
    script = Path(__file__).parent.parent / "scripts" / "build_vmap.py"
    args = [sys.executable, str(script), str(tiny_model), "--corpus", str(tmp_path / "none.tsv")]
    res = subprocess.run(args, capture_output=True, text=True)
    assert res.returncode != 0 and "not found" in res.stderr and "Traceback" not in res.stderr


def test_split_elisions_frees_words_from_elisions_and_opening_quotes() -> None:
    from mt.translate import split_elisions

    text = "La Russie a \"absolument perdu l'élan\" et qu'il s'exprimait aujourd'hui."
    split = split_elisions(text)
    assert split == "La Russie a \" absolument perdu l' élan\" et qu' il s' exprimait aujourd'hui."
    assert split_elisions(split) == split  # idempotent: the cache key of a split text is stable


def test_join_open_quotes_only_touches_opening_quotes() -> None:
    from mt.translate import join_open_quotes

    assert join_open_quotes("The EU says: ' bizarre rules are rare'.") == (
        "The EU says: 'bizarre rules are rare'."
    )
    assert join_open_quotes('" Photograph it," he said.') == '"Photograph it," he said.'
    assert join_open_quotes("(' sic')") == "('sic')"
    # apostrophes inside or after a word, and quotes already joined, stay as they are
    for kept in ("the dogs' bone", "it's Bob's", 'He said "no" and left.', "rock 'n' roll"):
        assert join_open_quotes(kept) == kept


def test_split_open_marks_frees_words_and_join_open_quotes_undoes_it() -> None:
    from mt.translate import join_open_quotes, split_open_marks

    text = 'Russia has "absolutely lost" (the first time) [sic], he said ("no").'
    split = split_open_marks(text)
    assert split == 'Russia has " absolutely lost" ( the first time) [ sic], he said (" no").'
    assert split_open_marks(split) == split
    assert join_open_quotes(split) == text
    # closing quotes, apostrophes and marks not glued to a word stay as they are
    for kept in ('all done". Then', "it's Bob's", "a ( b", 'say " " twice'):
        assert split_open_marks(kept) == kept


def test_translator_prepares_sources_as_the_model_declares(
    tiny_model: Path, tmp_path: Path
) -> None:
    from mt.errors import ModelNotFoundError
    from mt.translate import SOURCE_PREPARE_FILE

    declared = tmp_path / "split"
    shutil.copytree(tiny_model, declared, ignore=shutil.ignore_patterns("ct2-*"))
    (declared / SOURCE_PREPARE_FILE).write_text('{"split_elisions": true}')
    plain = Translator(tiny_model, beam=1)
    split = Translator(declared, beam=1)
    assert not plain.split_elisions and split.split_elisions
    sentence = "Il a perdu l'élan d'antan."
    rec_plain = plain.translate_segments([sentence])[0]
    rec_split = split.translate_segments([sentence])[0]
    # the model saw different pieces: "l'élan" glued, "l' élan" split at the elision
    assert rec_plain.src_tokens != rec_split.src_tokens
    for bad in ('{"split": true}', '{"split_elisions": "yes"}', "[true]"):
        (declared / SOURCE_PREPARE_FILE).write_text(bad)
        with pytest.raises(ModelNotFoundError, match="split_elisions"):
            Translator(declared)


def test_a_short_input_without_a_final_mark_is_read_as_a_sentence() -> None:
    assert needs_stop("Bonjour") and needs_stop("Le président en visite en Chine")
    for ended in ("Bonjour !", "Vraiment ?", "Il a dit « oui »", "Liste :", "  ", ""):
        assert not needs_stop(ended)
    assert drop_stop("Good morning.") == "Good morning"
    assert drop_stop("Wait...") == "Wait..." and drop_stop("Really?") == "Really?"
    # the bundled model learned sentences: "Bonjour" alone came out "Bonjourn"
    bundled, as_is = Translator(), Translator(add_stop=False)
    assert bundled.translate("Bonjour") == "Good morning"
    assert bundled.translate("Bonjour.") == "Good morning."
    assert as_is.translate("Bonjour") != "Good morning"
    assert bundled.settings_key != as_is.settings_key


def test_a_lower_case_start_is_read_with_a_capital() -> None:
    assert capitalise_start("bonjour") == "Bonjour" and capitalise_start("  été") == "  Été"
    for kept in ("iPhone sort", "eBay", "Bonjour", "« bonjour", "123 rue", ""):
        assert capitalise_start(kept) == kept
    bundled, as_is = Translator(), Translator(capitalise=False)
    assert bundled.translate("bonjour") == "Good morning"  # "bonjour." read "Goodbye."
    assert as_is.translate("bonjour") != "Good morning"
    assert bundled.settings_key != as_is.settings_key
