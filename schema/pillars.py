"""The three pillars (trụ cột): Chính quyền số, Kinh tế số, Xã hội số; the pillar loader."""

from __future__ import annotations

from enum import Enum

import strawberry

from db import models
from db.reference import PILLARS
from schema.context import Info
from schema.dataloaders import children, loader, rows_by_parent


@strawberry.enum
class PillarCode(Enum):
    DIGITAL_GOVERNMENT = strawberry.enum_value(
        "DIGITAL_GOVERNMENT", description="Chính quyền số (national level: Chính phủ số)"
    )
    DIGITAL_ECONOMY = strawberry.enum_value("DIGITAL_ECONOMY", description="Kinh tế số")
    DIGITAL_SOCIETY = strawberry.enum_value("DIGITAL_SOCIETY", description="Xã hội số")


@strawberry.type
class Pillar:
    code: PillarCode
    name: str = strawberry.field(
        description="Vietnamese name: Chính quyền số, Kinh tế số, Xã hội số"
    )

    @classmethod
    def of(cls, code: str) -> Pillar:
        return cls(code=PillarCode(code), name=PILLARS[code])


_PILLAR_ORDER = {code: i for i, code in enumerate(PILLARS)}

_pillars_batch = rows_by_parent(children(models.RecordPillar, models.RecordPillar.record_id))


async def load_pillars(info: Info, record_id: str) -> list[Pillar]:
    """The pillars of a question, target or task, in the canonical order."""
    rows = await loader(info, "pillars", _pillars_batch).load(record_id)
    codes = sorted((row.pillar_code for row in rows), key=_PILLAR_ORDER.__getitem__)
    return [Pillar.of(code) for code in codes]
