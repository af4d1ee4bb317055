"""Detect (and repair) garbled machine-translated French, with located and explained flags.

Each detector looks for one kind of damage and returns :class:`Flag` objects whose ``start`` /
``end`` are character offsets in the sentence. A sentence's ``garble_score`` combines its flags'
confidences as independent evidence: ``1 - prod(1 - confidence)``.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import asdict, dataclass, field, replace
from typing import TYPE_CHECKING, Any

from mt import lm
from mt.lexicon import detect_language, known, zipf
from mt.segment import segment, segment_lines, split_metadata

if TYPE_CHECKING:
    from mt.translate import Translator

# Chosen on the dev half of eval/garble.py (best F1 with at most 3 % false positives).
FLAG_THRESHOLD = 0.38

_LETTERS = r"A-Za-zÀ-ÖØ-öø-ÿŒœÆæ"
_WORD = re.compile(rf"[{_LETTERS}]+")
_TOKEN = re.compile(rf"[{_LETTERS}]+(?:[-'’][{_LETTERS}]+)*")
_VOWEL = "aeiouàâäéèêëîïôöùûüœæAEIOUÀÂÄÉÈÊËÎÏÔÖÙÛÜŒÆ"


@dataclass(frozen=True)
class Flag:
    """One problem in a sentence: what, where (character offsets in the sentence), and why."""

    type: str
    start: int
    end: int
    text: str
    reason: str
    confidence: float
    suggestion: str | None = None


@dataclass(frozen=True)
class SentenceReport:
    """Garble report for one sentence."""

    index: int
    text: str
    garble_score: float
    flagged: bool
    flags: list[Flag] = field(default_factory=list)
    language: str = "fr"
    start: int = 0  # offsets of the sentence in the checked text
    end: int = 0
    # mean per-token log-probability of the sentence's translation, when a model was given
    model_logprob: float | None = None

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


# ---------------------------------------------------------------------------- detectors

_STRAY_WORDS = frozenset(
    "le la les l un une des du de au aux ce cette ces il elle ils elles mais et qui que dans "
    "pour sur avec par en".split()
)
# Proper names that start with a capitalised article or preposition.
_NAMES_WITH_ARTICLE = frozenset(
    """la haye|la paz|le caire|le havre|le mans|le monde|le figaro|le pen|la mecque|le cap|
    les échos|la rochelle|la réunion|le parisien|la croix|la poste|le point|les républicains|
    la défense|le bourget|la valette|la nouvelle|le touquet|la fontaine|la tribune|
    les verts|la manche|le libéria|la libre|le soir|le temps|le devoir|la presse|
    de gaulle|le drian|le maire|la rédaction|du bellay|de villepin|des moines|la palma|
    le salvador|la nouvelle-orléans|la havane|le québec|la silicon|le louvre|le bon marché""".replace(
        "\n", ""
    ).split("|")
)
_SENTENCE_OPENERS = set('.!?:;«“"(—–-…')
_APOSTROPHES = "'’"


def _opens_name(article: str, after: re.Match[str] | None) -> bool:
    """Whether ``article`` and the word ``after`` it begin a name such as *La Haye* or *Le Pen*."""
    pair = f"{article.lower()} {after.group().lower()}" if after else ""
    return any(pair.startswith(n) for n in _NAMES_WITH_ARTICLE)


def _stray_capital(text: str) -> list[Flag]:
    flags = []
    for m in _TOKEN.finditer(text):
        word = m.group()
        base = re.split(r"['’]", word)[0]
        if (
            not base[:1].isupper()
            or base.lower() not in _STRAY_WORDS
            or (base.isupper() and len(base) > 1)
        ):
            continue
        before = text[max(0, m.start() - 60) : m.start()].rstrip()
        if not before or before[-1] in _SENTENCE_OPENERS or before[-1] in "”»\n":
            continue
        prev = _TOKEN.findall(before[-40:])
        if prev and prev[-1][:1].isupper() and not prev[-1].isupper():
            continue  # inside a multi-word name: "Kim Jong Un", "Saint Louis et Des Moines"
        elided = word[len(base) + 1 :]
        if elided and not known(elided, 3.0):
            continue  # a brand or name: "L’Oreal"
        if len(base) == 1 and text[m.end() : m.end() + 1] == ".":
            continue  # an initial: "Monsieur L."
        after = _TOKEN.match(text, m.end() + 1)
        if _opens_name(base, after):
            continue
        if after and after.group()[:1].isupper() and not known(after.group(), 3.0):
            continue  # part of a rare name: "Bill De Blasio", "Marine Le Pen"
        suggestion = word[0].lower() + word[1:]
        flags.append(
            Flag(
                "stray_capital",
                m.start(),
                m.start() + len(base),
                base,
                f"capitalised '{base}' in the middle of a sentence",
                0.85,
                suggestion[: len(base)],
            )
        )
    return flags


# "qui" then a capitalised article and a name: English "a report that Russia had ..." came out
# as "un rapport qui La Russie aurait ...", a subject relative ("qui") before a new subject.
# Clean French never writes it (no line of the 2.8 M training pairs does); "que" reads right, and
# the translation gets "that Russia would have" instead of dropping Russia.
_QUI_SUBJECT = re.compile(rf"\bqui (Les|Le|La|L['’])(?=\s*[A-ZÀ-Ý][{_LETTERS}])")
_PREPOSITIONS = frozenset("à de pour avec par sur chez contre sans vers entre envers".split())


def _qui_subject(text: str) -> list[Flag]:
    flags = []
    for m in _QUI_SUBJECT.finditer(text):
        before = _TOKEN.findall(text[max(0, m.start() - 30) : m.start()])
        if before and before[-1].lower() in _PREPOSITIONS:
            continue  # "à qui La Poste a écrit": "qui" is the object of the preposition
        article = m.group(1)
        name = _opens_name(
            article, _TOKEN.match(text, m.end() + (0 if article[-1] in _APOSTROPHES else 1))
        )
        flags.append(
            Flag(
                "qui_subject",
                m.start(),
                m.end(),
                m.group(),
                f"'qui' before the new subject '{article}…': a mistranslated 'that'",
                0.85,
                f"que {article if name else article.lower()}",  # "que Le Monde a publié"
            )
        )
    return flags


# An English noun compound with its own article ("the NATO Secretary-General") came out with
# both articles: "le OTAN Le secrétaire général". The French is "le secrétaire général de
# l'OTAN"; fixing only the elision ("l'OTAN Le secrétaire") makes the model write "NATO,
# Secretary-General," (two people). In the 2.8 M training pairs the pattern occurs on six
# lines, each where a heading ending in an acronym is glued to a sentence.
_ARTICLE_COMPOUND = re.compile(
    rf"\b([Ll]e|[Ll]a|[Ll]es|[Ll]['’]) ?([A-Z][A-Z0-9]+) (?:(Le|La|Les) |(L['’]))"
    rf"([a-zà-öø-ÿ][{_LETTERS}]*(?:-[{_LETTERS}]+)*)"
)
_NEXT_WORD = re.compile(rf" ([{_LETTERS}]+(?:-[{_LETTERS}]+)*)")
# adjectives that come before the noun ("le premier président")
_BEFORE_NOUN = frozenset(
    """premier première premiers premières nouveau nouvel nouvelle nouveaux nouvelles ancien
    ancienne anciens anciennes célèbre grand grande grands grandes petit petite petits petites
    jeune jeunes vieux vieille haut haute hauts hautes seul seule dernier dernière derniers
    dernières futur future prochain prochaine principal principale principaux vice""".split()
)
# adjectives after the noun, by their endings ("général", "américaine", "intérieur")
_ADJECTIVE = re.compile(
    r"[a-zà-öø-ÿ-]+(?:al|ale|aux|ales|ien|ienne|iens|iennes|ain|aine|ains|aines|ais|aise|ique|"
    r"iques|if|ive|ifs|ives|el|elle|els|elles|aire|aires|eur|eure|eurs|eures|é|ée|és|ées)"
)
# verbs with those endings: "provienne", "obtienne"
_NOT_ADJECTIVE = re.compile(r".*(?:vienne|tienne|viennes|tiennes)")
# words after a participle that make it a verb with its complement, not an adjective
_COMPLEMENT = frozenset("à de d du des par pour en".split())


def _compound_end(text: str, noun: str, end: int) -> int:
    """Where the noun phrase of ``noun`` (ending at ``end``) ends: with up to two adjectives."""
    if noun.lower() in _BEFORE_NOUN:
        after = _NEXT_WORD.match(text, end)
        if after and after.group(1).islower():
            end = after.end()
    for _ in range(2):
        adj = _NEXT_WORD.match(text, end)
        if (
            not adj
            or not _ADJECTIVE.fullmatch(adj.group(1))
            or _NOT_ADJECTIVE.fullmatch(adj.group(1))
        ):
            break
        following = _NEXT_WORD.match(text, adj.end())
        if (
            adj.group(1).endswith(("é", "ée", "és", "ées"))
            and following
            and following.group(1).lower() in _COMPLEMENT
        ):
            break  # "la création destinée à éviter": a participle with its complement
        end = adj.end()
    return end


def _article_compound(text: str) -> list[Flag]:
    flags = []
    for m in _ARTICLE_COMPOUND.finditer(text):
        article, acronym = m.group(1).lower(), m.group(2)
        own = (m.group(3) or m.group(4)).lower()
        end = _compound_end(text, m.group(5), m.end())
        if article == "les":
            of = f"des {acronym}"
        elif article[-1] in _APOSTROPHES or acronym[0] in "AEIOUY":
            apostrophe = "’" if "’" in text else "'"  # the text's own
            of = f"de l{apostrophe}{acronym}"
        else:
            of = f"du {acronym}" if article == "le" else f"de la {acronym}"
        noun = text[m.start(5) : end]
        fix = f"{own}{'' if own[-1] in _APOSTROPHES else ' '}{noun} {of}"
        before = text[: m.start()].rstrip()
        if not before or before[-1] in _SENTENCE_OPENERS:  # the sentence's first word
            fix = fix[0].upper() + fix[1:]
        flags.append(
            Flag(
                "article_compound",
                m.start(),
                end,
                text[m.start() : end],
                f"'{m.group(1)} {acronym}' before '{own}…': an English compound with two articles",
                0.85,
                fix,
            )
        )
    return flags


_DUPLICATE = re.compile(rf"\b([{_LETTERS}]+)\s+(\1)\b", re.IGNORECASE)
_LEGIT_DOUBLES = frozenset({"nous", "vous"})


def _duplicate_word(text: str) -> list[Flag]:
    return [
        Flag(
            "duplicate_word",
            m.start(),
            m.end(),
            m.group(),
            f"'{m.group(1)}' repeated",
            0.9,
            m.group(1),
        )
        for m in _DUPLICATE.finditer(text)
        if m.group(1).lower() not in _LEGIT_DOUBLES and not m.group(1)[:1].isupper()
    ]


_ELIDABLE = re.compile(
    rf"\b(le|la|de|je|me|te|se|ne|ce|que|jusque|lorsque|puisque|si)\s+([{_VOWEL}h][{_LETTERS}]*)",
    re.IGNORECASE,
)
# Words that begin with a vowel letter but take no elision, and common h-muet words that do.
_NO_ELISION = frozenset("un une onze oui ouate ouistiti uhlan".split())
_H_MUET = frozenset(
    "homme hommes heure heures histoire hôpital hiver habitant habitants hôtel humanité "
    "homologue honneur huile hier habitude herbe hélicoptère héritage hypothèse".split()
)


def _bad_elision(text: str) -> list[Flag]:
    flags = []
    for m in _ELIDABLE.finditer(text):
        art, word = m.group(1), m.group(2)
        low = word.lower()
        if low in _NO_ELISION or (low[0] == "h" and low not in _H_MUET):
            continue
        if len(word) == 1 or zipf(word, "en") > zipf(word, "fr") + 1.0 >= 1.0 + 2.0:
            continue  # an initial ("de A. Šternfeld") or an English name ("la University")
        if art.lower() == "si" and not low.startswith("il"):
            continue  # only "si il(s)" elides
        fixed = (
            f"{art[0]}'{word}"
            if art.lower() not in {"que", "jusque", "lorsque", "puisque"}
            else (f"{art[:-1]}'{word}")
        )
        flags.append(
            Flag(
                "bad_elision",
                m.start(),
                m.end(),
                m.group(),
                f"'{art} {word}' should elide",
                0.9,
                fixed,
            )
        )
    return flags


_QUOTE_CHARS = {"«": "fr", "»": "fr", "“": "en", "”": "en"}
_UNBALANCED = "unbalanced quotation marks"
_MIXED = "« » and “ ” mixed"
_QUOTE_AS_OPENER = re.compile(r"(?<=[A-Za-z])['’]”")


def _quote_mismatch(text: str) -> list[Flag]:
    flags = []
    for m in _QUOTE_AS_OPENER.finditer(text):
        flags.append(
            Flag(
                "quote_mismatch",
                m.start() + 1,
                m.end(),
                m.group()[1:],
                "closing quotation mark used to open a quote",
                0.9,
                "“",  # the opening mark of the same style: the sentence keeps its quotes
            )
        )
    styles = {_QUOTE_CHARS[c] for c in text if c in _QUOTE_CHARS}
    if len(styles) > 1:
        i = next(i for i, c in enumerate(text) if c in "“”")
        if not any(f.start == i for f in flags):
            flags.append(Flag("quote_mismatch", i, i + 1, text[i], _MIXED, 0.8, None))
    if not flags:
        flags.extend(_unbalanced_quotes([text])[0])
    return flags


def _unbalanced_quotes(sentences: list[str], continued: bool = False) -> list[list[Flag]]:
    """Flags for quotation marks left unmatched in a paragraph, one list per sentence.

    A quote may open in one sentence and close in a later one of the same paragraph; one left
    open at the paragraph's end is news style when the next paragraph opens a quote again
    (``continued``), the quote running on.
    """
    out: list[list[Flag]] = [[] for _ in sentences]
    for open_, close in (("«", "»"), ("“", "”")):
        opened: list[tuple[int, int]] = []  # (sentence, offset) of the quotes still open
        for k, text in enumerate(sentences):
            for i, c in enumerate(text):
                if c == open_:
                    opened.append((k, i))
                elif c == close:
                    if opened:
                        opened.pop()
                    else:
                        out[k].append(Flag("quote_mismatch", i, i + 1, c, _UNBALANCED, 0.35))
        if not (continued and opened):
            for k, i in opened:
                out[k].append(Flag("quote_mismatch", i, i + 1, open_, _UNBALANCED, 0.35))
    # one flag a sentence is enough: the score counts each flag as independent evidence
    return [f[:1] for f in out]


_MISSING_SPACE = re.compile(
    rf"(?<=[{_LETTERS}]{{2}})([.!?;])(?=[A-ZÀ-ÖØ-Þ][{_LETTERS}])|(?<=[{_LETTERS}]{{2}})([,:])(?=[{_LETTERS}]{{2}})"
)


def _missing_space(text: str) -> list[Flag]:
    return [
        Flag(
            "missing_space",
            m.start(),
            m.end() + 1,
            text[m.start() : m.end() + 1],
            f"no space after '{m.group()}'",
            0.85,
            f"{m.group()} {text[m.end()]}",
        )
        for m in _MISSING_SPACE.finditer(text)
    ]


# Short words that machine translation glues to a neighbour ("Khersonsous" = "Kherson sous").
_GLUE_WORDS = frozenset(
    """sous dans pour avec sur par de des du la le les et ou en au aux à qui que mais contre
    entre après avant depuis pendant vers chez sans selon lors où est a ont sont un une ce""".split()
)
# After a name, only prepositions and conjunctions count (not "est", "ont": "Ornest").
_NAME_GLUE = _GLUE_WORDS - {"est", "ont", "sont", "une"}
# Word endings and prefixes that make a rare word look like two ("mineront" = "miner ont").
_SUFFIXES = frozenset(
    """ont ons ions ez iez ent aient ait ais ant ment ements er eur eurs euse ité age isme iste
    able ible eau aux rent ra ras rez rons ront ments rais rait rions ai ira eux""".split()
)
_PREFIXES = frozenset(
    "bio dés dé re ré pré anti auto micro macro multi néo post pro sous super inter extra hyper "
    "mini ultra semi co contre sur in".split()
)


def _part_ok(part: str, z: float) -> bool:
    """Whether a piece of a split is a plausible word on its own (short pieces must be common)."""
    if len(part) >= 4:
        return z >= 2.5
    if len(part) >= 2:
        return z >= 4.0
    return part in {"à", "a", "y"}


def _split_merged(word: str, initial: bool = False) -> tuple[str, str] | None:
    """Best split of an unknown word into two known words, or None.

    ``initial``: the word starts the sentence, so a capital does not make it a name.
    """
    best: tuple[float, str, str] | None = None
    capital = word[:1].isupper()
    for i in range(1, len(word)):
        left, right = word[:i], word[i:]
        zl, zr = zipf(left, "fr"), zipf(right, "fr")
        plain = (
            _part_ok(left, zl)
            and _part_ok(right, zr)
            and zr >= zipf(right, "en")  # "fourballs" is English, not two French words
            and right.lower() not in _SUFFIXES
            and left.lower() not in _PREFIXES
        )
        if capital:
            # a name glued to a short word ("Khersonsous"), or two words at a sentence start
            name = max(zl, zipf(left, "en"))
            ok = (len(left) >= 3 and name >= 1.5 and len(right) >= 3 and right in _NAME_GLUE) or (
                initial and plain and zl >= 3.5
            )
        else:
            ok = plain
        if ok:
            score = min(zl, zr)
            if best is None or score > best[0]:
                best = (score, left, right)
    return (best[1], best[2]) if best else None


# longest token read as two words glued together: French words run to 25 letters
# ("anticonstitutionnellement"); a longer token is not two of them, and trying every split of
# it would look up every prefix and suffix, which grows with the square of its length
MAX_MERGED = 50


def _merged_token(text: str) -> list[Flag]:
    flags = []
    for m in _WORD.finditer(text):
        word = m.group()
        if not 6 <= len(word) <= MAX_MERGED or known(word) or word.isupper():
            continue
        initial = m.start() < 4 and not text[: m.start()].strip(" \"“«'-—")
        split = _split_merged(word, initial=initial)
        if split:
            flags.append(
                Flag(
                    "merged_token",
                    m.start(),
                    m.end(),
                    word,
                    f"unknown word; reads as '{split[0]} {split[1]}'",
                    0.9,
                    f"{split[0]} {split[1]}",
                )
            )
    return flags


def _english_leak(text: str) -> list[Flag]:
    flags: list[Flag] = []
    for m in _WORD.finditer(text):
        word = m.group()
        if word[:1].isupper() or len(word) < 2:
            continue
        en, fr = zipf(word, "en"), zipf(word, "fr")
        if en >= 3.0 and en - fr >= 2.0:
            if flags and text[flags[-1].end : m.start()].strip() == "":
                last = flags.pop()
                span = text[last.start : m.end()]
                flags.append(
                    Flag("english_leak", last.start, m.end(), span, f"English words '{span}'", 0.9)
                )
            else:
                conf = round(min(0.7, 0.35 + 0.1 * (en - fr - 2.0)), 2)
                flags.append(
                    Flag("english_leak", m.start(), m.end(), word, f"English word '{word}'", conf)
                )
    return flags


# Swapping two neighbours must make the sentence this many nats more likely to count.
WORD_ORDER_GAIN = 5.0
RARE_PAIR = 1.8  # log(count + 1) of the pair as written, at most
SWAP_MARGIN = 1.5  # the swapped pair's log count must exceed it by this much


def _word_order(text: str) -> list[Flag]:
    if not lm.available():
        return []
    matches = list(_WORD.finditer(text))
    words = [m.group().lower() for m in matches]
    flags: list[Flag] = []
    for i in range(len(matches) - 1):
        a, b = matches[i], matches[i + 1]
        if text[a.end() : b.start()] != " " or not (a.group().islower() and b.group().islower()):
            continue
        if flags and flags[-1].end > a.start():
            continue
        wa, wb = words[i], words[i + 1]
        # the pair as written must be rare and its swap common: sparse counts of rare words
        # otherwise make any reordering look better
        if (
            lm.log_count(wa, wb) > RARE_PAIR
            or lm.log_count(wb, wa) < lm.log_count(wa, wb) + SWAP_MARGIN
        ):
            continue
        gain = lm.swap_gain(words, i)
        if gain >= WORD_ORDER_GAIN:
            flags.append(
                Flag(
                    "word_order",
                    a.start(),
                    b.end(),
                    text[a.start() : b.end()],
                    f"'{b.group()} {a.group()}' reads far more naturally (+{gain:.1f} nats)",
                    round(min(0.9, 0.2 + gain / 20), 2),
                    f"{b.group()} {a.group()}",
                )
            )
    return flags


DETECTORS: dict[str, Callable[[str], list[Flag]]] = {
    "merged_token": _merged_token,
    "stray_capital": _stray_capital,
    "qui_subject": _qui_subject,
    "article_compound": _article_compound,
    "duplicate_word": _duplicate_word,
    "english_leak": _english_leak,
    "bad_elision": _bad_elision,
    "quote_mismatch": _quote_mismatch,
    "missing_space": _missing_space,
    "word_order": _word_order,
}


def check_sentence(text: str, index: int = 0, start: int = 0) -> SentenceReport:
    """Run every detector on one sentence."""
    flags: list[Flag] = []
    meta, prose_at = split_metadata(text)
    if meta:
        flags.append(Flag("metadata", 0, len(meta), meta, "metadata glued to the text", 0.95, ""))
    language, confidence = detect_language(_WORD.findall(text[prose_at:]))
    if language != "fr" and confidence >= 0.25:
        return SentenceReport(index, text, 0.0, False, [], language, start, start + len(text))
    prose = text[prose_at:]
    for detect in DETECTORS.values():
        for f in detect(prose):
            flags.append(replace(f, start=f.start + prose_at, end=f.end + prose_at))
    # a compound's elision and capital are parts of its one error, with its one fix
    spans = [(f.start, f.end) for f in flags if f.type == "article_compound"]
    flags = [
        f
        for f in flags
        if f.type == "article_compound" or not any(a <= f.start and f.end <= b for a, b in spans)
    ]
    return _with_flags(
        SentenceReport(index, text, 0.0, False, [], "fr", start, start + len(text)), flags
    )


def _with_flags(report: SentenceReport, flags: list[Flag]) -> SentenceReport:
    flags = sorted(flags, key=lambda f: (f.start, f.end))
    remaining = 1.0
    for f in flags:
        remaining *= 1 - f.confidence
    score = round(1 - remaining, 4)
    return replace(report, garble_score=score, flagged=score >= FLAG_THRESHOLD, flags=flags)


def in_context(report: SentenceReport, source: SentenceReport) -> SentenceReport:
    """``report`` (a check of ``source``'s sentence after a repair) with the quote balance its
    document gave ``source``: whether a quotation mark is matched depends on the sentences
    around it, which a check of one sentence does not see."""
    kept = [f for f in report.flags if f.reason != _UNBALANCED]
    if len(kept) == len(report.flags) or any(f.reason == _UNBALANCED for f in source.flags):
        return report
    return _with_flags(report, kept)


def check(
    text: str, *, segmented: bool = False, translator: Translator | None = None
) -> list[SentenceReport]:
    """Check French text sentence by sentence (or line by line with ``segmented=True``).

    Quote balance is judged over each paragraph (with ``segmented=True``, a run of lines
    between blank ones), so a quote may open and close in different sentences.

    With a ``translator``, each report also carries the model's log-probability of its
    translation (``model_logprob``): low values point at sentences the model found hard.
    """
    reports = _check_segments(text, segmented)
    if translator is None:
        return reports
    results = translator.translate_segments([r.text for r in reports])
    return [
        replace(r, model_logprob=res.logprob if r.text.strip() else None)
        for r, res in zip(reports, results, strict=True)
    ]


def _check_segments(text: str, segmented: bool) -> list[SentenceReport]:
    paragraphs: list[list[SentenceReport]] = [[]]
    if segmented:
        pos = 0
        for i, line in enumerate(segment_lines(text)):
            if line.strip():
                paragraphs[-1].append(check_sentence(line, i, pos))
            else:  # a blank line ends a paragraph
                paragraphs.append([check_sentence(line, i, pos)])
                paragraphs.append([])
            pos += len(line) + 1
    else:
        for p in segment(text).paragraphs:
            paragraphs.append([])
            for s in p.sentences:
                begin = s.start
                if p.metadata and s is p.sentences[0]:
                    begin = p.start  # report the glued metadata with the sentence it sticks to
                paragraphs[-1].append(check_sentence(text[begin : s.end], 0, begin))
    paragraphs = [p for p in paragraphs if p]
    reports: list[SentenceReport] = []
    for n, para in enumerate(paragraphs):
        following = next((q[0].text.lstrip() for q in paragraphs[n + 1 :] if q[0].text.strip()), "")
        reports.extend(_balance_quotes(para, continued=following[:1] in ("«", "“")))
    if segmented:
        return reports  # indexed by input line, blank lines included
    return [replace(r, index=i) for i, r in enumerate(reports)]


def _balance_quotes(paragraph: list[SentenceReport], continued: bool) -> list[SentenceReport]:
    """Judge quote balance over the paragraph instead of sentence by sentence."""
    out = []
    context = _unbalanced_quotes([r.text for r in paragraph], continued)
    for report, unmatched in zip(paragraph, context, strict=True):
        kept = [f for f in report.flags if f.reason != _UNBALANCED]
        if report.language != "fr" or any(f.type == "quote_mismatch" for f in kept):
            unmatched = []  # not checked (another language), or its quotes already flagged
        if len(kept) == len(report.flags) and not unmatched:
            out.append(report)
        else:
            out.append(_with_flags(report, kept + unmatched))
    return out


# ---------------------------------------------------------------------------- repair

REPAIRABLE = frozenset(
    {
        "merged_token",
        "bad_elision",
        "quote_mismatch",
        "missing_space",
        "duplicate_word",
        "qui_subject",
        "article_compound",
        "metadata",
    }
)


@dataclass(frozen=True)
class Change:
    """One applied fix, with offsets into the original text."""

    type: str
    start: int
    end: int
    before: str
    after: str


@dataclass(frozen=True)
class Repair:
    """Repaired text, the metadata moved out of it, and every change made."""

    text: str
    changes: list[Change]
    metadata: str | None = None


def repair(text: str, *, min_confidence: float = 0.8) -> Repair:
    """Apply the high-confidence fixes (merged tokens, elision, quotes, spacing, repeated words,
    "qui" before a new subject, metadata)."""
    edits: list[Change] = []
    metadata = None
    for rep in check(text):
        # first, so that in a sentence of mixed styles they win over a single quote fix
        edits.extend(_normalise_quotes(text, rep))
        for f in rep.flags:
            if f.type not in REPAIRABLE or f.confidence < min_confidence or f.suggestion is None:
                continue
            start, end = rep.start + f.start, rep.start + f.end
            after = f.suggestion
            if f.type == "metadata":
                metadata = f.text
                end = rep.start + split_metadata(rep.text)[1]  # the metadata and its space
                after = ""
            edits.append(Change(f.type, start, end, text[start:end], after))
    edits = _non_overlapping(edits)
    out = text
    for c in sorted(edits, key=lambda c: c.start, reverse=True):
        out = out[: c.start] + c.after + out[c.end :]
    return Repair(out, sorted(edits, key=lambda c: c.start), metadata)


def _normalise_quotes(text: str, rep: SentenceReport) -> list[Change]:
    """Turn “ ” pairs into « » (French quotation marks) in a sentence that mixes styles."""
    if not any(f.reason == _MIXED for f in rep.flags):
        return []
    openers = {f.start for f in rep.flags if f.suggestion == "“"}  # a ” that opens a quote
    changes = []
    for i, c in enumerate(rep.text):
        if c in "“”":
            pos = rep.start + i
            after = "« " if c == "“" or i in openers else " »"
            # one space inside the marks, as French writes them, not two
            if after == "« " and rep.text[i + 1 : i + 2].isspace():
                after = "«"
            elif after == " »" and rep.text[i - 1 : i].isspace():
                after = "»"
            changes.append(Change("quote_mismatch", pos, pos + 1, c, after))
    return changes


def _non_overlapping(edits: list[Change]) -> list[Change]:
    kept: list[Change] = []
    for c in sorted(edits, key=lambda c: (c.start, -(c.end - c.start))):
        if kept and c.start < kept[-1].end:
            continue
        kept.append(c)
    return kept
