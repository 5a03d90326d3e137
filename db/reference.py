"""Reference data that exists before any source is loaded: provinces and pillars."""

from __future__ import annotations

from typing import NamedTuple


class ProvinceRef(NamedTuple):
    slug: str
    code: str
    name: str


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
