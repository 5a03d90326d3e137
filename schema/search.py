"""Search across questions, tasks, targets, documents, figures and passages: as people
type, forgiving typos, exact spellings first, with facets and a suggestion.

A query becomes a plan (``schema.search_plan``: each word with its exact, prefix, typo and
compound alternatives, against the index's vocabulary, memoised per content version) that
the search engine matches (``schema.search_engine``: a Tantivy index of the search
entries, built once per content version, the same whichever database they come from).
The engine counts the matches (exactly up to ``COUNT_CAP``, then a lower bound; exactly
whenever facets are asked for, as they count every match), works out the facets when
they are asked for, and lists its best ``CANDIDATES`` by BM25; the scorer
(``schema.search_rank``) orders the first ``RERANKED`` of them, so the cost of ranking
stays flat as the corpus grows.
"""

from __future__ import annotations

import asyncio
from collections import defaultdict
from dataclasses import dataclass
from enum import Enum
from typing import Annotated, Any

import strawberry
from cachetools import LRUCache
from sqlalchemy import bindparam, select, tuple_
from strawberry import relay
from strawberry.types.nodes import SelectedField

from db import models
from schema.common import MAX_SEARCH_LENGTH, MAX_WORDS, province_slug
from schema.context import Info
from schema.documents import Document
from schema.errors import BadUserInput
from schema.figures import Figure
from schema.pagination import Page, connection, page
from schema.passages import Passage
from schema.pillars import Pillar, PillarCode
from schema.provinces import Province
from schema.questions import Question
from schema.search_engine import Facets, IndexedEntry, SearchIndex
from schema.search_plan import Vocabulary, plan_query
from schema.search_rank import Candidate, Marking, Scorer, Stats
from schema.targets import Target
from schema.tasks import Task


@strawberry.enum
class SearchType(Enum):
    QUESTION = "QUESTION"
    TASK = "TASK"
    TARGET = "TARGET"
    DOCUMENT = "DOCUMENT"
    FIGURE = "FIGURE"
    PASSAGE = "PASSAGE"


SearchItem = Annotated[
    Question | Task | Target | Document | Figure | Passage, strawberry.union("SearchItem")
]


@strawberry.type
class SearchHit:
    score: float
    snippet: str = strawberry.field(
        description="a short passage of the match with the matched words wrapped in <mark></mark>"
    )
    item: SearchItem


@strawberry.type
class SearchEdge:
    cursor: str
    node: SearchHit


@strawberry.type
class SearchTypeCount:
    type: SearchType
    count: int


@strawberry.type
class ProvinceCount:
    province: Province
    count: int


@strawberry.type
class PillarCount:
    pillar: Pillar
    count: int


@strawberry.type
class SearchFacets:
    """How the matches spread; counted by the engine once, when first asked for."""

    #: the engine and the query whose matches are counted (None: nothing to count)
    engine: strawberry.Private[SearchIndex | None]
    query: strawberry.Private[Any] = None
    _counted: strawberry.Private[asyncio.Task[Facets] | None] = None
    #: counted already (by the search, which needed the whole count)
    counted: strawberry.Private[Facets | None] = None

    async def _counts(self) -> Facets:
        if self.counted is not None:
            return self.counted
        if self.engine is None:
            return Facets(kinds={}, provinces={}, pillars={})
        if self._counted is None:  # the three lists share one aggregation
            self._counted = asyncio.ensure_future(asyncio.to_thread(self.engine.facets, self.query))
        return await self._counted

    @strawberry.field
    async def types(self) -> list[SearchTypeCount]:
        counts = (await self._counts()).kinds
        ordered = sorted(counts.items(), key=lambda k: (-k[1], _TYPE_ORDER[k[0]]))
        return [SearchTypeCount(type=SearchType(kind), count=count) for kind, count in ordered]

    @strawberry.field
    async def provinces(self, info: Info) -> list[ProvinceCount]:
        ordered = sorted((await self._counts()).provinces.items(), key=_by_count)
        found = await Province.resolve_nodes(info=info, node_ids=[slug for slug, _ in ordered])
        return [
            ProvinceCount(province=province, count=count)
            for (_, count), province in zip(ordered, found, strict=True)
            if province is not None
        ]

    @strawberry.field
    async def pillars(self) -> list[PillarCount]:
        ordered = sorted((await self._counts()).pillars.items(), key=_by_count)
        return [PillarCount(pillar=Pillar.of(code), count=count) for code, count in ordered]


