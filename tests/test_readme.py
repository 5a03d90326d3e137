"""The README's example queries return exactly what the README shows, on both databases."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from devkit.client import app_client, gql

README = Path(__file__).resolve().parent.parent / "README.md"
EXAMPLE = re.compile(
    r"<!-- example: (?P<name>[\w-]+) -->\n```graphql\n(?P<query>.*?)\n```\n\n"
    r"```json\n(?P<result>.*?)\n```",
    re.S,
)
EXAMPLES = {m["name"]: (m["query"], m["result"]) for m in EXAMPLE.finditer(README.read_text())}


def test_the_readme_has_an_example_for_each_kind_of_user() -> None:
    assert {
        "citizen-qa",
        "citizen-search",
        "newsroom-targets",
        "newsroom-figures",
        "internal-tasks",
    } <= set(EXAMPLES)


@pytest.mark.parametrize("name", sorted(EXAMPLES))
async def test_readme_example(loaded_url: str, name: str) -> None:
    query, shown = EXAMPLES[name]
    async with app_client(loaded_url) as client:
        data = await gql(client, query)
    assert {"data": data} == json.loads(shown)
