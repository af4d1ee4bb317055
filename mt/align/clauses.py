"""Clauses: the units aligned by default, and clause links joined back into sentence links."""

from __future__ import annotations

from collections.abc import Sequence

from mt.align.costs import Costs
from mt.records import Link
from mt.text.segment import CLAUSE_BREAK

# a sentence is cut into clauses after a semicolon or a colon; a piece shorter than this (in
# characters) stays with its neighbour
MIN_CLAUSE_CHARS = 10


# the widest side of the default beads: what a sentence is cut into at most
MAX_CLAUSES = max(max(shape) for shape in Costs().beads)


def split_clauses(
    sentences: Sequence[str], max_clauses: int = MAX_CLAUSES
) -> tuple[list[str], list[int]]:
    """The clauses :func:`align` aligns by default, and the sentence each one belongs to.

    Translators of literary prose move clause boundaries across sentence boundaries ("…: no one
    had reproved John;" ends one English sentence, begins a French one); aligning clauses lets a
    bead end inside a sentence, and the sentences its clauses link are then joined.
    ``max_clauses``: a sentence cut into more pieces has its shortest neighbouring pieces joined
    until that many are left, so that a bead can hold it whole (a list of nine items after
    semicolons must still meet a translation that separates them by commas); ``align`` passes
    its widest bead side."""
    clauses: list[str] = []
    owner: list[int] = []
    for i, sentence in enumerate(sentences):
        parts: list[str] = []
        for part in CLAUSE_BREAK.split(sentence):
            if parts and (len(part) < MIN_CLAUSE_CHARS or len(parts[-1]) < MIN_CLAUSE_CHARS):
                parts[-1] += " " + part
            elif part.strip() or not parts:
                parts.append(part)
        while len(parts) > max(max_clauses, 1):
            k = min(range(len(parts) - 1), key=lambda x: len(parts[x]) + len(parts[x + 1]))
            parts[k : k + 2] = [parts[k] + " " + parts[k + 1]]
        clauses += parts
        owner += [i] * len(parts)
    return clauses, owner


def units(sentences: Sequence[str], clauses: bool, widest: int) -> tuple[list[str], list[int]]:
    """What is aligned on one side, and the sentence each unit belongs to: its clauses (at most
    ``widest`` a sentence, the widest bead side), or the sentences themselves."""
    if clauses:
        return split_clauses(sentences, widest)
    return list(sentences), list(range(len(sentences)))


def boundary_costs(owner: list[int], cost: float) -> list[float]:
    """The cost of a bead boundary before each unit and after the last: ``cost`` inside a
    sentence (between two of its clauses), 0 between sentences."""
    inside = [k > 0 and owner[k] == owner[k - 1] for k in range(len(owner))]
    return [cost if x else 0.0 for x in inside] + [0.0]


def join_clauses(links: list[Link], fr_owner: list[int], en_owner: list[int]) -> list[Link]:
    """Clause links as sentence links: the sentences that linked clauses belong to make one
    link (its score the sum of theirs); a sentence none of whose clauses linked stays alone."""
    parent: dict[tuple[str, int], tuple[str, int]] = {}

    def root(x: tuple[str, int]) -> tuple[str, int]:
        while parent.setdefault(x, x) != x:
            x = parent[x]
        return x

    for link in links:
        nodes = [("f", fr_owner[k]) for k in link.fr] + [("e", en_owner[k]) for k in link.en]
        for node in nodes[1:]:
            parent[root(node)] = root(nodes[0])
    # the clause path is monotone, so each group's sentences are consecutive and the groups come
    # in the order their first clause link does
    groups: dict[tuple[str, int], tuple[set[int], set[int], list[float]]] = {}
    for link in links:
        first = ("f", fr_owner[link.fr[0]]) if link.fr else ("e", en_owner[link.en[0]])
        f_set, e_set, scores = groups.setdefault(root(first), (set(), set(), []))
        f_set.update(fr_owner[k] for k in link.fr)
        e_set.update(en_owner[k] for k in link.en)
        scores.append(link.score)
    return [Link(sorted(f), sorted(e), round(sum(sc), 3)) for f, e, sc in groups.values()]
