"""Ranking and snippets of search matches: one scorer for both backends, so they agree.

BM25F-style term weights with the title (a question's text, a task's title…) above the
body; each query word scores through its best alternative (``schema.search_plan``): the
exact word above a prefix, both above a correction. On top of that:

- *exact spelling*: a query word typed with diacritics ("Tĩnh") weighs more where the
  entry spells it the same way, and so does a plain ASCII word ("SOC", "DTI") that the
  texts also write unaccented; where the entry spells an accented word only otherwise
  ("năm" for "Nậm") it weighs less — a folded match is a weaker match, not an equal one;
- *phrase*: the query's words adjacent and in order (the last one as a prefix) earn a
  bonus, in the title more than in the body, so "Hà Tĩnh" ranks above "tỉnh Hà Giang";
- *coverage*: a title holding every word of a several-word query earns a bonus (the
  question that asks exactly this, above a task that names half of it);
- the whole query in its own spelling earns a further bonus.

Ties break by type, then by source order (in ``schema.search``).
"""

from __future__ import annotations

import functools
import html
import math
import re
from collections import Counter
from dataclasses import dataclass, field

from dxtext.text import fold, nfc
from schema.search_plan import Alternative, Plan, Vocabulary

SNIPPET_CHARS = 160
TITLE_WEIGHT = 3.0
PHRASE_BONUS = 6.0
EXACT_BONUS = 2.0
#: every word of the query in the title (a question that asks exactly this)
TITLE_COVERAGE_BONUS = 2.0
#: a word typed with diacritics ("Nậm") matched only in another spelling ("năm")
OTHER_SPELLING_FACTOR = 0.5
#: a word spelled as typed counts this much more than its folded form
EXACT_WORD_BONUS = 1.0
#: a prefix this long is marked wherever it begins a word; a shorter one only where it
#: continues the matched words
PREFIX_MARK_LETTERS = 3
_K1, _B = 1.2, 0.75


@dataclass(frozen=True, slots=True)
class Stats:
    """Corpus figures for term weights: entries and mean lengths (in words)."""

    entries: int
    title_length: float
    body_length: float


@dataclass(frozen=True, slots=True)
class Candidate:
    """What ranking needs of a matching entry: its texts, and what scoring reads of them
    worked out once (so a candidate kept between searches is scored cheaply)."""

    id: str
    kind: str
    position: int
    title_folded: str
    body_folded: str
    title: str
    body: str
    province_id: str | None = None
    #: folded words counted, and how many there are
    title_counts: Counter[str] = field(init=False, repr=False, compare=False)
    body_counts: Counter[str] = field(init=False, repr=False, compare=False)
    title_length: int = field(init=False, repr=False, compare=False)
    body_length: int = field(init=False, repr=False, compare=False)
    #: the original text in lower case, and its words (for spelling preferences)
    title_lower: str = field(init=False, repr=False, compare=False)
    body_lower: str = field(init=False, repr=False, compare=False)
    title_spelled: frozenset[str] = field(init=False, repr=False, compare=False)
    body_spelled: frozenset[str] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        for name, folded, text in (
            ("title", self.title_folded, self.title),
            ("body", self.body_folded, self.body),
        ):
            words = folded.split()
            lower = text.lower()
            object.__setattr__(self, f"{name}_counts", Counter(words))
            object.__setattr__(self, f"{name}_length", len(words))
            object.__setattr__(self, f"{name}_lower", lower)
            object.__setattr__(self, f"{name}_spelled", frozenset(_WORDS.findall(lower)))


_WORDS = re.compile(r"\w+")


