"""The model's cross-attention: read while decoding, carried onto each sentence and its final
translation, and read again by forced decoding where decoding gave none (cache hits)."""

import json
import shutil
from pathlib import Path
from shutil import ignore_patterns

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from mt.markup import translate_pages
from mt.pipeline import MemoryCache
from mt.translate import Translator
from mt.translate.attention import TokenAttention, cross_attention, piece_offsets


@pytest.fixture(scope="module")
def bundled() -> Translator:
    return Translator(beam=2)


def test_piece_offsets_give_a_lone_word_boundary_no_characters() -> None:
    text = "de l' OTAN, Jens"
    pieces = ["▁de", "▁l", "'", "▁", "OTAN", ",", "▁Je", "ns"]
    spans = piece_offsets(text, pieces)
    assert [text[a:b] for a, b in spans] == ["de", "l", "'", "", "OTAN", ",", "Je", "ns"]


def test_attention_moves_onto_edited_texts() -> None:
    # what the model read: a capital, the elision split, a full stop added
    model_in = "Le chat de l' OTAN dort."
    tokens = [(0, 2), (3, 7), (8, 10), (11, 12), (12, 13), (14, 18), (19, 23), (23, 24)]
    weights = np.eye(8, dtype=np.float32)
    att = TokenAttention(tokens, [(0, 3), (4, 7)], weights, model_in, "The cat")
    moved = att.onto("le chat de l'OTAN dort", "The cat")
    assert moved.source == "le chat de l'OTAN dort" and moved.weights is weights
    words = [moved.source[a:b] for a, b in moved.fr]
    assert words == ["le", "chat", "de", "l", "'", "OTAN", "dort", ""]
    assert moved.en == att.en and att.onto(att.source, att.target) is att


@given(st.text(alphabet="ab' .XÉ1", max_size=30), st.text(alphabet="ab' .XÉ1", max_size=30))
def test_moved_spans_stay_in_order_inside_the_new_text(old: str, new: str) -> None:
    spans = [(a, b) for a in range(len(old) + 1) for b in (a, len(old))]
    att = TokenAttention(spans, [], np.zeros((0, len(spans))), old, "")
    moved = att.onto(new, "").fr
    assert all(0 <= a <= b <= len(new) for a, b in moved)
    starts = [a for a, _ in moved[::2]]
    assert starts == sorted(starts)
    if old == new:
        assert moved == spans


def test_decoding_gives_the_attention_a_forced_pass_reads(bundled: Translator) -> None:
    texts = ["Le secrétaire général de l'OTAN a parlé à Moscou.", "Il pleut sur la ville"]
    docs = bundled.translate_attended(texts)
    assert [d.document for d in docs] == bundled.translate_documents(texts)
    for d in docs:
        [sentence] = d.document.sentences
        assert len(d.decoded) == 1
        att = d.attention(0)
        assert att is not None
        assert (att.source, att.target) == (sentence.source, sentence.translation)
        rows, cols = att.weights.shape
        assert (rows, cols) == (len(att.en), len(att.fr))
        assert np.all(att.weights.sum(axis=1) <= 1.0 + 1e-4)
        # the forced pass reads what decoding read; decoding's first row of the shorter
        # sentence, read partly off the batch's padding, is left out (zero)
        [again] = cross_attention(bundled, [sentence.source], [sentence.translation])
        assert again is not None and (again.fr, again.en) == (att.fr, att.en)
        kept = att.weights.sum(axis=1) > 0
        assert kept[1:].all()
        np.testing.assert_allclose(again.weights[kept], att.weights[kept], atol=1e-4)
    # "Moscow" looks at "Moscou"
    att = docs[0].attention(0)
    assert att is not None
    j = next(j for j, (a, b) in enumerate(att.en) if att.target[a:b] == "Moscow")
    i = int(att.weights[j].argmax())
    assert att.source[att.fr[i][0] : att.fr[i][1]] in "Moscou"


def test_sentences_from_the_cache_have_no_decoding_attention(bundled: Translator) -> None:
    cache = MemoryCache()
    texts = ["Le chat dort sur le canapé."]
    [fresh] = bundled.translate_attended(texts, cache=cache)
    [cached] = bundled.translate_attended(texts, cache=cache)
    assert cached.document == fresh.document
    assert fresh.attention(0) is not None and cached.decoded == [None]


def test_a_page_from_the_cache_gets_its_tags_where_a_fresh_one_does(bundled: Translator) -> None:
    page = (
        '<p>Le <b>chat noir</b> dort sur le <a href="#">canapé</a> de '
        "<em>Moscou</em> depuis <i>mardi</i>.</p>"
    )
    [fresh] = translate_pages(bundled, [page], attention="all")
    cache = MemoryCache()
    translate_pages(bundled, [page], cache=cache, attention="none")
    [cached] = translate_pages(bundled, [page], cache=cache, attention="all")
    assert cached.html == fresh.html
    assert [t.en_text for t in cached.tags] == [t.en_text for t in fresh.tags]


def test_the_torch_backend_reads_the_attention_by_a_forced_pass(tiny_model: Path) -> None:
    tr = Translator(tiny_model, beam=1, backend="torch")
    [doc] = tr.translate_attended(["Bonjour à tous."])
    assert doc.decoded == [None]
    [sentence] = doc.document.sentences
    [att] = cross_attention(tr, [sentence.source], [sentence.translation or "Hello."])
    assert att is not None and att.weights.shape == (len(att.en), len(att.fr))
    assert np.all(att.weights >= 0) and np.all(att.weights.sum(axis=1) <= 1.0 + 1e-3)


def test_a_conversion_made_for_another_attention_layer_is_made_again(
    tiny_model: Path, tmp_path: Path
) -> None:
    model = Path(shutil.copytree(tiny_model, tmp_path / "model", ignore=ignore_patterns("ct2-*")))
    Translator(model, backend="ct2", vmap=False)
    stamp = model / "ct2-int8" / "source.json"
    config = json.loads((model / "config.json").read_text())
    want = [config["decoder_layers"] // 2, config["decoder_attention_heads"]]
    assert json.loads(stamp.read_text())["attention"] == want
    older = json.loads(stamp.read_text())
    del older["attention"]
    stamp.write_text(json.dumps(older))
    tr = Translator(model, backend="ct2", vmap=False)
    assert json.loads(stamp.read_text())["attention"] == want
    ids = [tr.tokenizer("Bonjour à tous.").input_ids]
    [decoded] = tr.backend.generate_scored(ids, beam=1, max_new=8, attention=True)
    assert decoded.attention is not None
    assert decoded.attention.shape[1] == len(ids[0]) and len(decoded.attention) >= 1
