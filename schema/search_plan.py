"""How a search query becomes what the full-text engines match, against the vocabulary.

Each word of the query (folded, as the index holds it) becomes a *group* of alternatives,
every group must match, any alternative of a group will do:

- the word itself (EXACT);
- for the last word, every index word it begins (PREFIX), so results come as people type
  (COMPLETION, weighing less, where the last word is a whole index word already);
- for a word of 4+ letters that matches nothing, index words within one edit of it (two
  for 8+ letters; TYPO), on the folded form, by rapidfuzz's Levenshtein distance;
- a word that splits into two index words ("vietnam" → "viet nam"), and two query words
  that together are one index word ("viet nam" → "vietnam") (COMPOUND).

A word with no alternative at all is left out of matching (``Plan.dropped``) rather than
emptying the result, as a search box that forgives one stray word would. Weights put the
exact word above a prefix, and both above a correction, in ``schema.search_rank``.

The plan also spells the query as the index does (``Plan.spelled``, diacritics and all):
the suggestion offered when corrections find more than the query as typed.
"""

from __future__ import annotations

import bisect
from dataclasses import dataclass, field
from enum import Enum

from rapidfuzz import process
from rapidfuzz.distance import Levenshtein

from dxtext.text import fold, spelled_tokens

#: fewer letters than this: never corrected (too many words are one edit from "so")
TYPO_MIN_LETTERS = 4
#: this many letters or more: two edits allowed
TWO_TYPOS_MIN_LETTERS = 8
#: corrections kept per word, the nearest and most common first
MAX_CORRECTIONS = 8
#: completions a prefix stands for: the index words it begins, the most common first (as
#: Typesense's ``max_candidates``): "t" begins 136 words, and a query's cost grows with
#: every word it may be
MAX_COMPLETIONS = 16


class Match(Enum):
    EXACT = "EXACT"
    PREFIX = "PREFIX"
    #: the completions of a last word that is a whole index word already ("soc" → "socola")
    COMPLETION = "COMPLETION"
    TYPO = "TYPO"
    COMPOUND = "COMPOUND"


#: how much a match of each kind weighs in ranking (the exact word, then a compound
#: written otherwise, a prefix, a correction, and last the completions of a whole word)
WEIGHTS = {
    Match.EXACT: 1.0,
    Match.COMPOUND: 0.9,
    Match.PREFIX: 0.6,
    Match.TYPO: 0.45,
    Match.COMPLETION: 0.3,
}
#: a word split into two index words only with at least this many letters on each side
SPLIT_MIN_LETTERS = 3


@dataclass(frozen=True, slots=True)
class Vocabulary:
    """The index's words (folded) with their usual spelling, all spellings, entry counts."""

    spelling: dict[str, str]
    spellings: dict[str, frozenset[str]]
    entries: dict[str, int]
    terms: list[str]  # sorted, for prefix look-ups
    #: ``completions`` worked out once per prefix (planning, matching and scoring ask);
    #: only prefixes of index words are kept, so it holds at most one entry per prefix of
    #: the vocabulary whatever is typed
    _completions: dict[str, list[str]] = field(default_factory=dict, compare=False, repr=False)

    @classmethod
    def of(cls, rows: list[tuple[str, str, str, int]]) -> Vocabulary:
        """From ``search_terms`` rows (term, spelling, spellings, entries)."""
        return cls(
            spelling={term: spelling for term, spelling, _, _ in rows},
            spellings={term: frozenset(all_.split()) for term, _, all_, _ in rows},
            entries={term: count for term, _, _, count in rows},
            terms=sorted(term for term, _, _, _ in rows),
        )

    def __contains__(self, term: object) -> bool:
        return term in self.entries

    def prefixed(self, prefix: str) -> list[str]:
        """Every index word that begins with ``prefix`` (itself included)."""
        start = bisect.bisect_left(self.terms, prefix)
        end = bisect.bisect_left(self.terms, prefix + "\U0010ffff")
        return self.terms[start:end]

    def completions(self, prefix: str) -> list[str]:
        """What a prefix matches: the ``MAX_COMPLETIONS`` commonest index words it begins
        (by entries holding them, then alphabetically), in alphabetical order."""
        found = self._completions.get(prefix)
        if found is None:
            found = self.prefixed(prefix)
            if len(found) > MAX_COMPLETIONS:
                found = sorted(sorted(found, key=lambda t: -self.entries[t])[:MAX_COMPLETIONS])
            if found:
                self._completions[prefix] = found
        return found

    def near(self, word: str) -> list[str]:
        """Index words within the allowed edits of ``word``, nearest and commonest first."""
        if len(word) < TYPO_MIN_LETTERS or not self.terms:
            return []
        edits = 2 if len(word) >= TWO_TYPOS_MIN_LETTERS else 1
        found = process.extract(
            word, self.terms, scorer=Levenshtein.distance, score_cutoff=edits, limit=None
        )
        ranked = sorted(found, key=lambda hit: (hit[1], -self.entries[hit[0]], hit[0]))
        return [term for term, _, _ in ranked[:MAX_CORRECTIONS]]

    def holding(self, terms: tuple[str, ...], prefix: bool) -> int:
        """Entries holding the rarest of ``terms`` (a prefix: its commonest completion)."""
        counts = []
        for index, term in enumerate(terms):
            if prefix and index == len(terms) - 1:
                counts.append(max((self.entries[t] for t in self.completions(term)), default=0))
            else:
                counts.append(self.entries.get(term, 0))
        return min(counts, default=0)