@strawberry.type
class SearchConnection:
    edges: list[SearchEdge]
    nodes: list[SearchHit]
    page_info: relay.PageInfo
    total_count: int
    total_count_is_exact: bool = strawberry.field(
        description=(
            "false when so many items match that totalCount is a lower bound (at least "
            "10,000, as Elasticsearch's track_total_hits); true otherwise, and whenever "
            "facets are selected (they count every match)"
        )
    )
    facets: SearchFacets = strawberry.field(
        description=(
            "how the matches spread over types, provinces and pillars (counts over every "
            "match, not only this page)"
        )
    )
    suggestion: str | None = strawberry.field(
        description=(
            "a corrected query, where the words look misspelt and the correction finds "
            "more: 'chuyen doi so nong ngiep' -> 'chuyển đổi số nông nghiệp'"
        )
    )


#: At most this many matches are listed and paged through, the engine's best first (a
#: query matching more is a vague one); the last page says ``hasNextPage: false``.
CANDIDATES = 1000
#: The first this many of them are ordered by the scorer (``schema.search_rank``); the
#: rest of the list keeps the engine's BM25 order. Bounded so that ranking costs the same
#: however large the corpus grows, and small because scoring was most of a search's
#: time: the relevance set (tests/schema/relevance.toml) scores the same
#: with the best 20 re-ranked as with the best 200.
RERANKED = 50


#: content versions kept per process: the newest two (a request that began before a load
#: still finds its own); an older one is dropped rather than left to the memo's LRU
KEPT_INDEXES = 2
#: candidates kept per content version, ready to score (~14 KB each: ~28 MiB at most);
#: the bundled sources' 695 entries all fit
KEPT_CANDIDATES = 2048


@dataclass(frozen=True, slots=True)
class SearchVersion:
    """What search keeps of one content version: the vocabulary and corpus statistics,
    the engine's index, and the entries scored lately, prepared, by ID."""

    vocabulary: Vocabulary
    stats: Stats
    index: SearchIndex
    candidates: LRUCache[str, Candidate]


#: the content version a request reads, and what ranking needs of some entries: built
#: once, run with their values on the request's connection (``Context.rows``)
_VERSION = select(models.ContentVersion.version)
_CANDIDATE_ROWS = select(
    models.SearchEntry.id,
    models.SearchEntry.kind,
    models.SearchEntry.position,
    models.SearchEntry.title_folded,
    models.SearchEntry.body_folded,
    models.SearchEntry.title,
    models.SearchEntry.body,
).where(models.SearchEntry.id.in_(bindparam("ids", expanding=True)))


async def search_version(info: Info) -> SearchVersion:
    """Search's view of the content version this request reads, built on the version's
    first search (once per process: concurrent first searches wait for the one build).

    The version is read in the request's own snapshot, not taken from the app's poll of
    it, which lags a load by up to its interval: an index of the version before would
    name entries this snapshot no longer holds.
    """
    context = info.context
    found = await context.rows(_VERSION)
    version: int | None = found[0][0] if found else None
    shelf: dict[int | None, SearchVersion] | None = None
    if context.corpus_cache is not None:
        shelf = context.corpus_cache.setdefault("search:versions", {})
        lock = context.corpus_cache.setdefault("search:versions-lock", asyncio.Lock())
    else:  # no memo (a bare context): build for this request
        lock = asyncio.Lock()
    if shelf is not None and version in shelf:
        return shelf[version]
    async with lock:
        if shelf is not None and version in shelf:
            return shelf[version]
        entries = await _indexed_entries(info)
        vocab = await _vocabulary(info)
        index = await asyncio.to_thread(SearchIndex, entries)
        kept = SearchVersion(vocab, _stats(entries), index, LRUCache(maxsize=KEPT_CANDIDATES))
        if shelf is not None:
            shelf[version] = kept
            for old in sorted(shelf, key=lambda v: v or 0)[:-KEPT_INDEXES]:
                del shelf[old]
        return kept


#: rows read per statement while building: each statement stays short (a large corpus
#: read in one would outlast PostgreSQL's statement_timeout, DXGRAPH_DB_TIMEOUT)
BUILD_BATCH = 5000


