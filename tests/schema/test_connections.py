"""Relay connections: paging visits every item once; totalCount; limits; cursors; node()."""

from __future__ import annotations

import pytest

from devkit.client import app_client, error_codes, gql, post

CONNECTIONS = {
    "documents": "documents(first: $first, after: $after)",
    "targets": "targets(first: $first, after: $after)",
    "tasks": "tasks(first: $first, after: $after)",
    "tasksBySource": "tasks(orderBy: SOURCE, first: $first, after: $after)",
    "agencies": "agencies(first: $first, after: $after)",
    "questions": "questions(first: $first, after: $after)",
    "search": 'search(query: "chuyen doi so", first: $first, after: $after)',
    "searchTasks": 'search(query: "so", types: [TASK], first: $first, after: $after)',
}


async def _walk(client, field: str, size: int) -> tuple[list[str], set[int]]:
    is_search = field.startswith("search")
    selection = "item { ... on Node { id } }" if is_search else "id"
    query = f"""query($first: Int, $after: String) {{
      page: {field} {{
        totalCount
        pageInfo {{ hasNextPage hasPreviousPage startCursor endCursor }}
        edges {{ cursor }}
        nodes {{ {selection} }}
      }}
    }}"""
    ids: list[str] = []
    totals: set[int] = set()
    after = None
    while True:
        data = (await gql(client, query, first=size, after=after))["page"]
        totals.add(data["totalCount"])
        ids += [n["id"] if "id" in n else n["item"]["id"] for n in data["nodes"]]
        assert len(data["edges"]) == len(data["nodes"])
        assert data["pageInfo"]["hasPreviousPage"] is (after is not None)
        if data["nodes"]:
            assert data["pageInfo"]["endCursor"] == data["edges"][-1]["cursor"]
        if not data["pageInfo"]["hasNextPage"]:
            return ids, totals
        after = data["pageInfo"]["endCursor"]


@pytest.mark.parametrize("name", sorted(CONNECTIONS))
async def test_paging_visits_every_item_once(loaded_url: str, name: str) -> None:
    async with app_client(loaded_url) as client:
        ids, totals = await _walk(client, CONNECTIONS[name], 7)
        whole, _ = await _walk(client, CONNECTIONS[name], 100)
    assert len(ids) == len(set(ids)), "an item came twice"
    assert totals == {len(ids)}
    assert ids == whole, "page size changes the order"
    assert len(ids) > 5


async def test_nested_connections_page_too(loaded_url: str) -> None:
    async with app_client(loaded_url) as client:
        data = await gql(
            client,
            """{
          laoCai: province(slug: "lao-cai") { tasks(first: 100) { totalCount nodes { id } } }
          haGiang: province(code: "02") {
            questions(first: 100) { totalCount nodes { id number } }
            documents(first: 100) { totalCount nodes { id } }
            targets(first: 100) { totalCount nodes { id } }
          }
        }""",
        )
    for field in ("questions", "documents", "targets"):
        conn = data["haGiang"][field]
        assert conn["totalCount"] == len(conn["nodes"]) > 0, field
    assert data["laoCai"]["tasks"]["totalCount"] == len(data["laoCai"]["tasks"]["nodes"]) == 39
    # Phần II of the Hà Giang booklet (35-52) is about the province
    numbers = [n["number"] for n in data["haGiang"]["questions"]["nodes"]]
    assert numbers == list(range(35, 53))


async def test_page_size_limits(loaded_url: str) -> None:
    async with app_client(loaded_url) as client:
        too_big = await post(client, "{ questions(first: 101) { totalCount } }")
        negative = await post(client, "{ tasks(first: -1) { totalCount } }")
        hundred = await gql(client, "{ questions(first: 100) { nodes { id } } }")
        default = await gql(client, "{ questions { nodes { id } pageInfo { hasNextPage } } }")
    assert error_codes(too_big) == ["PAGE_SIZE_LIMIT"]
    assert error_codes(negative) == ["PAGE_SIZE_LIMIT"]
    assert "100" in too_big["errors"][0]["message"]
    assert len(hundred["questions"]["nodes"]) == 100
    assert len(default["questions"]["nodes"]) == 20


@pytest.mark.parametrize("cursor", ["garbage", "Y3Vyc29yOi0x", "YXJyYXljb25uZWN0aW9uOjE=", ""])
async def test_malformed_cursor_is_bad_user_input(loaded_url: str, cursor: str) -> None:
    async with app_client(loaded_url) as client:
        body = await post(
            client, "query($a: String) { tasks(after: $a) { totalCount } }", a=cursor or "!"
        )
    assert error_codes(body) == ["BAD_USER_INPUT"]
    assert "cursor" in body["errors"][0]["message"]


