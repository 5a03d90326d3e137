"""The search engine: a Tantivy index of the search entries, built per content version.

The databases' full-text engines rank every match before they can return the best few
(FTS5's ``bm25`` and PostgreSQL's ``ts_rank`` are per-row functions in ``ORDER BY``), so
their cost grows with the corpus: ×1000 took 538 ms for the engine stage alone on SQLite
(``bench/search_engines.py``). Tantivy keeps the best ``limit`` matches by block-max WAND
and counts the rest without scoring them, in Rust; the same entries, index and queries
give the same answers whichever database the entries were read from, so SQLite and
PostgreSQL agree by construction, and so do replicas (one writer thread, entries added in
source order: the index is a function of the content).

The index is built in memory from ``search_entries`` the first time a content version is
searched (in a worker thread, once per version and process; ``schema.search`` memoises
it in the app's corpus memo) and holds, per entry, its folded title and body (word
positions kept, for phrases), its type, province and pillars (fast fields, for filters and
facets) and its ordinal in source order. What ranking needs beyond the engine's order is
read from the database for the few best entries only.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass

import tantivy

from schema.search_plan import Alternative, Plan, Vocabulary

#: a title word weighs this much more than a body word in the engine's BM25 (as the scorer)
TITLE_BOOST = 3.0
#: the indexing heap; entries are added by one thread so the index is the same every time
WRITER_HEAP_BYTES = 64_000_000


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


def _schema() -> tantivy.Schema:
    builder = tantivy.SchemaBuilder()
    builder.add_integer_field("ordinal", fast=True)
    for field in ("kind", "province", "pillar"):
        builder.add_text_field(field, fast=True, tokenizer_name="raw")
    # the folded text is already tokens of [a-z0-9] separated by spaces
    for field in ("title", "body"):
        builder.add_text_field(field, tokenizer_name="whitespace")
    return builder.build()


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
                kind=entry.kind,
                title=entry.title_folded,
                body=entry.body_folded,
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
    ) -> tantivy.Query:
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
        return tantivy.Query.boolean_query([(tantivy.Occur.Must, q) for q in must])

    def _alternative(self, alt: Alternative, vocabulary: Vocabulary) -> tantivy.Query:
        """One alternative in the title (boosted) or the body, weighted by its kind of
        match; a prefix stands for every index word it begins (the vocabulary's)."""
        fields = []
        for field, boost in (("title", TITLE_BOOST), ("body", 1.0)):
            query: tantivy.Query
            if alt.prefix:
                completions = vocabulary.prefixed(alt.terms[-1])
                query = tantivy.Query.term_set_query(self.schema, field, completions)
                if len(alt.terms) > 1:  # not made by the planner today; kept correct
                    query = tantivy.Query.boolean_query(
                        [
                            (tantivy.Occur.Must, query),
                            *(
                                (tantivy.Occur.Must, self._term(field, term))
                                for term in alt.terms[:-1]
                            ),
                        ]
                    )
            elif len(alt.terms) == 1:
                query = self._term(field, alt.terms[0])
            elif alt.phrase:
                query = tantivy.Query.phrase_query(self.schema, field, list(alt.terms))
            else:
                query = tantivy.Query.boolean_query(
                    [(tantivy.Occur.Must, self._term(field, term)) for term in alt.terms]
                )
            fields.append((tantivy.Occur.Should, tantivy.Query.boost_query(query, boost)))
        return tantivy.Query.boost_query(tantivy.Query.boolean_query(fields), alt.weight)

    def _term(self, field: str, term: str) -> tantivy.Query:
        return tantivy.Query.term_query(self.schema, field, term)

    def search(self, query: tantivy.Query, limit: int) -> tuple[int, list[str]]:
        """How many entries match, and the IDs of the ``limit`` best by the engine's BM25
        (ties in source order), in one pass over the matches."""
        result = self._searcher.search(query, limit=max(limit, 1), count=True)
        hits = result.hits[:limit]
        ordinals = self._searcher.fast_field_values("ordinal", [address for _, address in hits])
        ranked = sorted(
            zip((score for score, _ in hits), ordinals, strict=True),
            key=lambda pair: (-pair[0], pair[1]),
        )
        count = int(result.count or 0)  # type: ignore[attr-defined]  # documented; stub omits it
        return count, [self.ids[int(ordinal)] for _, ordinal in ranked]  # type: ignore[arg-type]

    def facets(self, query: tantivy.Query) -> Facets:
        """Counts of the matches by type, province and pillar, over every match."""
        spec = {
            name: {"terms": {"field": field, "size": 10_000}}
            for name, field in (("kinds", "kind"), ("provinces", "province"), ("pillars", "pillar"))
        }
        found = self._searcher.aggregate(query, spec)
        return Facets(
            **{
                name: {str(b["key"]): int(b["doc_count"]) for b in found[name]["buckets"]}
                for name in spec
            }
        )
