"""Tests for loaders.agencies: the Chủ trì cells of the Lào Cai table, split right."""

from __future__ import annotations

import unicodedata

import pytest

from loaders.agencies import PROTECTED_PHRASES, split_agencies


@pytest.mark.parametrize(
    ("cell", "expected"),
    [
        ("Sở Thông tin và Truyền thông", ["Sở Thông tin và Truyền thông"]),
        ("Sở Y tế, Sở Giáo dục và Đào tạo", ["Sở Y tế", "Sở Giáo dục và Đào tạo"]),
        ("Sở Giao thông vận tải - Xây dựng", ["Sở Giao thông vận tải - Xây dựng"]),
        ("Các cơ quan, đơn vị, địa phương", ["Các cơ quan, đơn vị, địa phương"]),
        (
            "Sở Thông tin và Truyền thông, Văn phòng UBND tỉnh",
            ["Sở Thông tin và Truyền thông", "Văn phòng UBND tỉnh"],
        ),
        ("UBND TP Lào Cai, UBND thị xã Sa Pa", ["UBND TP Lào Cai", "UBND thị xã Sa Pa"]),
        (
            "Công an tỉnh, Sở Thông tin và Truyền thông",
            ["Công an tỉnh", "Sở Thông tin và Truyền thông"],
        ),
        ("Ban Quản lý Khu kinh tế", ["Ban Quản lý Khu kinh tế"]),
    ],
)
def test_split_real_cells(cell: str, expected: list[str]) -> None:
    assert split_agencies(cell) == expected


def test_semicolons_spacing_duplicates_and_nfc() -> None:
    decomposed = unicodedata.normalize("NFD", "Sở Y tế")
    assert split_agencies(f" {decomposed} ;  Cục Thuế,Sở Y tế ,") == ["Sở Y tế", "Cục Thuế"]
    assert split_agencies("Sở Y tế")[0] == unicodedata.normalize("NFC", "Sở Y tế")


def test_protected_phrase_inside_a_longer_cell_and_parentheses() -> None:
    assert split_agencies("Sở Nội vụ, các cơ quan , đơn vị, địa phương") == [
        "Sở Nội vụ",
        "các cơ quan , đơn vị, địa phương",  # kept as written
    ]
    assert split_agencies("Sở Tài chính (chủ trì, phối hợp), Cục Thuế") == [
        "Sở Tài chính (chủ trì, phối hợp)",
        "Cục Thuế",
    ]


def test_every_protected_phrase_stays_whole() -> None:
    for phrase in PROTECTED_PHRASES:
        assert split_agencies(phrase) == [phrase]
