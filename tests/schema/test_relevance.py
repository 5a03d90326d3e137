"""Search relevance holds a floor on the relevance set, on both databases."""

from __future__ import annotations

from devkit.client import app_client
from devkit.relevance import evaluate, relevance_set


def test_the_set_is_large_and_mixed() -> None:
    texts = [q["text"] for q in relevance_set()]
    assert len(texts) >= 40 and len(set(texts)) == len(texts)
    accented = [t for t in texts if t.isascii() is False]
    assert len(accented) >= 8 and len(texts) - len(accented) >= 25


async def test_success_at_5_and_mrr_at_10_hold_their_floor(loaded_url: str) -> None:
    async with app_client(loaded_url, anon_rate_limit="100000/minute") as client:
        report = await evaluate(client)
    assert report.success_at_5 >= 0.9, report.misses
    assert report.mrr_at_10 >= 0.85, report.misses
