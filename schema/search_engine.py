"""The search engine: a Tantivy index of the search entries, built per content version.

The databases' full-text engines rank every match before they can return the best few
(FTS5's ``bm25`` and PostgreSQL's ``ts_rank`` are per-row functions in ``ORDER BY``), so
their cost grows with the corpus: ×1000 took 538 ms for the engine stage alone on SQLite
(``bench/search_engines.py``). Tantivy matches, scores and counts in Rust; the same
entries, index and queries give the same answers whichever database the entries were read
from, so SQLite and PostgreSQL agree by construction, and so do replicas (one writer
thread, entries added in source order: the index is a function of the content).

The index is built in memory from ``search_entries`` the first time a content version is
searched (in a worker thread, once per version and process; ``schema.search`` memoises
it in the app's corpus memo) and holds, per entry, its folded title (``TITLE_BOOST``
times) and body in one text field (word positions kept, for phrases), its type, province
and pillars (fast fields, for filters and facets), its ordinal in source order and its
tier (which stretch of source order it is in). What ranking needs beyond the engine's
order is read from the database for the few best entries only.

Bounded at scale: a query the vocabulary says may match many entries is matched tier by
tier, in source order, until ``COUNT_CAP`` matches are counted (``SearchIndex.search``),
so its cost stops growing with the corpus; its count is then a lower bound and its best
are the best of the tiers visited, as Elasticsearch's ``track_total_hits`` and
``terminate_after``. A prefix stands for its ``MAX_COMPLETIONS`` commonest completions
(``schema.search_plan``), each a lazily advanced term.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass

import tantivy

from schema.search_plan import Alternative, Plan, Vocabulary

#: a title word weighs this much more than a body word in the engine's BM25 (as the scorer):
#: the indexed text holds the title this many times, then the body (BM25F's weighted
#: field lengths and frequencies, in one field the engine matches with one term a word)
TITLE_BOOST = 3
#: stands between the copies of the title and the body, so no phrase spans two of them
#: (the folded text has only [a-z0-9] tokens; a query never holds this one)
FIELD_GAP = "|"
#: the indexing heap; entries are added by one thread so the index is the same every time
WRITER_HEAP_BYTES = 64_000_000
#: matches are counted exactly up to this many; past it the count is a lower bound and the
#: best matches are those of the entries visited so far (as Elasticsearch's
#: ``track_total_hits``, whose default this is)
COUNT_CAP = 10_000
#: a query that the vocabulary says cannot match more entries than this is matched in one
#: pass over the whole index (its cost is bounded by its rarest word's entries)
ONE_PASS_BOUND = 2 * COUNT_CAP
#: the entries of the first tier of source order (each next tier holds twice as many)
MIN_WINDOW = 4096


@dataclass(frozen=True, slots=True)
class IndexedEntry:
    """One search entry as the engine indexes it."""

    id: str
    kind: str
    province_id: str | None
    pillars: tuple[str, ...]
    title_folded: str
    body_folded: str


@dataclass(frozen=True, slots=True)
class Facets:
    """How the matches spread: counts by type, province and pillar."""

    kinds: dict[str, int]
    provinces: dict[str, int]
    pillars: dict[str, int]


@dataclass(frozen=True, slots=True)
class Found:
    """What a search found: the count of matches (a lower bound unless ``exact``) and
    the best matches' entry IDs, best first."""

    count: int
    exact: bool
    ids: list[str]


@dataclass(frozen=True, slots=True)
class Matching:
    """A plan as the engine matches it: the clauses an entry must all satisfy, and at
    most how many entries can (from the vocabulary's counts of entries per word)."""

    clauses: list[tantivy.Query]
    bound: int

    def query(self, *narrowed: tantivy.Query) -> tantivy.Query:
        """The clauses as one query, with more of them (the tiers a pass visits)."""
        return tantivy.Query.boolean_query(
            [(tantivy.Occur.Must, clause) for clause in (*self.clauses, *narrowed)]
        )


