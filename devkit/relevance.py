"""Search relevance, measured: success@5 and MRR@10 over the relevance set.

The set (``tests/schema/relevance.toml``) holds realistic citizen and newsroom queries with
the items a careful editor expects on top; a test holds a floor on both measures and
``make bench`` reports them (``python -m bench.search_relevance``).
"""

from __future__ import annotations

import tomllib
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx

from devkit.client import gql

RELEVANCE_SET = Path(__file__).resolve().parent.parent / "tests" / "schema" / "relevance.toml"

SEARCH = """query Relevance($q: String!) {
  search(query: $q, first: 10) {
    nodes { item {
      __typename
      ... on Question { number text source { slug } }
      ... on Task { title }
      ... on Document { docNumber: number }
    } }
  }
}"""


@dataclass(frozen=True, slots=True)
class Judged:
    """One query of the set and the 1-based rank of its first expected hit (None: not in
    the first ten)."""

    text: str
    rank: int | None


@dataclass(frozen=True, slots=True)
class Report:
    judged: list[Judged]

    @property
    def success_at_5(self) -> float:
        return sum(j.rank is not None and j.rank <= 5 for j in self.judged) / len(self.judged)

    @property
    def mrr_at_10(self) -> float:
        return sum(1 / j.rank for j in self.judged if j.rank is not None) / len(self.judged)

    @property
    def misses(self) -> list[Judged]:
        """Queries whose expected items are not in the first five."""
        return [j for j in self.judged if j.rank is None or j.rank > 5]


def relevance_set(path: Path = RELEVANCE_SET) -> list[dict[str, Any]]:
    queries: list[dict[str, Any]] = tomllib.loads(path.read_text(encoding="utf-8"))["query"]
    return queries


def expected(item: dict[str, Any], expectation: dict[str, str]) -> bool:
    """Whether a hit's item is the one an expectation names (see the set's header)."""
    kind = item["__typename"]
    if "question" in expectation:
        source, number = expectation["question"].split("#")
        return bool(
            kind == "Question"
            and item["source"]["slug"] == source
            and item["number"] == int(number)
        )
    if "question_text" in expectation:
        return bool(kind == "Question" and item["text"] == expectation["question_text"])
    if "task_contains" in expectation:
        return kind == "Task" and expectation["task_contains"] in item["title"]
    if "document" in expectation:
        return bool(kind == "Document" and item["docNumber"] == expectation["document"])
    raise ValueError(f"unknown expectation {expectation}")


async def evaluate(client: httpx.AsyncClient, path: Path = RELEVANCE_SET) -> Report:
    """Run every query of the set against the app behind ``client``."""
    judged: list[Judged] = []
    for query in relevance_set(path):
        hits = (await gql(client, SEARCH, q=query["text"]))["search"]["nodes"]
        rank = next(
            (
                position
                for position, hit in enumerate(hits, start=1)
                if any(expected(hit["item"], e) for e in query["expect"])
            ),
            None,
        )
        judged.append(Judged(query["text"], rank))
    return Report(judged)
