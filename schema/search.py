"""Search across questions, tasks, targets and documents: as people type, forgiving typos,
exact spellings first, with facets and a suggestion.

A query becomes a plan (``schema.search_plan``: each word with its exact, prefix, typo and
compound alternatives, against the index's vocabulary, memoised per content version) that
the backend's full-text index matches (FTS5 on SQLite, a GIN-indexed tsvector on
PostgreSQL) over folded tokens. The engine picks the best ``CANDIDATES`` matches by its
own rank; one scorer for both backends (``schema.search_rank``) orders them, so SQLite and
PostgreSQL agree. ``totalCount`` and the facets count every match up to ``EXACT_TOTAL``;
past it, ``totalCountIsExact`` says the count is a lower bound (Elasticsearch's
``track_total_hits``).
"""

from __future__ import annotations

import asyncio
from collections import defaultdict
from enum import Enum
from typing import Annotated, Any

import strawberry
from sqlalchemy import column, func, literal_column, select, table
from sqlalchemy import text as sql
from strawberry import relay

from db import models
from schema.common import MAX_SEARCH_LENGTH, MAX_WORDS, pillar_filter, province_slug
from schema.context import Info
from schema.documents import Document
from schema.errors import BadUserInput
from schema.figures import Figure
from schema.pagination import Page, connection, page
from schema.passages import Passage
from schema.pillars import Pillar, PillarCode
from schema.provinces import Province
from schema.questions import Question
from schema.search_plan import Plan, Vocabulary, plan_query
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
    """How the matches spread; each list is worked out only when it is asked for."""

    type_counts: strawberry.Private[dict[str, int]]
    province_counts: strawberry.Private[dict[str, int]]
    #: the statement counting the matches' pillars (None: nothing matched)
    pillar_counts: strawberry.Private[Any]

    @strawberry.field
    def types(self) -> list[SearchTypeCount]:
        ordered = sorted(self.type_counts.items(), key=lambda k: (-k[1], _TYPE_ORDER[k[0]]))
        return [SearchTypeCount(type=SearchType(kind), count=count) for kind, count in ordered]

    @strawberry.field
    async def provinces(self, info: Info) -> list[ProvinceCount]:
        ordered = sorted(self.province_counts.items(), key=_by_count)
        found = await Province.resolve_nodes(info=info, node_ids=[slug for slug, _ in ordered])
        return [
            ProvinceCount(province=province, count=count)
            for (_, count), province in zip(ordered, found, strict=True)
            if province is not None
        ]

    @strawberry.field
    async def pillars(self, info: Info) -> list[PillarCount]:
        if self.pillar_counts is None:
            return []
        async with info.context.session() as session:
            rows = (await session.execute(self.pillar_counts)).all()
        return [
            PillarCount(pillar=Pillar.of(code), count=int(count))
            for code, count in sorted(rows, key=_by_count)
        ]