class _Counting:
    """How often one alternative occurs in a text, worked out once per query: a word is
    a look-up in the text's counted words, a prefix the sum over its completions
    (``Vocabulary.completions``), words that need not stand together the rarest of them,
    a phrase the matches of its pattern (only searched for where its words stand
    together at all)."""

    __slots__ = ("completions", "literal", "pattern", "terms", "word")

    def __init__(self, alternative: Alternative, vocabulary: Vocabulary) -> None:
        terms = alternative.terms
        self.word = self.literal = ""
        self.terms: tuple[str, ...] = ()
        self.completions: list[str] = []
        self.pattern: re.Pattern[str] | None = None
        if len(terms) == 1:
            if alternative.prefix:
                self.completions = vocabulary.completions(terms[0])
            else:
                self.word = terms[0]
        elif not alternative.phrase:
            self.terms = terms
        else:
            self.literal = " ".join(terms)
            self.pattern = re.compile(
                r"(?<!\S)"
                + re.escape(self.literal)
                + (r"\S*" if alternative.prefix else "")
                + r"(?!\S)"
            )

    def __call__(self, counts: Counter[str], joined: str) -> int:
        """Occurrences in a text: ``counts`` are its folded words counted, ``joined``
        them space-joined."""
        if self.word:
            return counts.get(self.word, 0)
        if self.pattern is not None:
            return len(self.pattern.findall(joined)) if self.literal in joined else 0
        if self.terms:
            return min(counts.get(term, 0) for term in self.terms)
        return sum(counts.get(word, 0) for word in self.completions)


class _Spellings:
    """A group's preferred spellings, found as whole words of a text: a set look-up
    where every spelling is one word (as typed words are), a pattern otherwise."""

    def __init__(self, forms: frozenset[str]) -> None:
        self.forms = forms
        self.pattern = None
        if not all(_WORDS.fullmatch(form) for form in forms):
            self.pattern = re.compile(
                r"(?<!\w)(?:" + "|".join(map(re.escape, sorted(forms))) + r")(?!\w)"
            )

    def found(self, words: frozenset[str], lower: str) -> bool:
        if self.pattern is not None:
            return self.pattern.search(lower) is not None
        return not self.forms.isdisjoint(words)


def exact_forms(plan: Plan, vocabulary: Vocabulary) -> list[frozenset[str]]:
    """Per group, the spellings that count as exact (empty: no spelling preference).

    A word typed with diacritics prefers itself; a plain word prefers its plain form when
    the texts also spell it that way ("soc" as "SOC", not only "sóc").
    """
    forms: list[frozenset[str]] = []
    for group in plan.groups:
        preferred: set[str] = set()
        for spelled in group.spelled:
            folded = fold(spelled)
            if folded != spelled or spelled in vocabulary.spellings.get(folded, ()):
                preferred.add(spelled)
        forms.append(frozenset(preferred))
    return forms


