"""GraphQL errors a client can act on, each with its ``extensions.code`` (CLI.md)."""

from __future__ import annotations

from graphql import GraphQLError


class ClientError(GraphQLError):
    """An error caused by the request; ``code`` goes to ``extensions.code``."""

    code = "BAD_USER_INPUT"

    def __init__(self, message: str, **extensions: object) -> None:
        super().__init__(message, extensions={"code": self.code, **extensions})


class BadUserInput(ClientError):
    code = "BAD_USER_INPUT"


class PageSizeLimit(ClientError):
    code = "PAGE_SIZE_LIMIT"
