"""Search across questions, tasks, targets and documents, ranked, with highlighted snippets.

Matching goes through the full-text index of the backend (FTS5 on SQLite, a GIN-indexed
tsvector on PostgreSQL) over folded tokens: every word of the query must occur, with or
without diacritics. Ranking is one scorer for both backends, so they agree on the order:
BM25-style term weights with the title (a question's text, a task's title…) above the
body, a bonus for the words as one phrase, and a bonus when the query's own diacritics
match, so "kinh tế số" ranks exact matches at least as high as folded ones. Ties break by
type, then by source order.
"""

from __future__ import annotations

import asyncio
import functools
import html
import math
import re
from dataclasses import dataclass
from enum import Enum
from typing import Annotated, Any

import strawberry
from sqlalchemy import column, func, literal_column, select, table
from sqlalchemy import text as sql
from strawberry import relay

from db import models
from dxtext.text import fold, nfc
from schema.common import matching_entries, province_slug, search_words
from schema.context import Info
from schema.documents import Document
from schema.errors import BadUserInput
from schema.figures import Figure
from schema.pagination import connection, page
from schema.passages import Passage
from schema.questions import Question
from schema.targets import Target
from schema.tasks import Task

SNIPPET_CHARS = 160
TITLE_WEIGHT = 3.0
PHRASE_BONUS = 4.0
EXACT_BONUS = 2.0
_K1, _B = 1.2, 0.75


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
class SearchConnection:
    edges: list[SearchEdge]
    nodes: list[SearchHit]
    page_info: relay.PageInfo
    total_count: int


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


def highlight(text: str, words: list[str], limit: int = SNIPPET_CHARS) -> str:
    """A passage of ``text`` around the first match: matched words in <mark>, all escaped."""
    folded, offsets = folded_with_offsets(text)
    spans: list[tuple[int, int]] = []
    for word in set(words):
        for m in re.finditer(rf"(?<!{_WORD}){re.escape(word)}(?!{_WORD})", folded):
            spans.append((offsets[m.start()], offsets[m.end() - 1] + 1))
    spans.sort()
    merged: list[tuple[int, int]] = []
    for start, end in spans:  # neighbouring words become one <mark>
        if merged and (start <= merged[-1][1] or text[merged[-1][1] : start].isspace()):
            merged[-1] = (merged[-1][0], max(end, merged[-1][1]))
        else:
            merged.append((start, end))
    first = merged[0][0] if merged else 0
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


@dataclass(frozen=True, slots=True)
class Stats:
    """Corpus figures for term weights: entries, mean lengths, entries holding each word."""

    entries: int
    title_length: float
    body_length: float
    holding: dict[str, int]


@dataclass(frozen=True, slots=True)
class Candidate:
    """What ranking needs of a matching entry (originals only when the query has marks)."""

    id: str
    kind: str
    position: int
    title_folded: str
    body_folded: str
    title: str = ""
    body: str = ""


def score(entry: Candidate, words: list[str], raw: str, stats: Stats) -> float:
    """BM25F-style relevance of one matching entry (higher is better), rounded for stability."""
    title, body = entry.title_folded.split(), entry.body_folded.split()
    title_norm = 1 - _B + _B * len(title) / max(stats.title_length, 1.0)
    body_norm = 1 - _B + _B * len(body) / max(stats.body_length, 1.0)
    total = 0.0
    for word in dict.fromkeys(words):
        frequency = TITLE_WEIGHT * title.count(word) / title_norm + body.count(word) / body_norm
        holding = stats.holding.get(word, 0)
        idf = math.log(1 + (stats.entries - holding + 0.5) / (holding + 0.5))
        total += idf * frequency * (_K1 + 1) / (frequency + _K1)
    if len(words) > 1:
        phrase = f" {' '.join(words)} "
        total += PHRASE_BONUS * (
            (phrase in f" {entry.title_folded} ") + 0.5 * (phrase in f" {entry.body_folded} ")
        )
    exact = " ".join(nfc(raw).lower().split())
    if exact and fold(exact) != exact:  # the query has diacritics: reward the same ones
        total += EXACT_BONUS * ((exact in entry.title) + 0.5 * (exact in entry.body))
    return round(total, 6)


def has_marks(raw: str) -> bool:
    lowered = nfc(raw).lower()
    return fold(lowered) != lowered