class Scorer:
    """Scores the candidates of one query: what depends on the query alone (term weights,
    spelling and phrase patterns) is worked out once, in the constructor."""

    def __init__(self, plan: Plan, vocabulary: Vocabulary, stats: Stats, raw: str) -> None:
        self.plan = plan
        self.stats = stats
        entries = stats.entries
        #: per group: (the alternative's idf, its weight, how to count it) per alternative
        self.weights = [
            [
                (
                    math.log(1 + (entries - holding + 0.5) / (holding + 0.5)),
                    alt.weight,
                    _Counting(alt, vocabulary),
                )
                for alt in group.alternatives
                for holding in [vocabulary.holding(alt.terms, alt.prefix)]
            ]
            for group in plan.groups
        ]
        #: per group: its preferred spellings (None: no preference)
        self.exact = [
            _Spellings(forms) if forms else None for forms in exact_forms(plan, vocabulary)
        ]
        #: per group: typed with diacritics (a deliberate spelling: other spellings weigh
        #: less; a plain word only prefers its plain form, "nam" may be "năm")
        self.accented = [any(fold(w) != w for w in group.spelled) for group in plan.groups]
        words = [fold(word) for group in plan.groups for word in group.spelled]
        self.phrase = None
        #: the phrase's words as they stand together (where they do not, it cannot match)
        self.phrase_literal = " ".join(words)
        if len(words) > 1:
            last_is_prefix = any(a.prefix for a in plan.groups[-1].alternatives)
            self.phrase = re.compile(
                r"(?<!\S)"
                + re.escape(" ".join(words))
                + (r"\S*" if last_is_prefix else "")
                + r"(?!\S)"
            )
        exact_phrase = " ".join(nfc(raw).lower().split())
        # the whole query in its own diacritics (only worth a bonus where it has some)
        self.exact_phrase = (
            exact_phrase if self.phrase and exact_phrase != fold(exact_phrase) else ""
        )

    def _phrase_in(self, folded: str) -> bool:
        return (
            self.phrase is not None
            and self.phrase_literal in folded
            and self.phrase.search(folded) is not None
        )

    def __call__(self, entry: Candidate) -> float:
        """Relevance of one matching entry (higher is better), rounded for stability."""
        stats = self.stats
        title, body = entry.title_counts, entry.body_counts
        title_norm = 1 - _B + _B * entry.title_length / max(stats.title_length, 1.0)
        body_norm = 1 - _B + _B * entry.body_length / max(stats.body_length, 1.0)
        total = 0.0
        in_title = 0
        other_spelling = False
        for weights, exact, accented in zip(self.weights, self.exact, self.accented, strict=True):
            best = 0.0
            found_in_title = False
            for idf, weight, counting in weights:
                in_this_title = counting(title, entry.title_folded)
                found_in_title = found_in_title or bool(in_this_title)
                frequency = weight * (
                    TITLE_WEIGHT * in_this_title / title_norm
                    + counting(body, entry.body_folded) / body_norm
                )
                if frequency:
                    best = max(best, idf * frequency * (_K1 + 1) / (frequency + _K1))
            in_title += found_in_title
            if best and exact is not None:
                if exact.found(entry.title_spelled, entry.title_lower):
                    best *= 1 + EXACT_WORD_BONUS
                elif exact.found(entry.body_spelled, entry.body_lower):
                    best *= 1 + EXACT_WORD_BONUS / 2
                elif accented:
                    best *= OTHER_SPELLING_FACTOR
                    other_spelling = True
            total += best
        if len(self.weights) > 1 and in_title == len(self.weights) and not other_spelling:
            total += TITLE_COVERAGE_BONUS
        if self.phrase is not None:
            total += PHRASE_BONUS * (
                self._phrase_in(entry.title_folded) + 0.75 * self._phrase_in(entry.body_folded)
            )
        if self.exact_phrase:
            total += EXACT_BONUS * (
                (self.exact_phrase in entry.title_lower)
                + 0.5 * (self.exact_phrase in entry.body_lower)
            )
        return round(total, 6)


@dataclass(frozen=True, slots=True)
class Marking:
    """What a snippet marks: the plan's folded words, the last word's prefix, and the
    spellings preferred for each word (see ``highlight``)."""

    words: list[str]
    prefix: str | None
    exact: dict[str, frozenset[str]]
    #: alternatives of several words ("viet nam" for "vietnam"), marked where adjacent
    phrases: list[tuple[str, ...]]

    @classmethod
    def of(cls, plan: Plan, vocabulary: Vocabulary) -> Marking:
        alternatives = [a for group in plan.groups for a in group.alternatives]
        phrases = [a.terms for a in alternatives if len(a.terms) > 1 and a.phrase]
        typed = tuple(fold(word) for group in plan.groups for word in group.spelled)
        if len(typed) > 1:  # the query itself, where its words stand together
            phrases.append(typed)
        return cls(
            words=[a.terms[0] for a in alternatives if len(a.terms) == 1 and not a.prefix],
            phrases=phrases,
            prefix=next((a.terms[-1] for a in plan.groups[-1].alternatives if a.prefix), None),
            exact={
                term: forms
                for group, forms in zip(plan.groups, exact_forms(plan, vocabulary), strict=True)
                if forms
                for term in group.alternatives[0].terms
            },
        )

    def snippet(self, title: str, title_folded: str, body: str) -> str:
        """The title's snippet where a word of the plan is in it (or there is no body),
        else the body's."""
        in_title = bool(set(self.words) & set(title_folded.split())) or not body
        return highlight(
            title if in_title else body,
            self.words,
            prefix=self.prefix,
            exact=self.exact,
            phrases=self.phrases,
        )


