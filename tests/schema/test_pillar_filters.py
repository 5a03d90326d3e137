"""Pillar filters answer what a reader expects, sector by sector, in both booklets."""

from __future__ import annotations

from typing import Any

import pytest

from devkit.client import app_client, gql

PAGE = """query($p: PillarCode!, $after: String) {
  questions(filter: {pillar: $p}, first: 100, after: $after) {
    pageInfo { hasNextPage endCursor } nodes { number text source { slug } } } }"""


async def _questions(client: Any, pillar: str) -> set[tuple[str, int | None]]:
    found: set[tuple[str, int | None]] = set()
    after = None
    while True:
        data = (await gql(client, PAGE, p=pillar, after=after))["questions"]
        found |= {(q["source"]["slug"][:2], q["number"]) for q in data["nodes"]}
        if not data["pageInfo"]["hasNextPage"]:
            return found
        after = data["pageInfo"]["endCursor"]


# (booklet, question number): Hà Giang "ha", Khánh Hòa "kh"
SECTORS = {
    "DIGITAL_ECONOMY": {
        "agriculture": [("ha", 19), ("ha", 48), ("kh", 16), ("kh", 44)],
        "finance and banking": [("ha", 20), ("kh", 17)],
        "industry": [("ha", 23), ("kh", 20)],
        "tourism and services": [("ha", 47), ("kh", 13), ("kh", 41)],
        "transport and logistics": [("ha", 21), ("ha", 49), ("kh", 18), ("kh", 45)],
        "businesses": [("ha", 32), ("ha", 33), ("kh", 21)],
    },
    "DIGITAL_GOVERNMENT": {
        "state agencies": [("ha", 16), ("kh", 12)],
        "digital government": [("ha", 6), ("ha", 7), ("kh", 4), ("kh", 5)],
        "justice": [("ha", 50)],
    },
    "DIGITAL_SOCIETY": {
        "health": [("ha", 17), ("ha", 44), ("kh", 14), ("kh", 42)],
        "education": [("ha", 18), ("ha", 45), ("kh", 15), ("kh", 43)],
        "culture": [("ha", 47)],
        "citizens": [("ha", 30), ("kh", 22), ("ha", 31), ("kh", 23)],
    },
}


@pytest.mark.parametrize("pillar", sorted(SECTORS))
async def test_questions_by_pillar_hold_their_sectors(loaded_url: str, pillar: str) -> None:
    async with app_client(loaded_url) as client:
        found = await _questions(client, pillar)
        others = {p: await _questions(client, p) for p in SECTORS if p != pillar}
    for sector, questions in SECTORS[pillar].items():
        assert set(questions) <= found, sector
    # the industrial revolution (Hà Giang 5, Khánh Hòa 1) is no sector of any pillar
    assert not {("ha", 5), ("kh", 1)} & (found | set().union(*others.values()))
    # health is society's, not the economy's
    if pillar == "DIGITAL_ECONOMY":
        assert not set(SECTORS["DIGITAL_SOCIETY"]["health"]) & found


async def test_every_target_is_under_some_pillar(loaded_url: str) -> None:
    query = """{ all: targets(first: 1) { totalCount }
      gov: targets(filter: {pillar: DIGITAL_GOVERNMENT}, first: 100) { nodes { id } }
      eco: targets(filter: {pillar: DIGITAL_ECONOMY}, first: 100) { nodes { id } }
      soc: targets(filter: {pillar: DIGITAL_SOCIETY}, first: 100) { nodes { id } } }"""
    async with app_client(loaded_url) as client:
        data = await gql(client, query)
    covered = {n["id"] for key in ("gov", "eco", "soc") for n in data[key]["nodes"]}
    assert len(covered) == data["all"]["totalCount"] > 0
