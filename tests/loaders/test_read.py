"""Read step: strict UTF-8, NFC, and errors that name the file and the line."""

from __future__ import annotations

import unicodedata
from pathlib import Path

import pytest

from loaders.read import read_source
from loaders.records import ParseError
from tests.loaders.sources import SOURCES


@pytest.mark.parametrize("path", sorted(SOURCES.glob("*.txt")), ids=lambda p: p.name)
def test_bundled_sources_read_as_nfc_with_their_lines(path: Path) -> None:
    text = read_source(path)
    raw = path.read_bytes().decode("utf-8")
    assert text == unicodedata.normalize("NFC", text)
    assert len(text.split("\n")) == len(raw.split("\n"))
    assert "\ufeff" not in text


def test_byte_order_mark_and_crlf_are_dropped_and_nfd_becomes_nfc(tmp_path: Path) -> None:
    nfd = unicodedata.normalize("NFD", "Câu hỏi 1: Chuyển đổi số là gì?\r\nTrả lời: …\r\n")
    path = tmp_path / "bom.txt"
    path.write_bytes(b"\xef\xbb\xbf" + nfd.encode("utf-8"))
    text = read_source(path)
    assert text == "Câu hỏi 1: Chuyển đổi số là gì?\nTrả lời: …\n"
    assert text.split("\n")[0] == unicodedata.normalize("NFC", nfd.split("\r\n")[0])


def test_missing_file_is_an_error_naming_it(tmp_path: Path) -> None:
    path = tmp_path / "absent.txt"
    with pytest.raises(ParseError) as caught:
        read_source(path)
    assert caught.value.file == str(path)
    assert caught.value.line is None
    assert "not found" in caught.value.message
    assert str(path) in str(caught.value)


def test_directory_is_an_error(tmp_path: Path) -> None:
    with pytest.raises(ParseError, match="directory"):
        read_source(tmp_path)


@pytest.mark.parametrize("content", [b"", b"   \n\n\t \n"], ids=["empty", "blank"])
def test_empty_or_blank_file_is_an_error(tmp_path: Path, content: bytes) -> None:
    path = tmp_path / "empty.txt"
    path.write_bytes(content)
    with pytest.raises(ParseError, match="empty") as caught:
        read_source(path)
    assert caught.value.file == str(path)


def test_invalid_utf8_names_the_line_of_the_bad_byte(tmp_path: Path) -> None:
    path = tmp_path / "latin1.txt"
    good = "Câu hỏi 1: Chuyển đổi số là gì?\n".encode()
    path.write_bytes(good + good + "Khánh Hòa\n".encode("latin-1"))
    with pytest.raises(ParseError, match="UTF-8") as caught:
        read_source(path)
    assert caught.value.line == 3
    assert str(caught.value).startswith(f"{path}:3: ")


def test_nul_bytes_are_binary_and_name_their_line(tmp_path: Path) -> None:
    path = tmp_path / "binary.txt"
    path.write_bytes("Phần I\n".encode() + b"abc\x00def\n")
    with pytest.raises(ParseError, match="binary") as caught:
        read_source(path)
    assert caught.value.line == 2
