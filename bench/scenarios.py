"""The five load scenarios: what each kind of client asks, and how each peer is asked it.

dxgraph's queries are README.md's examples (``<!-- example: … -->``) where one fits, and
otherwise written against schema/contract.graphql. PostGraphile's are the closest
equivalent over the same tables (its generated names: ``provinceByRowId``,
``questionsByProvinceId``…; search through the function in bench/peers/postgraphile.sql).
The floor and raw-SQL peers are asked exactly what dxgraph is asked.
"""

from __future__ import annotations

import hashlib
import itertools
import json
import urllib.parse
from dataclasses import dataclass, field
from typing import Any

#: README example "citizen-qa": a citizen app's Q&A page for one province.
CITIZEN_QA = """\
query KhanhHoaQA($after: String) {
  province(slug: "khanh-hoa") {
    name
    questions(first: 3, after: $after) {
      totalCount
      pageInfo { hasNextPage endCursor }
      nodes { number text }
    }
  }
}
"""

#: README example "internal-tasks": Lào Cai tasks due in a window, with lead agencies.
INTERNAL_TASKS = """\
{
  tasks(filter: {province: "lao-cai", agency: "van phong ubnd",
                 dueOnOrAfter: "2022-07-01", dueOnOrBefore: "2022-09-30"}) {
    totalCount
    nodes { deadline deadlineText group ordinal leadAgencies { name } title }
  }
}
"""

#: README example "citizen-search": unaccented, ranked search with snippets.
CITIZEN_SEARCH = """\
{
  search(query: "cong dan so la gi", types: [QUESTION], first: 2) {
    totalCount
    nodes {
      snippet
      item { ... on Question { id number text source { slug } } }
    }
  }
}
"""

#: Province → documents → targets → quantities: three nested connections in one request.
NESTED = """\
query Nested($slug: String!, $documents: Int!, $targets: Int!) {
  province(slug: $slug) {
    name
    documents(first: $documents) {
      totalCount
      nodes {
        number kindLabel issuedOn
        targets(first: $targets) {
          totalCount
          nodes { text year quantities { value unit comparator qualifier } }
        }
      }
    }
  }
}
"""
NESTED_VARIABLES: dict[str, Any] = {"slug": "ha-giang", "documents": 10, "targets": 10}

PGL_CITIZEN_QA = """\
query KhanhHoaQA($after: Cursor) {
  provinceByRowId(rowId: "khanh-hoa") {
    name
    questionsByProvinceId(first: 3, after: $after, orderBy: [POSITION_ASC, PRIMARY_KEY_ASC]) {
      totalCount
      pageInfo { hasNextPage endCursor }
      nodes { number text }
    }
  }
}
"""

PGL_INTERNAL_TASKS = """\
{
  allTasks(
    first: 20
    filter: {
      provinceId: {equalTo: "lao-cai"}
      deadline: {greaterThanOrEqualTo: "2022-07-01", lessThanOrEqualTo: "2022-09-30"}
      taskAgenciesByTaskId: {some: {agencyByAgencyId: {and: [
        {nameFolded: {includes: "van"}}
        {nameFolded: {includes: "phong"}}
        {nameFolded: {includes: "ubnd"}}
      ]}}}
    }
    orderBy: [DEADLINE_ASC, POSITION_ASC, PRIMARY_KEY_ASC]
  ) {
    totalCount
    nodes {
      deadline deadlineText group ordinal
      taskAgenciesByTaskId(orderBy: POSITION_ASC) { nodes { agencyByAgencyId { name } } }
      title
    }
  }
}
"""

PGL_CITIZEN_SEARCH = """\
{
  benchSearchQuestions(query: "cong dan so la gi", first: 2) {
    totalCount
    nodes {
      benchSnippet(query: "cong dan so la gi")
      rowId number text sourceBySourceId { rowId }
    }
  }
}
"""

PGL_NESTED = """\
query Nested($slug: String!, $documents: Int!, $targets: Int!) {
  provinceByRowId(rowId: $slug) {
    name
    documentsByProvinceId(first: $documents,
                          orderBy: [ISSUED_ON_ASC, NUMBER_KEY_ASC, PRIMARY_KEY_ASC]) {
      totalCount
      nodes {
        number kindLabel issuedOn
        targetsByDocumentId(first: $targets, orderBy: [POSITION_ASC, PRIMARY_KEY_ASC]) {
          totalCount
          nodes {
            text year
            quantitiesByTargetId(orderBy: POSITION_ASC) {
              nodes { value unit comparator qualifier }
            }
          }
        }
      }
    }
  }
}
"""


@dataclass(frozen=True)
class Scenario:
    """One kind of request, as dxgraph (and the floor and raw peers) and PostGraphile get it.

    ``persisted_get``: sent as a GET — an Apollo APQ GET when the server supports APQ,
    else a plain ``GET /graphql?query=…``.
    """

    name: str
    title: str
    query: str
    pgl_query: str
    variables: dict[str, Any] = field(default_factory=dict)
    pgl_variables: dict[str, Any] = field(default_factory=dict)
    persisted_get: bool = False

    @property
    def sha256(self) -> str:
        return sha256_hex(self.query)