def _bound(plan: Plan, vocabulary: Vocabulary) -> int:
    """At most how many entries match ``plan``: its groups must all match, so its most
    selective group bounds it; a group matches through any alternative, an alternative of
    several words only where all are (a prefix: any of the words it begins)."""
    entries = vocabulary.entries

    def holding(alt: Alternative) -> int:
        counts = [entries.get(term, 0) for term in alt.terms[:-1]]
        last = alt.terms[-1]
        if alt.prefix:
            counts.append(sum(entries.get(word, 0) for word in vocabulary.completions(last)))
        else:
            counts.append(entries.get(last, 0))
        return min(counts)

    return min((sum(map(holding, group.alternatives)) for group in plan.groups), default=0)


def tier_of(ordinal: int) -> int:
    """The stretch of source order an entry is in: tier 0 holds the first ``MIN_WINDOW``
    entries, each next tier twice as many as the one before (so a windowed pass visits
    tiers in order, each a term the engine skips to and stops after)."""
    return (ordinal // MIN_WINDOW + 1).bit_length() - 1


def tier_start(tier: int) -> int:
    """The ordinal of a tier's first entry."""
    return MIN_WINDOW * ((1 << tier) - 1)


def _schema() -> tantivy.Schema:
    builder = tantivy.SchemaBuilder()
    builder.add_integer_field("ordinal", fast=True)
    for field in ("kind", "province", "pillar"):
        builder.add_text_field(field, fast=True, tokenizer_name="raw")
    builder.add_text_field("tier", tokenizer_name="raw")
    # the folded text is already tokens of [a-z0-9] separated by spaces
    builder.add_text_field("text", tokenizer_name="whitespace")
    return builder.build()


def indexed_text(entry: IndexedEntry) -> str:
    """What the engine indexes of an entry: its title ``TITLE_BOOST`` times, then its
    body, ``FIELD_GAP`` between."""
    return f" {FIELD_GAP} ".join([entry.title_folded] * TITLE_BOOST + [entry.body_folded])


class SearchIndex:
    """The engine's index of one content version's search entries (``IndexedEntry``),
    answering a plan's count, facets and best matches."""

    def __init__(self, entries: Iterable[IndexedEntry]) -> None:
        self.schema = _schema()
        index = tantivy.Index(self.schema)
        writer = index.writer(heap_size=WRITER_HEAP_BYTES, num_threads=1)
        ids: list[str] = []
        for ordinal, entry in enumerate(entries):
            document = tantivy.Document(
                ordinal=ordinal,
                tier=str(tier_of(ordinal)),
                kind=entry.kind,
                text=indexed_text(entry),
            )
            if entry.province_id is not None:
                document.add_text("province", entry.province_id)
            for pillar in entry.pillars:
                document.add_text("pillar", pillar)
            writer.add_document(document)
            ids.append(entry.id)
        writer.commit()
        writer.wait_merging_threads()
        index.reload()
        self._index = index
        self._searcher = index.searcher()
        #: entry IDs by ordinal (source order)
        self.ids = ids

    def __len__(self) -> int:
        return len(self.ids)

    def query(
        self,
        plan: Plan,
        vocabulary: Vocabulary,
        kinds: Sequence[str] = (),
        province: str | None = None,
        pillar: str | None = None,
    ) -> Matching:
        """The plan as a boolean query: every group must match, through any of its
        alternatives; narrowed to the types, province and pillar given."""
        must = [
            tantivy.Query.boolean_query(
                [
                    (tantivy.Occur.Should, self._alternative(alt, vocabulary))
                    for alt in group.alternatives
                ]
            )
            for group in plan.groups
        ]
        if kinds:
            must.append(tantivy.Query.term_set_query(self.schema, "kind", list(kinds)))
        if province is not None:
            must.append(tantivy.Query.term_query(self.schema, "province", province))
        if pillar is not None:
            must.append(tantivy.Query.term_query(self.schema, "pillar", pillar))
        return Matching(must, _bound(plan, vocabulary))

    def _alternative(self, alt: Alternative, vocabulary: Vocabulary) -> tantivy.Query:
        """One alternative, weighted by its kind of match; a prefix stands for its
        completions (``Vocabulary.completions``)."""
        query: tantivy.Query
        if alt.prefix:
            query = self._completions(vocabulary.completions(alt.terms[-1]))
            if len(alt.terms) > 1:  # not made by the planner today; kept correct
                query = tantivy.Query.boolean_query(
                    [
                        (tantivy.Occur.Must, query),
                        *((tantivy.Occur.Must, self._term(term)) for term in alt.terms[:-1]),
                    ]
                )
        elif len(alt.terms) == 1:
            query = self._term(alt.terms[0])
        elif alt.phrase:
            query = tantivy.Query.phrase_query(self.schema, "text", list(alt.terms))
        else:
            query = tantivy.Query.boolean_query(
                [(tantivy.Occur.Must, self._term(term)) for term in alt.terms]
            )
        return tantivy.Query.boost_query(query, alt.weight)

    def _completions(self, words: list[str]) -> tantivy.Query:
        """Any of ``words`` (a prefix's completions), each scoring a constant 1: a union
        the engine advances lazily (a term set would read every completion's postings
        whole, however few of them the other words leave)."""
        union = tantivy.Query.boolean_query(
            [(tantivy.Occur.Should, self._term(word)) for word in words]
        )
        return tantivy.Query.const_score_query(union, 1.0)

    def _term(self, term: str) -> tantivy.Query:
        return tantivy.Query.term_query(self.schema, "text", term)

    def search(self, matching: Matching, limit: int) -> Found:
        """How many entries match (exactly, up to ``COUNT_CAP``), and the IDs of the
        ``limit`` best by the engine's BM25, ties in source order.

        A query that may match many entries is matched in windows of source order,
        growing, until ``COUNT_CAP`` matches are counted: its best are then the best of
        those, and its count a lower bound (``Found.exact`` false). Scores are the whole
        index's BM25 in every window, so the windows' best compare.
        """
        size = len(self.ids)
        if matching.bound <= ONE_PASS_BOUND or size <= MIN_WINDOW:
            count, best = self._pass(matching.query(), limit)
            return Found(count, True, self._ranked(best, limit))
        counted, best, tier, last = 0, [], 0, tier_of(size - 1)
        while True:
            upto = self._tiers_to_visit(tier, last, counted)
            inside = tantivy.Query.boolean_query(
                [
                    (tantivy.Occur.Should, tantivy.Query.term_query(self.schema, "tier", str(t)))
                    for t in range(tier, upto + 1)
                ]
            )
            count, found = self._pass(
                matching.query(tantivy.Query.const_score_query(inside, 0.0)), limit
            )
            counted += count
            best += found
            if counted >= COUNT_CAP or upto == last:
                return Found(counted, upto == last, self._ranked(best, limit))
            tier = upto + 1

    @staticmethod
    def _tiers_to_visit(tier: int, last: int, counted: int) -> int:
        """The last tier the next pass visits, from ``tier`` on: tier 0 alone first; then
        as many as the matches so far say hold the rest of ``COUNT_CAP`` (and a quarter
        more), or every one left where none matched yet."""
        if tier == 0:
            return 0
        if not counted:
            return last
        visited = tier_start(tier)
        wanted = visited + (COUNT_CAP - counted) * visited * 5 // (counted * 4)
        upto = tier
        while upto < last and tier_start(upto + 1) < wanted:
            upto += 1
        return upto

    def _pass(self, query: tantivy.Query, limit: int) -> tuple[int, list[tuple[float, int]]]:
        """One pass of the engine: the count, and the best ``limit`` as (score, ordinal)."""
        result = self._searcher.search(query, limit=max(limit, 1), count=True)
        hits = result.hits[:limit]
        ordinals = self._searcher.fast_field_values("ordinal", [address for _, address in hits])
        count = int(result.count or 0)  # type: ignore[attr-defined]  # documented; stub omits it
        scores = (float(score) for score, _ in hits)
        found = zip(scores, (int(o) for o in ordinals), strict=True)  # type: ignore[arg-type]
        return count, list(found)

    def _ranked(self, best: list[tuple[float, int]], limit: int) -> list[str]:
        ordered = sorted(best, key=lambda pair: (-pair[0], pair[1]))[:limit]
        return [self.ids[ordinal] for _, ordinal in ordered]

    def facets(self, matching: Matching) -> Facets:
        """Counts of the matches by type, province and pillar, over every match (one
        pass over the whole index, however many match)."""
        spec = {
            name: {"terms": {"field": field, "size": 10_000}}
            for name, field in (("kinds", "kind"), ("provinces", "province"), ("pillars", "pillar"))
        }
        found = self._searcher.aggregate(matching.query(), spec)
        return Facets(
            **{
                name: {str(b["key"]): int(b["doc_count"]) for b in found[name]["buckets"]}
                for name in spec
            }
        )