async def _stats(info: Info, words: list[str]) -> Stats:
    """Corpus statistics for scoring: entries, mean lengths, entries holding each word.

    They change only when content is loaded, and counting them took longer than the rest
    of a search on a large corpus, so they are memoised per content version (Context.
    corpus_cache) and counted only for words not seen since the last load.
    """
    context = info.context
    e = models.SearchEntry
    corpus: tuple[int, float, float] | None = context.memo_get("search:corpus")
    holding: dict[str, int] = {}
    missing: list[str] = []
    for word in dict.fromkeys(words):
        known: int | None = context.memo_get("search:holding", word)
        if known is None:
            missing.append(word)
        else:
            holding[word] = known
    if corpus is None or missing:
        async with context.session() as session:
            if corpus is None:
                row = (
                    await session.execute(
                        select(
                            func.count(),
                            func.avg(func.length(e.title_folded)),
                            func.avg(func.length(e.body_folded)),
                        )
                    )
                ).one()
                # mean lengths in characters → in words (a folded token and its space
                # average ~5.5)
                corpus = (int(row[0] or 0), float(row[1] or 0) / 5.5, float(row[2] or 0) / 5.5)
                context.memo_set(corpus, "search:corpus")
            for word in missing:
                matching = matching_entries(context.dialect, [word]).subquery()
                holding[word] = int(
                    await session.scalar(select(func.count()).select_from(matching)) or 0
                )
                context.memo_set(holding[word], "search:holding", word)
    return Stats(*corpus, holding)


#: At most this many matches are ranked, the engine's own best first: beyond it the order
#: of the long tail is the engine's (a query matching more than this is a vague one).
CANDIDATES = 1000


def engine_ranked(
    dialect: str, words: list[str], columns: list[Any], narrow: list[Any], limit: int
) -> Any:
    """The best ``limit`` matches by the engine's own rank (FTS5 bm25 / ts_rank)."""
    e = models.SearchEntry
    if dialect == "postgresql":
        tsquery = func.to_tsquery("simple", " & ".join(words))
        tsv: Any = literal_column("tsv")
        return (
            select(*columns)
            .where(tsv.op("@@")(tsquery), *narrow)
            .order_by(func.ts_rank(tsv, tsquery).desc(), e.position)
            .limit(limit)
        )
    fts = table("search_fts", column("entry_id"))
    expression = " ".join(f'"{word}"' for word in words)
    return (
        select(*columns)
        .select_from(fts.join(e, e.id == fts.c.entry_id))
        .where(sql("search_fts MATCH :fts").bindparams(fts=expression), *narrow)
        .order_by(sql("bm25(search_fts, 0.0, 3.0, 1.0)"), e.position)
        .limit(limit)
    )


_TYPE_ORDER = {kind.value: i for i, kind in enumerate(SearchType)}
_ITEM_TYPES: dict[str, Any] = {
    "QUESTION": Question,
    "TASK": Task,
    "TARGET": Target,
    "DOCUMENT": Document,
    "FIGURE": Figure,
    "PASSAGE": Passage,
}


async def resolve_search(
    info: Info,
    query: str,
    types: list[SearchType] | None,
    province: str | None,
    first: int | None,
    after: str | None,
) -> SearchConnection:
    window = page(first, after)
    if len(query) > 500:
        raise BadUserInput("query is longer than 500 characters", argument="query")
    words = search_words(query)
    slug = await province_slug(info, province)
    if not words:
        empty: SearchConnection = connection(SearchConnection, [], 0, window, SearchEdge)
        return empty
    e = models.SearchEntry
    narrow: list[Any] = []
    if types:
        narrow.append(e.kind.in_([t.value for t in types]))
    if slug is not None:
        narrow.append(e.province_id == slug)
    marks = has_marks(query)
    columns: list[Any] = [e.id, e.kind, e.position, e.title_folded, e.body_folded]
    if marks:  # lower-cased in Python: SQLite's lower() knows ASCII only
        columns += [e.title, e.body]
    matching = matching_entries(info.context.dialect, words)
    async with info.context.session() as session:
        total = int(
            await session.scalar(select(func.count()).where(e.id.in_(matching), *narrow)) or 0
        )
        rows = (
            await session.execute(
                engine_ranked(info.context.dialect, words, columns, narrow, CANDIDATES)
            )
        ).all()
    candidates = [
        Candidate(*row[:5], *(" ".join(text.lower().split()) for text in row[5:])) for row in rows
    ]
    stats = await _stats(info, words)
    ranked = sorted(
        ((score(c, words, query, stats), c) for c in candidates),
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
    async with info.context.session() as session:
        texts = {
            row.id: (row.title, row.body)
            for row in (
                await session.execute(
                    select(e.id, e.title, e.body).where(e.id.in_([c.id for _, c in shown]))
                )
            ).all()
        }
    hits: list[SearchHit] = []
    for (value, entry), (item,) in zip(shown, items, strict=True):
        title, body = texts[entry.id]
        in_title = set(words) <= set(entry.title_folded.split()) or not body
        snippet = highlight(title if in_title else body, words)
        hits.append(SearchHit(score=value, snippet=snippet, item=item))
    result: SearchConnection = connection(SearchConnection, hits, total, window, SearchEdge)
    return result


@strawberry.type
class SearchQuery:
    @strawberry.field(description="ranked full-text search across types; best first")
    async def search(
        self,
        info: Info,
        query: str,
        types: list[SearchType] | None = None,
        province: str | None = None,
        first: int | None = 20,
        after: str | None = None,
    ) -> SearchConnection:
        return await resolve_search(info, query, types, province, first, after)