SCENARIOS: tuple[Scenario, ...] = (
    Scenario("citizen_qa", "Q&A page of one province (first: 3)", CITIZEN_QA, PGL_CITIZEN_QA),
    Scenario(
        "internal_tasks",
        "Lào Cai tasks due in a window, by agency, with lead agencies",
        INTERNAL_TASKS,
        PGL_INTERNAL_TASKS,
    ),
    Scenario(
        "search", "unaccented ranked search with snippets", CITIZEN_SEARCH, PGL_CITIZEN_SEARCH
    ),
    Scenario(
        "nested",
        "province → documents → targets → quantities (10 × 10)",
        NESTED,
        PGL_NESTED,
        NESTED_VARIABLES,
        NESTED_VARIABLES,
    ),
    Scenario(
        "persisted_get",
        "the Q&A page again as a persisted GET (cache path)",
        CITIZEN_QA,
        PGL_CITIZEN_QA,
        persisted_get=True,
    ),
)
BY_NAME = {s.name: s for s in SCENARIOS}


def sha256_hex(text: str) -> str:
    return hashlib.sha256(text.encode()).hexdigest()


def compact(value: Any) -> str:
    return json.dumps(value, separators=(",", ":"), ensure_ascii=False)


#: The variable that makes every uncached request distinct: dxgraph caches whole responses
#: by query and variables, so without it scenarios 1–4 would measure the cache. Servers
#: ignore a variable the operation does not declare.
NONCE_VARIABLE = "benchNonce"
_nonces = itertools.count(1)

#: dxgraph's anonymous rate limit while it is measured: none to speak of
UNLIMITED_RATE = "1000000/second"


def with_nonce(variables: dict[str, Any]) -> dict[str, Any]:
    """``variables`` plus a nonce never sent before by this process."""
    return {**variables, NONCE_VARIABLE: next(_nonces)}


_NONCE_TOKEN = '"__NONCE__"'


@dataclass(frozen=True)
class HttpRequest:
    """One request as wrk sends it; a ``varying`` body holds a nonce wrk counts up."""

    method: str
    path: str
    body: bytes = b""
    headers: tuple[tuple[str, str], ...] = (
        ("Content-Type", "application/json"),
        ("Accept", "application/json"),
    )
    varying: bool = False

    def body_with(self, nonce: int) -> bytes:
        return self.body.replace(_NONCE_TOKEN.encode(), str(nonce).encode())

    def body_parts(self) -> tuple[str, str]:
        """The body before and after the nonce."""
        before, _, after = self.body.decode().partition(_NONCE_TOKEN)
        return before, after


def post(query: str, variables: dict[str, Any], *, uncached: bool = False) -> HttpRequest:
    payload: dict[str, Any] = {"query": query}
    if uncached:
        variables = {**variables, NONCE_VARIABLE: "__NONCE__"}
    if variables:
        payload["variables"] = variables
    body = compact(payload).replace(json.dumps("__NONCE__"), _NONCE_TOKEN)
    return HttpRequest("POST", "/graphql", body.encode(), varying=uncached)


def get_with_query(query: str, variables: dict[str, Any]) -> HttpRequest:
    params = {"query": query}
    if variables:
        params["variables"] = compact(variables)
    return HttpRequest("GET", "/graphql?" + urllib.parse.urlencode(params))


def apq_extensions(query: str) -> dict[str, Any]:
    return {"persistedQuery": {"version": 1, "sha256Hash": sha256_hex(query)}}


def apq_get(query: str, variables: dict[str, Any]) -> HttpRequest:
    """Apollo's APQ GET: only the hash travels (the query was registered by a POST)."""
    params = {"extensions": compact(apq_extensions(query))}
    if variables:
        params["variables"] = compact(variables)
    return HttpRequest("GET", "/graphql?" + urllib.parse.urlencode(params))


def apq_register(query: str, variables: dict[str, Any]) -> HttpRequest:
    payload: dict[str, Any] = {"query": query, "extensions": apq_extensions(query)}
    if variables:
        payload["variables"] = variables
    return HttpRequest("POST", "/graphql", compact(payload).encode())


def dxgraph_request(scenario: Scenario, *, apq: bool) -> HttpRequest:
    """What dxgraph, the floor and the raw peer are sent for ``scenario``."""
    if not scenario.persisted_get:
        return post(scenario.query, scenario.variables, uncached=True)
    if apq:
        return apq_get(scenario.query, scenario.variables)
    return get_with_query(scenario.query, scenario.variables)


def postgraphile_request(scenario: Scenario) -> HttpRequest:
    """PostGraphile has no APQ and no response cache: its GET is ``?query=…``."""
    if scenario.persisted_get:
        return get_with_query(scenario.pgl_query, scenario.pgl_variables)
    return post(scenario.pgl_query, scenario.pgl_variables, uncached=True)


def scenario_of_request(
    method: str, query_string: str, body: bytes
) -> tuple[Scenario, dict[str, Any]]:
    """Which scenario a request is, and its variables (for the raw-SQL peer).

    A POST is matched by its ``query`` text; a GET by ``query`` or by its APQ hash.
    """
    variables: dict[str, Any]
    if method == "POST":
        payload = json.loads(body)
        text, variables = payload.get("query") or "", payload.get("variables") or {}
        digest = sha256_hex(text)
    else:
        params = urllib.parse.parse_qs(query_string)
        variables = json.loads(params["variables"][0]) if "variables" in params else {}
        if "query" in params:
            digest = sha256_hex(params["query"][0])
        else:
            extensions = json.loads(params["extensions"][0])
            digest = extensions["persistedQuery"]["sha256Hash"]
    variables.pop(NONCE_VARIABLE, None)
    for scenario in SCENARIOS:
        if scenario.sha256 == digest and scenario.persisted_get == (method == "GET"):
            return scenario, {**scenario.variables, **variables}
    raise KeyError(digest)