async def test_unknown_province_is_bad_user_input(loaded_url: str) -> None:
    async with app_client(loaded_url) as client:
        body = await post(client, '{ tasks(filter: {province: "atlantis"}) { totalCount } }')
    assert error_codes(body) == ["BAD_USER_INPUT"]
    assert "atlantis" in body["errors"][0]["message"]


async def test_cursors_survive_a_reload_of_unchanged_content(db_url: str) -> None:
    from tests.conftest import load_into

    query = """query($after: String) { tasks(first: 5, after: $after) {
        pageInfo { endCursor } nodes { id } } }"""
    await load_into(db_url)
    async with app_client(db_url) as client:
        first = (await gql(client, query))["tasks"]
        second = (await gql(client, query, after=first["pageInfo"]["endCursor"]))["tasks"]
    await load_into(db_url)
    async with app_client(db_url) as client:
        again = (await gql(client, query, after=first["pageInfo"]["endCursor"]))["tasks"]
    assert again["nodes"] == second["nodes"]


async def test_node_resolves_every_type(loaded_url: str) -> None:
    async with app_client(loaded_url) as client:
        data = await gql(
            client,
            """{
          provinces { id }
          sources { id }
          documents(first: 1) { nodes { id } }
          targets(first: 1) { nodes { id } }
          tasks(first: 1) { nodes { id leadAgencies { id } } }
          questions(first: 1) { nodes { id } }
          rankings { id }
        }""",
        )
        ids = {
            "Province": data["provinces"][0]["id"],
            "Source": data["sources"][0]["id"],
            "Document": data["documents"]["nodes"][0]["id"],
            "Target": data["targets"]["nodes"][0]["id"],
            "Task": data["tasks"]["nodes"][0]["id"],
            "Agency": data["tasks"]["nodes"][0]["leadAgencies"][0]["id"],
            "Question": data["questions"]["nodes"][0]["id"],
            "Ranking": data["rankings"][0]["id"],
        }
        for typename, node_id in ids.items():
            found = await gql(
                client, "query($id: ID!) { node(id: $id) { __typename id } }", id=node_id
            )
            assert found["node"] == {"__typename": typename, "id": node_id}


async def test_nested_pages_equal_the_filtered_root_lists(loaded_url: str) -> None:
    """Province.tasks (batched over every province at once) pages like tasks(filter)."""
    nested = """query($after: String) { provinces { slug
        tasks(first: 4, after: $after) { totalCount pageInfo { hasNextPage endCursor }
                                         nodes { id } } } }"""
    root = """query($p: String, $after: String) { tasks(filter: {province: $p}, first: 4,
        after: $after) { totalCount pageInfo { hasNextPage } nodes { id } } }"""
    async with app_client(loaded_url) as client:
        for after in (None, "Y3Vyc29yOjM=", "Y3Vyc29yOjEwMA=="):
            provinces = (await gql(client, nested, after=after))["provinces"]
            for province in provinces:
                alone = (await gql(client, root, p=province["slug"], after=after))["tasks"]
                mine = province["tasks"]
                assert mine["totalCount"] == alone["totalCount"], province["slug"]
                assert mine["nodes"] == alone["nodes"], province["slug"]
                assert mine["pageInfo"]["hasNextPage"] == alone["pageInfo"]["hasNextPage"]


async def test_nested_pages_give_the_same_values_as_lookups_by_id(loaded_url: str) -> None:
    """A nested connection reads its page through a window-function subquery: every value
    (dates included, stored as text on SQLite) is what the same item gives by ID."""
    fields = {
        "documents": "id number kind issuedOn issuer level",
        "tasks": "id title deadline deadlineKind ordinal",
        "targets": "id text year",
        "questions": "id number text part",
    }
    nested = " ".join(f"{name}(first: 100) {{ nodes {{ {f} }} }}" for name, f in fields.items())
    types = {"documents": "Document", "tasks": "Task", "targets": "Target", "questions": "Question"}
    compared = 0
    async with app_client(loaded_url, anon_rate_limit="100000/minute") as client:
        provinces = (await gql(client, f"{{ provinces {{ {nested} }} }}"))["provinces"]
        for province in provinces:
            for name, f in fields.items():
                for item in province[name]["nodes"]:
                    lookup = (
                        f"query($id: ID!) {{ node(id: $id) {{ ... on {types[name]} {{ {f} }} }} }}"
                    )
                    by_id = await gql(client, lookup, id=item["id"])
                    assert by_id["node"] == item
                    compared += 1
    dates = [d["issuedOn"] for p in provinces for d in p["documents"]["nodes"]]
    deadlines = [t["deadline"] for p in provinces for t in p["tasks"]["nodes"]]
    assert any(dates) and any(deadlines), "no date was compared"
    assert compared > 100
