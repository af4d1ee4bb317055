from mt.text.segment import segment, segment_lines, split_metadata, split_sentences

from .conftest import SAMPLE


def texts(text: str) -> list[str]:
    return [s.text for s in split_sentences(text)]


def test_abbreviations_do_not_end_sentences() -> None:
    assert texts("M. Dupont est arrivé. Mme Martin aussi, etc. Puis ils sont partis.") == [
        "M. Dupont est arrivé.",
        "Mme Martin aussi, etc. Puis ils sont partis.",
    ]
    assert texts("Né en 52 av. J.-C. à Rome, il mourut. Voir p. 12 pour les détails.") == [
        "Né en 52 av. J.-C. à Rome, il mourut.",
        "Voir p. 12 pour les détails.",
    ]


def test_a_long_word_before_a_full_stop_is_not_an_abbreviation() -> None:
    word = "Anticonstitutionnellement" * 3  # longer than the window searched before a stop
    assert texts(f"Le mot {word}. Il pleut. Voir M. Dupont.") == [
        f"Le mot {word}.",
        "Il pleut.",
        "Voir M. Dupont.",
    ]
    # each stop looks back a few characters, not to the paragraph's start
    assert len(texts("M. " * 20_000 + "Fin.")) == 1


def test_french_spacing_and_quotes() -> None:
    assert texts("Il a dit : « Comment allez-vous ? » Puis il est parti ; enfin !") == [
        "Il a dit : « Comment allez-vous ? »",
        "Puis il est parti ; enfin !",
    ]
    assert texts("“Nous devons attendre”, a déclaré M. Stoltenberg. Il est parti.") == [
        "“Nous devons attendre”, a déclaré M. Stoltenberg.",
        "Il est parti.",
    ]
    assert texts("Le chef a déclaré: “Bien sûr, nous sommes inquiets.” Ensuite il est parti.") == [
        "Le chef a déclaré: “Bien sûr, nous sommes inquiets.”",
        "Ensuite il est parti.",
    ]


def test_numbers_and_initials() -> None:
    assert texts("Il a gagné 3,5 millions en 2022. J. Dupont l'a confirmé.") == [
        "Il a gagné 3,5 millions en 2022.",
        "J. Dupont l'a confirmé.",
    ]


def test_metadata_prefix() -> None:
    assert split_metadata("date 2022-11 La Russie a perdu.") == ("date 2022-11", 13)
    assert split_metadata("publié le 12/03/2021 “Nous”, a-t-il dit.")[0] == "publié le 12/03/2021"
    assert split_metadata("La Russie a perdu en 2022-11.") == (None, 0)


def test_sample_article() -> None:
    text = SAMPLE.read_text(encoding="utf-8")
    doc = segment(text)
    assert doc.paragraphs[0].metadata == "date 2022-11"
    assert doc.paragraphs[0].sentences[0].text.startswith("La Russie a “absolument")
    assert len(doc.paragraphs) == 15
    assert [len(p.sentences) for p in doc.paragraphs] == [
        1,
        1,
        1,
        1,
        1,
        2,
        3,
        1,
        1,
        1,
        1,
        1,
        1,
        1,
        2,
    ]
    # offsets point into the original text
    for s in doc.sentences:
        assert text[s.start : s.end] == s.text
    # paragraphs put back together give the input
    rebuilt = doc.leading + "".join(p.text + p.separator for p in doc.paragraphs)
    assert rebuilt == text


def test_paragraph_separators_kept() -> None:
    text = "\n  Un.\n\n\nDeux. Trois.\n \nQuatre.\n"
    doc = segment(text)
    assert [p.separator for p in doc.paragraphs] == ["\n\n\n", "\n \n", "\n"]
    assert doc.leading == "\n  "
    assert [s.text for s in doc.sentences] == ["Un.", "Deux.", "Trois.", "Quatre."]
    # Windows line ends: the whole CRLF blank line is the separator
    doc = segment("Un.\r\n\r\nDeux.\r\nTrois.\r\n")
    assert [(p.text, p.separator) for p in doc.paragraphs] == [
        ("Un.", "\r\n\r\n"),
        ("Deux.\r\nTrois.", "\r\n"),
    ]


def test_unsplit_mode_and_lines() -> None:
    doc = segment("Un. Deux.\n\nTrois.", sentences=False)
    assert [s.text for s in doc.sentences] == ["Un. Deux.", "Trois."]
    assert segment_lines("a\n\nb\n") == ["a", "", "b"]
    assert segment("   \n\n ").paragraphs == []
