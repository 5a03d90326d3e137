"""Search across questions, tasks, targets and documents, ranked, with highlighted snippets.

Matching is on folded text (no diacritics, đ → d, any case): every word of the query must
occur. The score weighs a record's title (a question's text, a task's title…) above its
body, a whole-phrase match above scattered words, and an exact match with diacritics
above a folded one. Ties break by type, then ID, so the order is stable.
"""

from __future__ import annotations

import html
import re
from dataclasses import dataclass
from enum import Enum
from typing import Annotated, Any

import strawberry
from sqlalchemy import select
from strawberry import relay

from db import models
from loaders.text import fold, nfc
from schema.common import matches_words, province_slug, search_words
from schema.context import Info
from schema.documents import Document
from schema.errors import BadUserInput
from schema.pagination import connection, page
from schema.questions import Question
from schema.targets import Target
from schema.tasks import Task

SNIPPET_CHARS = 160


@strawberry.enum
class SearchType(Enum):
    QUESTION = "QUESTION"
    TASK = "TASK"
    TARGET = "TARGET"
    DOCUMENT = "DOCUMENT"


SearchItem = Annotated[Question | Task | Target | Document, strawberry.union("SearchItem")]


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


@dataclass
class _Candidate:
    kind: SearchType
    record_id: str
    title: str
    body: str
    item: Any


def folded_with_offsets(text: str) -> tuple[str, list[int]]:
    """``fold(text)`` and, for each folded character, its index in ``text``."""
    out: list[str] = []
    offsets: list[int] = []
    for index, char in enumerate(text):
        for folded_char in fold(char):
            out.append(folded_char)
            offsets.append(index)
    return "".join(out), offsets


def highlight(text: str, words: list[str], limit: int = SNIPPET_CHARS) -> str:
    """A passage of ``text`` around the first match, matches in <mark>, the rest escaped."""
    folded, offsets = folded_with_offsets(text)
    spans: list[tuple[int, int]] = []
    for word in words:
        for m in re.finditer(rf"(?<!\w){re.escape(word)}", folded):
            spans.append((offsets[m.start()], offsets[m.end() - 1] + 1))
    spans.sort()
    merged: list[tuple[int, int]] = []
    for start, end in spans:
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


def score(candidate: _Candidate, words: list[str], raw: str) -> float:
    title, body = fold(candidate.title), fold(candidate.body)
    phrase = " ".join(words)
    total = 0.0
    for word in words:
        pattern = re.compile(rf"(?<!\w){re.escape(word)}")
        total += 2.0 * min(len(pattern.findall(title)), 3) + min(len(pattern.findall(body)), 5)
    if len(words) > 1:
        total += 6.0 * (phrase in title) + 3.0 * (phrase in body)
    exact = nfc(raw).strip().lower()
    if exact and exact != phrase:
        total += 2.0 * (exact in candidate.title.lower()) + 1.0 * (exact in candidate.body.lower())
    length_norm: float = max(1.0, float(len(title.split())) ** 0.25)
    return round(total / length_norm, 6)


async def _candidates(
    info: Info, types: list[SearchType], words: list[str], province: str | None
) -> list[_Candidate]:
    found: list[_Candidate] = []
    async with info.context.sessionmaker() as session:
        if SearchType.QUESTION in types:
            q = models.Question
            questions = select(q).where(matches_words(q.search_text, words))
            if province:
                questions = questions.where(q.province_id == province)
            found += [
                _Candidate(SearchType.QUESTION, r.id, r.text, r.answer, Question.from_row(r))
                for r in await session.scalars(questions)
            ]
        if SearchType.TASK in types:
            k = models.Task
            tasks = select(k).where(matches_words(k.search_text, words))
            if province:
                tasks = tasks.where(k.province_id == province)
            found += [
                _Candidate(SearchType.TASK, r.id, r.title, r.group or "", Task.from_row(r))
                for r in await session.scalars(tasks)
            ]
        if SearchType.TARGET in types:
            t = models.Target
            targets = select(t).where(matches_words(t.search_text, words))
            if province:
                targets = targets.where(t.province_id == province)
            found += [
                _Candidate(SearchType.TARGET, r.id, r.text, "", Target.from_row(r))
                for r in await session.scalars(targets)
            ]
        if SearchType.DOCUMENT in types:
            d = models.Document
            documents = select(d).where(matches_words(d.search_text, words))
            if province:
                documents = documents.where(d.province_id == province)
            found += [
                _Candidate(
                    SearchType.DOCUMENT,
                    r.id,
                    " ".join(x for x in (r.kind_label, r.number, r.title) if x),
                    r.issuer or "",
                    Document.from_row(r),
                )
                for r in await session.scalars(documents)
            ]
    return found


_TYPE_ORDER = {kind: i for i, kind in enumerate(SearchType)}


async def resolve_search(
    info: Info,
    query: str,
    types: list[SearchType] | None,
    province: str | None,
    first: int | None,
    after: str | None,
) -> SearchConnection:
    window = page(first, after)
    if "\x00" in query:
        query = query.replace("\x00", " ")
    if len(query) > 500:
        raise BadUserInput("query is longer than 500 characters")
    words = search_words(query)
    slug = await province_slug(info, province)
    hits: list[SearchHit] = []
    if words:
        candidates = await _candidates(info, types or list(SearchType), words, slug)
        scored = sorted(
            ((score(c, words, query), c) for c in candidates),
            key=lambda pair: (-pair[0], _TYPE_ORDER[pair[1].kind], pair[1].record_id),
        )
        for value, candidate in scored[window.offset : window.offset + window.limit]:
            in_title = all(w in fold(candidate.title) for w in words) or not candidate.body
            text = candidate.title if in_title else candidate.body
            hits.append(SearchHit(score=value, snippet=highlight(text, words), item=candidate.item))
        total = len(scored)
    else:
        total = 0
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
