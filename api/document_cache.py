"""Each distinct query text is parsed and validated once: a Strawberry schema extension.

Partner apps send the same few queries over and over; parsing and validating them again
each time was a quarter to a third of the server's time per request (bench/README.md).
``DocumentCache`` keeps, per schema, the parsed document of every query text that
validated without errors, so a repeated query skips the lexer (and the token count of
``api.limits``), the parser and every validation rule. What still runs per request is what
depends on the request: the operation name, the variables, and the cost check that needs
them.

Only valid documents are kept (a client that keeps sending a bad query pays for it each
time) and the cache is bounded by the total length of the texts it holds, so many distinct
or long queries evict each other rather than grow memory. The validation rules are fixed
per schema (the query limits, introspection on or off), so the query text is the whole key.

Strawberry has ``ParserCache`` and ``ValidationCache``; they are not used because they are
bounded by count only, keep invalid documents too, and key validation on hashing the whole
document tree each request.

It works through the public fields of Strawberry's ``ExecutionContext`` that those two
extensions set themselves: ``graphql_document`` (set before parsing, so the query text is
not parsed) and ``pre_execution_errors`` (set before validating, so the rules do not run
again). No private name is read (tests/api/test_public_api.py), and
tests/api/test_document_cache.py proves the skip on the installed Strawberry.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator

from cachetools import LRUCache
from graphql import DocumentNode
from strawberry.extensions import SchemaExtension

#: total characters of query text kept, per schema
DEFAULT_MAX_CHARS = 1 << 20
#: a longer query text is never kept
MAX_QUERY_CHARS = 64 << 10


class DocumentStore:
    """The parsed, validated documents of one schema, by query text.

    Used from the event loop's thread only, like the rest of the app's state: no lock.
    """

    def __init__(self, max_chars: int = DEFAULT_MAX_CHARS) -> None:
        # values are (document, length of its query text): the cache weighs the texts
        self._documents: LRUCache[str, tuple[DocumentNode, int]] = LRUCache(
            maxsize=max_chars, getsizeof=lambda entry: entry[1]
        )

    def get(self, query: str) -> DocumentNode | None:
        entry = self._documents.get(query)
        return entry[0] if entry is not None else None

    def put(self, query: str, document: DocumentNode) -> None:
        if len(query) <= min(MAX_QUERY_CHARS, self._documents.maxsize):
            self._documents[query] = (document, len(query))

    def __len__(self) -> int:
        return len(self._documents)


class DocumentCache(SchemaExtension):
    """Reuses the document of a query text that parsed and validated before.

    List it first in ``strawberry.Schema(extensions=[...])``, through ``document_cache``:
    later extensions see ``execution_context.graphql_document`` already set on a hit.
    """

    def __init__(self, store: DocumentStore) -> None:
        self.store = store
        self.hit = False

    def on_parse(self) -> Iterator[None]:
        context = self.execution_context
        if context.query is not None and context.graphql_document is None:
            document = self.store.get(context.query)
            if document is not None:
                context.graphql_document = document
                self.hit = True
        yield

    def on_validate(self) -> Iterator[None]:
        context = self.execution_context
        if self.hit and context.pre_execution_errors is None:
            context.pre_execution_errors = []  # validated when it was stored
        yield
        if (
            not self.hit
            and not context.pre_execution_errors
            and context.query is not None
            and context.graphql_document is not None
        ):
            self.store.put(context.query, context.graphql_document)


def document_cache(store: DocumentStore | None = None) -> Callable[[], DocumentCache]:
    """The factory to list in ``strawberry.Schema(extensions=[...])``: one store per schema."""
    shared = store if store is not None else DocumentStore()
    return lambda: DocumentCache(shared)
