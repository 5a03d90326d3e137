"""A question the source prints twice is served once, cited at every place it stands."""

from __future__ import annotations

from collections import Counter

from devkit.client import app_client, gql

QUERY = """query($after: String) { questions(first: 100, after: $after) {
  pageInfo { hasNextPage endCursor }
  nodes { text source { slug } citation { lineStart lineEnd }
          citations { lineStart lineEnd excerpt source { slug } } } } }"""


async def test_no_question_is_served_twice(loaded_url: str) -> None:
    nodes: list[dict[str, object]] = []
    after = None
    async with app_client(loaded_url) as client:
        while True:
            page = (await gql(client, QUERY, after=after))["questions"]
            nodes += page["nodes"]
            if not page["pageInfo"]["hasNextPage"]:
                break
            after = page["pageInfo"]["endCursor"]
    repeated = Counter((q["source"]["slug"], q["text"]) for q in nodes)  # type: ignore[index]
    assert [key for key, n in repeated.items() if n > 1] == []
    for q in nodes:
        citations = q["citations"]
        assert citations[0]["lineStart"] == q["citation"]["lineStart"]  # type: ignore[index]
        assert {c["source"]["slug"] for c in citations} == {q["source"]["slug"]}  # type: ignore[index]
    # Lào Cai's Phần 2 prints four questions of Phần I again (lines 363–393)
    laocai = {
        q["text"]: [(c["lineStart"], c["lineEnd"]) for c in q["citations"]]  # type: ignore[index]
        for q in nodes
        if q["source"]["slug"] == "lao-cai-tai-lieu-tuyen-truyen-2022"  # type: ignore[index]
    }
    assert laocai["Chính phủ số đem lại lợi ích gì cho người dân?"] == [(13, 21), (367, 375)]
    assert laocai["Chuyển đổi số đem lại lợi ích gì cho người dân?"] == [(9, 11), (363, 365)]
    assert sum(len(c) == 2 for c in laocai.values()) == 4
    second = next(q for q in nodes if q["text"] == "Kinh tế số đem lại lợi ích gì cho người dân?")
    assert second["citations"][1]["excerpt"].startswith(  # type: ignore[index]
        "Kinh tế số đem lại lợi ích gì cho người dân?"
    )


async def test_every_question_id_served_before_still_finds_its_question(
    loaded_url: str,
) -> None:
    """Before issue 14 the handbook's repeats had IDs of their own (four of …/q/h…): those
    and every other question ID served then still resolve, to a question with that text
    (a repeat's to the question served once, which cites both places)."""
    import json
    from pathlib import Path

    from strawberry import relay

    fixture = Path(__file__).resolve().parents[1] / "loaders" / "fixtures"
    before = json.loads((fixture / "ids_before_issue14.json").read_text(encoding="utf-8"))
    query = (
        "query($id: ID!) { node(id: $id) { ... on Question { id text citations { lineStart } } } }"
    )
    moved = 0
    async with app_client(loaded_url, anon_rate_limit="100000/minute") as client:
        for record_id, text in before["questions"].items():
            encoded = relay.to_base64("Question", record_id)
            found = (await gql(client, query, id=encoded))["node"]
            assert found is not None and found["text"] == text, record_id
            if found["id"] != encoded:  # an alias: the question kept, cited twice
                moved += 1
                assert len(found["citations"]) == 2, record_id
    assert moved == 4