async def _vocabulary(info: Info) -> Vocabulary:
    """The index's vocabulary (``search_terms``)."""
    t = models.SearchTerm
    async with info.context.session() as session:
        terms = (await session.execute(select(t.term, t.spelling, t.spellings, t.entries))).all()
    return Vocabulary.of([(str(a), str(b), str(c), int(n)) for a, b, c, n in terms])


def _stats(entries: list[IndexedEntry]) -> Stats:
    """Corpus statistics for term weights: entries, mean title and body lengths in words."""
    count = len(entries)
    if not count:
        return Stats(0, 0.0, 0.0)
    # mean lengths in characters → in words (a folded token and its space average ~5.5)
    title = sum(len(e.title_folded) for e in entries) / count / 5.5
    body = sum(len(e.body_folded) for e in entries) / count / 5.5
    return Stats(count, title, body)


async def _indexed_entries(info: Info) -> list[IndexedEntry]:
    """Every search entry with its pillars, in source order, as the engine indexes it,
    read ``BUILD_BATCH`` rows at a time by primary key in the request's snapshot."""
    e, rp = models.SearchEntry, models.RecordPillar
    columns = (e.id, e.kind, e.province_id, e.position, e.title_folded, e.body_folded)
    rows: list[Any] = []
    while True:
        after = [e.id > rows[-1][0]] if rows else []
        chosen = select(*columns).where(*after).order_by(e.id).limit(BUILD_BATCH)
        async with info.context.session() as session:
            batch = (await session.execute(chosen)).all()
        rows += batch
        if len(batch) < BUILD_BATCH:
            break
    pillars: dict[str, list[str]] = defaultdict(list)
    last: tuple[str, str] | None = None
    while True:
        beyond = [tuple_(rp.record_id, rp.pillar_code) > last] if last else []
        tags = (
            select(rp.record_id, rp.pillar_code)
            .where(*beyond)
            .order_by(rp.record_id, rp.pillar_code)
            .limit(BUILD_BATCH)
        )
        async with info.context.session() as session:
            tagged = (await session.execute(tags)).all()
        for record_id, code in tagged:
            pillars[record_id].append(code)
        if len(tagged) < BUILD_BATCH:
            break
        last = (tagged[-1][0], tagged[-1][1])
    # source order, the same whichever database the rows came from (their collations
    # order IDs differently)
    rows.sort(key=lambda row: (row[3], row[0]))
    return [
        IndexedEntry(
            id=entry_id,
            kind=kind,
            province_id=province_id,
            pillars=tuple(sorted(pillars.get(entry_id, ()))),
            title_folded=title,
            body_folded=body,
        )
        for entry_id, kind, province_id, _, title, body in rows
    ]


_TYPE_ORDER = {kind.value: i for i, kind in enumerate(SearchType)}
_ITEM_TYPES: dict[str, Any] = {
    "QUESTION": Question,
    "TASK": Task,
    "TARGET": Target,
    "DOCUMENT": Document,
    "FIGURE": Figure,
    "PASSAGE": Passage,
}


def _by_count(pair: Any) -> tuple[int, str]:
    """Facet order: the largest count first, then by name for a stable order."""
    return -int(pair[1]), str(pair[0])


def _search_connection(
    hits: list[SearchHit],
    ranked: int,
    window: Page,
    total: int,
    exact: bool,
    facets: SearchFacets,
    suggestion: str | None,
) -> SearchConnection:
    """A page of the ranked list: ``ranked`` is its length (pages end there), ``total``
    the count of matches (which may go beyond the list; a lower bound unless ``exact``)."""
    built: SearchConnection = connection(
        SearchConnection,
        hits,
        total,
        window,
        SearchEdge,
        listed=ranked,
        total_count_is_exact=exact,
        facets=facets,
        suggestion=suggestion,
    )
    return built


async def _candidates(info: Info, kept: SearchVersion, ids: list[str]) -> dict[str, Candidate]:
    """What ranking and snippets need of these entries, by ID: those kept from earlier
    searches of this content version, the rest read in one statement (and kept)."""
    found = {i: c for i in ids if (c := kept.candidates.get(i)) is not None}
    missing = [i for i in ids if i not in found]
    if missing:
        rows = await info.context.rows(_CANDIDATE_ROWS, {"ids": missing})
        for row in rows:
            found[row[0]] = kept.candidates[row[0]] = Candidate(*tuple(row))
    return found


