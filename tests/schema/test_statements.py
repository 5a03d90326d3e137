"""Statements built once per shape (schema.statements, issue 17): a request with other
values reuses the statement of its shape and still answers for its own values; a
filter that cannot be bound (search) keeps nothing. On both databases."""

from __future__ import annotations

import itertools

import pytest

from devkit.client import app_client, gql
from dxtext.text import fold
from schema import statements

_nonces = itertools.count(1)

TASKS = """query($p: String, $a: String) {
  tasks(first: 100, filter: {province: $p, agency: $a}, orderBy: SOURCE) {
    totalCount nodes { province { slug } leadAgencies { name } }
  }
}"""


async def test_one_statement_per_shape_each_request_its_own_values(
    loaded_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(statements, "_BUILT", {})  # as in a new process
    async with app_client(loaded_url) as client:
        answers = {}
        kept = []
        # the Lào Cai plan names Sở Y tế and Công an tỉnh among lead agencies (chủ trì), the
        # Hà Giang Q&A booklet Tỉnh đoàn thanh niên
        for province, agency in [
            ("lao-cai", "so y te"),
            ("ha-giang", "tinh doan thanh"),
            ("lao-cai", "cong an"),  # two words: a shape of its own
            ("lao-cai", "y te"),
        ]:
            data = await gql(client, TASKS, p=province, a=agency, nonce=next(_nonces))
            answers[province, agency] = data["tasks"]
            kept.append(len(statements._BUILT))
    # the second request had the first one's shape (province + three agency words):
    # nothing new was built for it; two words are another shape, which the fourth reuses
    assert kept[1] == kept[0] and kept[2] == kept[1] + 1 and kept[3] == kept[2], kept
    for (province, agency), tasks in answers.items():
        assert tasks["totalCount"] == len(tasks["nodes"]) > 0, (province, agency)
        for task in tasks["nodes"]:
            assert task["province"]["slug"] == province
            names = [fold(a["name"]) for a in task["leadAgencies"]]
            assert any(all(w in name for w in agency.split()) for name in names), names


async def test_a_search_filter_is_built_per_request(loaded_url: str) -> None:
    query = """query($s: String) { questions(first: 5, filter: {search: $s}) {
        totalCount nodes { text } } }"""
    async with app_client(loaded_url) as client:
        await gql(client, query, s="chuyen doi so", nonce=next(_nonces))
        before = len(statements._BUILT)
        totals = []
        for words in ("dich vu cong", "chu ky so", "cong dan so"):
            data = await gql(client, query, s=words, nonce=next(_nonces))
            totals.append(data["questions"]["totalCount"])
        assert len(statements._BUILT) == before
        assert all(total > 0 for total in totals), totals