@dataclass(frozen=True, slots=True)
class Alternative:
    """One way a group can match: a word, or several (adjacent and in order when ``phrase``)."""

    terms: tuple[str, ...]
    match: Match
    prefix: bool = False  # the last of ``terms`` matches as a prefix
    phrase: bool = True

    @property
    def weight(self) -> float:
        return WEIGHTS[self.match]


@dataclass(frozen=True, slots=True)
class Group:
    """One query word (or two that form one index word) and what may stand for it."""

    spelled: tuple[str, ...]  # the query's own words, lower case, as typed
    alternatives: tuple[Alternative, ...]

    @property
    def corrected(self) -> bool:
        """Matched only through a correction: no exact, prefix or phrase alternative."""
        return all(alt.match in (Match.TYPO, Match.COMPOUND) for alt in self.alternatives)


@dataclass(frozen=True, slots=True)
class Plan:
    groups: tuple[Group, ...]
    dropped: tuple[str, ...]  # query words that match nothing in any way
    spelled: str  # the query as the index spells it (the suggestion's text)

    @property
    def empty(self) -> bool:
        return not self.groups

    @property
    def corrected(self) -> bool:
        """Some word matches only through a correction (so, as typed, nothing matches)."""
        return any(group.corrected for group in self.groups)

    def fts5(self) -> str:
        """An FTS5 MATCH expression: groups ANDed, alternatives ORed (tokens are [a-z0-9])."""

        def alternative(alt: Alternative) -> str:
            if not alt.phrase:
                return "(" + " AND ".join(f'"{term}"' for term in alt.terms) + ")"
            return f'"{" ".join(alt.terms)}"' + ("*" if alt.prefix else "")

        return " AND ".join(
            "(" + " OR ".join(alternative(a) for a in g.alternatives) + ")" for g in self.groups
        )

    def tsquery(self) -> str:
        """A PostgreSQL tsquery: ``&`` between groups, ``|`` between alternatives."""

        def alternative(alt: Alternative) -> str:
            words = list(alt.terms)
            if alt.prefix:
                words[-1] += ":*"
            return "(" + (" <-> " if alt.phrase else " & ").join(words) + ")"

        return " & ".join(
            "(" + " | ".join(alternative(a) for a in g.alternatives) + ")" for g in self.groups
        )


def plan_query(text: str, vocabulary: Vocabulary, max_words: int) -> Plan:
    """The match plan of a search argument (see the module docstring)."""
    words = spelled_tokens(text)[:max_words]
    groups: list[Group] = []
    dropped: list[str] = []
    spelled: list[str] = []
    index = 0
    while index < len(words):
        folded, as_typed = words[index]
        last = index == len(words) - 1
        if not last:
            joined = folded + words[index + 1][0]
            if joined in vocabulary:
                pair = (folded, words[index + 1][0])
                groups.append(
                    Group(
                        (as_typed, words[index + 1][1]),
                        (
                            Alternative(pair, Match.EXACT, phrase=False),
                            Alternative((joined,), Match.COMPOUND),
                        ),
                    )
                )
                spelled.append(f"{as_typed} {words[index + 1][1]}")
                index += 2
                continue
        alternatives: list[Alternative] = []
        if folded in vocabulary:
            alternatives.append(Alternative((folded,), Match.EXACT))
        if last and any(term != folded for term in vocabulary.prefixed(folded)):
            kind = Match.COMPLETION if alternatives else Match.PREFIX
            alternatives.append(Alternative((folded,), kind, prefix=True))
        if not alternatives:
            alternatives += [Alternative((t,), Match.TYPO) for t in vocabulary.near(folded)]
        split = _split(folded, vocabulary)  # "vietnam" is a word, and "viet nam" two
        if split:
            alternatives.append(Alternative(split, Match.COMPOUND))
        if not alternatives:
            dropped.append(as_typed)
            spelled.append(as_typed)
        else:
            groups.append(Group((as_typed,), tuple(alternatives)))
            spelled.append(_spell(as_typed, alternatives[0], vocabulary))
        index += 1
    return Plan(tuple(groups), tuple(dropped), " ".join(spelled))


def _split(word: str, vocabulary: Vocabulary) -> tuple[str, str] | None:
    """``word`` as two index words ("vietnam" → ("viet", "nam")), the most common split."""
    splits = [
        (word[:cut], word[cut:])
        for cut in range(SPLIT_MIN_LETTERS, len(word) - SPLIT_MIN_LETTERS + 1)
        if word[:cut] in vocabulary and word[cut:] in vocabulary
    ]
    if not splits:
        return None
    return max(splits, key=lambda s: min(vocabulary.entries[s[0]], vocabulary.entries[s[1]]))


def _spell(as_typed: str, alternative: Alternative, vocabulary: Vocabulary) -> str:
    """How the index spells what the query word matched: diacritics restored, a typo fixed.

    A word typed with its diacritics keeps them; a prefix or a compound stays as typed.
    """
    if alternative.prefix or alternative.match is Match.COMPOUND:
        return as_typed  # a prefix is not a word; a compound keeps the writer's spacing
    if alternative.match is Match.EXACT and fold(as_typed) != as_typed:
        return as_typed
    return " ".join(vocabulary.spelling.get(term, term) for term in alternative.terms)
