"""Reference data that exists before any source is loaded: provinces and pillars.

The 63 provinces as they were before 1 July 2025, the 34 in force since (Nghị quyết
202/2025/QH15) and which old province went into which new one are not typed here: they
come from the `vietnamadminunits` package's own data (its documented
``vietnamadminunits.database.get_data`` tables and ``convert_address``), installed with
dxgraph and read offline. Names are the package's short names ("Hà Giang", not "Tỉnh Hà
Giang"), in NFC; slugs are those names slugified ("ha-giang", "ho-chi-minh").
"""

from __future__ import annotations

import unicodedata
from functools import cache
from typing import NamedTuple

from dxtext.text import slugify


class ProvinceRef(NamedTuple):
    slug: str
    code: str
    name: str


class PreMergerProvinceRef(NamedTuple):
    """A province before 1 July 2025, with the slug of the province it went into."""

    slug: str
    code: str
    name: str
    merged_into: str


#: The provinces of the bundled sources, with their pre-2025 GSO codes.
PROVINCES: tuple[ProvinceRef, ...] = (
    ProvinceRef("ha-giang", "02", "Hà Giang"),
    ProvinceRef("lao-cai", "10", "Lào Cai"),
    ProvinceRef("ha-tinh", "42", "Hà Tĩnh"),
    ProvinceRef("khanh-hoa", "56", "Khánh Hòa"),
)


#: Pillar code → Vietnamese name, in the order the sources list them.
PILLARS: dict[str, str] = {
    "DIGITAL_GOVERNMENT": "Chính quyền số",
    "DIGITAL_ECONOMY": "Kinh tế số",
    "DIGITAL_SOCIETY": "Xã hội số",
}


def _units(table: str) -> list[ProvinceRef]:
    from vietnamadminunits.database import get_data

    rows = get_data(fields=["provinceCode", "provinceShort"], table=table)
    refs = {
        row["provinceCode"]: ProvinceRef(
            slugify(row["provinceShort"]),
            row["provinceCode"],
            unicodedata.normalize("NFC", row["provinceShort"]),
        )
        for row in rows
    }
    return sorted(refs.values(), key=lambda ref: ref.code)


@cache
def current_provinces() -> tuple[ProvinceRef, ...]:
    """The 34 provinces in force since 1 July 2025, by their new GSO code."""
    return tuple(_units("admin_units"))


@cache
def pre_merger_provinces() -> tuple[PreMergerProvinceRef, ...]:
    """The 63 provinces as they were before 1 July 2025, by their old GSO code, each with
    the slug of the province it has been part of since."""
    from vietnamadminunits import convert_address

    by_code = {ref.code: ref for ref in current_provinces()}
    found: list[PreMergerProvinceRef] = []
    for old in _units("admin_units_legacy"):
        # A province alone converts without a ward or street: no geocoding, no network.
        new = convert_address(old.name)
        found.append(PreMergerProvinceRef(*old, by_code[new.province_code].slug))
    return tuple(found)
