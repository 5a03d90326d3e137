"""The ``province`` field of every record that may belong to a province.

Province is the one lazy hub: this mixin resolves it through the by-ID row loader and
names the type lazily, so a domain module gains the field without importing
``schema.provinces`` (which imports the task domain for its arguments).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Annotated

import strawberry

from schema.context import Info
from schema.dataloaders import load_province_row

if TYPE_CHECKING:
    from schema.provinces import Province


@strawberry.type
class InProvince:
    """A record that may belong to a province: its ``province`` field, through the loader."""

    province_id: strawberry.Private[str | None]

    @strawberry.field
    async def province(
        self, info: Info
    ) -> Annotated[Province, strawberry.lazy("schema.provinces")] | None:
        from schema.provinces import Province

        row = await load_province_row(info, self.province_id)
        return Province.from_row(row) if row else None