_WORD = r"[^\W_]"
_fold_char = functools.lru_cache(maxsize=8192)(fold)


def folded_with_offsets(text: str) -> tuple[str, list[int]]:
    """``fold(text)`` and, for each folded character, its index in ``text``."""
    out: list[str] = []
    offsets: list[int] = []
    for index, char in enumerate(text):
        for folded_char in _fold_char(char):
            out.append(folded_char)
            offsets.append(index)
    return "".join(out), offsets


def highlight(
    text: str,
    words: list[str],
    limit: int = SNIPPET_CHARS,
    prefix: str | None = None,
    exact: dict[str, frozenset[str]] | None = None,
    phrases: list[tuple[str, ...]] | None = None,
) -> str:
    """A passage of ``text`` around the first match: matched words in <mark>, all escaped.

    ``words`` are folded; ``phrases`` are marked where their words stand together, and
    the passage shown starts at the first of them where there is one;
    ``prefix`` also marks the words it begins. Where ``exact`` gives
    a word's preferred spellings (the query's "số"), only those are marked ("hồ sơ" is
    not), unless ``text`` spells the word no such way at all.
    """
    folded, offsets = folded_with_offsets(text)
    lowered = text.lower()
    spans: list[tuple[int, int]] = []
    for word in set(words):
        pattern = rf"(?<!{_WORD}){re.escape(word)}(?!{_WORD})"
        found = [
            (offsets[m.start()], offsets[m.end() - 1] + 1) for m in re.finditer(pattern, folded)
        ]
        preferred = (exact or {}).get(word)
        if preferred:
            found = [(a, b) for a, b in found if lowered[a:b] in preferred] or found
        spans += found
    together: list[int] = []  # where a phrase stands: the snippet starts there
    for phrase in phrases or []:
        pattern = rf"(?<!{_WORD})" + r"\W+".join(map(re.escape, phrase)) + rf"(?!{_WORD})"
        found = [
            (offsets[m.start()], offsets[m.end() - 1] + 1) for m in re.finditer(pattern, folded)
        ]
        spans += found
        together += [start for start, _ in found]
    if prefix:
        pattern = rf"(?<!{_WORD}){re.escape(prefix)}{_WORD}*"
        completions = [
            (offsets[m.start()], offsets[m.end() - 1] + 1) for m in re.finditer(pattern, folded)
        ]
        if len(prefix) < PREFIX_MARK_LETTERS:  # "t" alone would mark every t-word:
            ends = {end for _, end in spans}  # only right after a matched word
            completions = [
                (a, b) for a, b in completions if any(text[e:a].isspace() for e in ends if e < a)
            ]
        spans += completions
    spans.sort()
    merged: list[tuple[int, int]] = []
    for start, end in spans:  # neighbouring words become one <mark>
        if merged and (start <= merged[-1][1] or text[merged[-1][1] : start].isspace()):
            merged[-1] = (merged[-1][0], max(end, merged[-1][1]))
        else:
            merged.append((start, end))
    first = min(together) if together else merged[0][0] if merged else 0
    begin = max(0, first - limit // 3)
    if begin:
        space = text.rfind(" ", 0, begin + 1)
        begin = space + 1 if space >= 0 and first - space < limit // 2 else begin
    end = min(len(text), begin + limit)
    if end < len(text):
        space = text.rfind(" ", begin, end)
        end = space if space > first else end
    pieces: list[str] = ["…" if begin else ""]
    cursor = begin
    for start, stop in merged:
        if stop <= begin or start >= end:
            continue
        start, stop = max(start, begin), min(stop, end)
        pieces.append(html.escape(text[cursor:start]))
        pieces.append(f"<mark>{html.escape(text[start:stop])}</mark>")
        cursor = stop
    pieces.append(html.escape(text[cursor:end]))
    pieces.append("…" if end < len(text) else "")
    return "".join(pieces).replace("\n", " ")