@strawberry.type
class SearchConnection:
    edges: list[SearchEdge]
    nodes: list[SearchHit]
    page_info: relay.PageInfo
    total_count: int
    total_count_is_exact: bool = strawberry.field(
        description=(
            "false when so many items match that totalCount is a lower bound (at least "
            "10,000, as Elasticsearch's track_total_hits); true otherwise"
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


#: At most this many matches are ranked, the engine's own best first, and paged through:
#: beyond it the order of the long tail is the engine's (a query matching more than this
#: is a vague one), and the last page of the ranked list says ``hasNextPage: false``.
CANDIDATES = 1000
#: ``totalCount`` and the facets are exact up to this many matches, a lower bound beyond
EXACT_TOTAL = 10_000


def _match(dialect: str, plan: Plan) -> Any:
    """The WHERE clause of the entries the plan matches, through the full-text index."""
    if dialect == "postgresql":
        tsquery = func.to_tsquery("simple", plan.tsquery())
        return literal_column("tsv").op("@@")(tsquery)
    return sql("search_fts MATCH :fts").bindparams(fts=plan.fts5())


def _matching(dialect: str, plan: Plan, narrow: list[Any]) -> Any:
    """``select`` over the matching entries (joined to FTS5 on SQLite), narrowed."""
    e = models.SearchEntry
    where = [_match(dialect, plan), *narrow]
    if dialect == "postgresql":
        return lambda *columns: select(*columns).where(*where)
    fts = table("search_fts", column("entry_id"))
    return lambda *columns: (
        select(*columns).select_from(fts.join(e, e.id == fts.c.entry_id)).where(*where)
    )


def engine_ranked(dialect: str, plan: Plan, columns: list[Any], narrow: list[Any]) -> Any:
    """The best ``CANDIDATES`` matches by the engine's own rank (FTS5 bm25 / ts_rank)."""
    e = models.SearchEntry
    chosen = _matching(dialect, plan, narrow)(*columns)
    rank: Any
    if dialect == "postgresql":
        tsquery = func.to_tsquery("simple", plan.tsquery())
        rank = func.ts_rank(literal_column("tsv"), tsquery).desc()
    else:
        rank = sql("bm25(search_fts, 0.0, 3.0, 1.0)")
    return chosen.order_by(rank, e.position).limit(CANDIDATES)


async def vocabulary(info: Info) -> tuple[Vocabulary, Stats]:
    """The index's vocabulary and corpus statistics, read once per content version."""
    context = info.context
    memo: tuple[Vocabulary, Stats] | None = context.memo_get("search:vocabulary")
    if memo is not None:
        return memo
    e, t = models.SearchEntry, models.SearchTerm
    async with context.session() as session:
        terms = (await session.execute(select(t.term, t.spelling, t.spellings, t.entries))).all()
        row = (
            await session.execute(
                select(
                    func.count(),
                    func.avg(func.length(e.title_folded)),
                    func.avg(func.length(e.body_folded)),
                )
            )
        ).one()
    # mean lengths in characters → in words (a folded token and its space average ~5.5)
    stats = Stats(int(row[0] or 0), float(row[1] or 0) / 5.5, float(row[2] or 0) / 5.5)
    memo = (Vocabulary.of([(str(a), str(b), str(c), int(n)) for a, b, c, n in terms]), stats)
    context.memo_set(memo, "search:vocabulary")
    return memo


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


async def _facets(info: Info, plan: Plan, narrow: list[Any]) -> tuple[int, bool, SearchFacets]:
    """How many entries match (at most ``EXACT_TOTAL``), whether that is all of them, and
    how those spread (so the facets always add up to the count)."""
    e, rp = models.SearchEntry, models.RecordPillar
    matching = _matching(info.context.dialect, plan, narrow)
    capped = matching(e.id, e.kind, e.province_id).limit(EXACT_TOTAL).subquery()
    async with info.context.session() as session:
        spread = (
            await session.execute(
                select(capped.c.kind, capped.c.province_id, func.count()).group_by(
                    capped.c.kind, capped.c.province_id
                )
            )
        ).all()
    kinds: dict[str, int] = defaultdict(int)
    provinces: dict[str, int] = defaultdict(int)
    for kind, province_id, count in spread:
        kinds[kind] += int(count)
        if province_id is not None:
            provinces[province_id] += int(count)
    total = sum(kinds.values())
    exact = total < EXACT_TOTAL
    if not exact:  # only at the cap: is there one more?
        async with info.context.session() as session:
            beyond = matching(e.id).offset(EXACT_TOTAL).limit(1)
            exact = (await session.execute(beyond)).first() is None
    pillars = (
        select(rp.pillar_code, func.count())
        .join(capped, capped.c.id == rp.record_id)
        .group_by(rp.pillar_code)
    )
    return (
        total,
        exact,
        SearchFacets(
            type_counts=dict(kinds), province_counts=dict(provinces), pillar_counts=pillars
        ),
    )


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
    vocab, stats = await vocabulary(info)
    plan = plan_query(query, vocab, MAX_WORDS)
    if plan.empty:
        no_facets = SearchFacets(type_counts={}, province_counts={}, pillar_counts=None)
        return _search_connection([], 0, window, 0, True, no_facets, None)
    e = models.SearchEntry
    narrow: list[Any] = []
    if types:
        narrow.append(e.kind.in_([t.value for t in types]))
    if slug is not None:
        narrow.append(e.province_id == slug)
    if pillar is not None:
        narrow.append(pillar_filter(e.id, pillar))
    dialect = info.context.dialect
    columns: list[Any] = [e.id, e.kind, e.position, e.title_folded, e.body_folded, e.title, e.body]
    total, exact, facets = await _facets(info, plan, narrow)
    async with info.context.session() as session:
        rows = (await session.execute(engine_ranked(dialect, plan, columns, narrow))).all()
    # a word matched only through a correction, so as typed the query finds nothing: the
    # corrected spelling, when it finds something, is the suggestion
    typed = " ".join(query.lower().split())
    suggestion = plan.spelled if plan.corrected and total and plan.spelled != typed else None
    candidates = [Candidate(*row) for row in rows]
    scorer = Scorer(plan, vocab, stats, query)
    ranked = sorted(
        ((scorer(c), c) for c in candidates),
        key=lambda pair: (-pair[0], _TYPE_ORDER[pair[1].kind], pair[1].position),
    )
    shown = ranked[window.offset : window.offset + window.limit]
    # concurrent loads: the DataLoaders fetch each type's items in one statement
    items = await asyncio.gather(
        *(
            _ITEM_TYPES[entry.kind].resolve_nodes(info=info, node_ids=[entry.id])
            for _, entry in shown
        )
    )
    marking = Marking.of(plan, vocab)
    hits = [
        SearchHit(
            score=value,
            snippet=marking.snippet(entry.title, entry.title_folded, entry.body),
            item=item,
        )
        for (value, entry), (item,) in zip(shown, items, strict=True)
    ]
    return _search_connection(hits, len(ranked), window, total, exact, facets, suggestion)


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