async def resolve_search(
    info: Info,
    query: str,
    types: list[SearchType] | None,
    province: str | None,
    first: int | None,
    after: str | None,
    pillar: PillarCode | None = None,
) -> SearchConnection:
    window = page(first, after)
    if len(query) > MAX_SEARCH_LENGTH:
        raise BadUserInput(f"query is longer than {MAX_SEARCH_LENGTH} characters", argument="query")
    slug = await province_slug(info, province)
    kept = await search_version(info)
    vocab, stats, engine = kept.vocabulary, kept.stats, kept.index
    plan = plan_query(query, vocab, MAX_WORDS)
    if plan.empty:
        return _search_connection([], 0, window, 0, True, SearchFacets(engine=None), None)
    matching = engine.query(
        plan,
        vocab,
        kinds=[t.value for t in types or ()],
        province=slug,
        pillar=str(pillar.value) if pillar is not None else None,
    )
    found_by_engine = await asyncio.to_thread(engine.search, matching, CANDIDATES)
    total, best = found_by_engine.count, found_by_engine.ids
    # a word matched only through a correction, so as typed the query finds nothing: the
    # corrected spelling, when it finds something, is the suggestion
    typed = " ".join(query.lower().split())
    suggestion = plan.spelled if plan.corrected and total and plan.spelled != typed else None
    start, stop = window.offset, window.offset + window.limit
    head = best[:RERANKED]
    in_head = start < RERANKED  # a page past the head needs none of it scored
    wanted = (head if in_head else []) + best[max(start, RERANKED) : stop]
    found = await _candidates(info, kept, wanted)
    scorer = Scorer(plan, vocab, stats, query)
    scored = {entry_id: scorer(found[entry_id]) for entry_id in wanted}
    if in_head:
        head = sorted(
            head, key=lambda i: (-scored[i], _TYPE_ORDER[found[i].kind], found[i].position)
        )
    shown = (head + best[RERANKED:])[start:stop]
    # concurrent loads: the DataLoaders fetch each type's items in one statement
    items = await asyncio.gather(
        *(
            _ITEM_TYPES[found[entry_id].kind].resolve_nodes(info=info, node_ids=[entry_id])
            for entry_id in shown
        )
    )
    marking = Marking.of(plan, vocab)
    hits = [
        SearchHit(
            score=scored[entry_id],
            snippet=marking.snippet(
                found[entry_id].title, found[entry_id].title_folded, found[entry_id].body
            ),
            item=item,
        )
        for entry_id, (item,) in zip(shown, items, strict=True)
    ]
    exact, counted = found_by_engine.exact, None
    if not exact and _asks_for(info, "facets"):
        # the facets count every match (each entry has one type), so their total is exact
        counted = await asyncio.to_thread(engine.facets, matching)
        total, exact = sum(counted.kinds.values()), True
    facets = SearchFacets(engine=engine, query=matching, counted=counted)
    return _search_connection(hits, len(best), window, total, exact, facets, suggestion)


def _asks_for(info: Info, name: str) -> bool:
    """Whether the request selects ``name`` on this field's result (fragments included)."""

    def among(selections: list[Any]) -> bool:
        for selection in selections:
            if isinstance(selection, SelectedField):
                if selection.name == name:
                    return True
            elif among(selection.selections):  # an inline fragment or a fragment spread
                return True
        return False

    return any(among(field.selections) for field in info.selected_fields)


@strawberry.type
class SearchQuery:
    @strawberry.field(
        description=(
            "ranked full-text search across types; best first. Words match without "
            "diacritics, the last word as a prefix (as a person types), and a mistyped word "
            "within one edit; exact spellings rank first."
        )
    )
    async def search(
        self,
        info: Info,
        query: str,
        types: list[SearchType] | None = None,
        province: str | None = None,
        first: int | None = 20,
        after: str | None = None,
        pillar: Annotated[
            PillarCode | None, strawberry.argument(description="(1.1) only items of this pillar")
        ] = None,
    ) -> SearchConnection:
        return await resolve_search(info, query, types, province, first, after, pillar)
