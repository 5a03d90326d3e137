"""Read step: one source file as strict UTF-8 text in NFC.

The only loader module that touches the file system. A file that is missing, is not a
regular file, is empty or holds only white space, is not valid UTF-8, or holds binary
control bytes (NUL and other C0 controls besides tab, line feed, vertical tab, form feed
and carriage return) is a ``ParseError`` naming the file and, where one byte is to
blame, its 1-based line.

A leading byte-order mark is dropped and ``\\r\\n`` becomes ``\\n``; nothing else changes,
so line ``n`` of the result (``text.split("\\n")[n - 1]``) is line ``n`` of the file.
Split on ``"\\n"`` only: ``str.splitlines`` also breaks at form feeds and would shift
the line numbers that every ``Span`` uses.
"""

from __future__ import annotations

import re
from pathlib import Path

from dxtext.text import nfc
from loaders.records import ParseError

_BOM = b"\xef\xbb\xbf"
#: Bytes that never occur in a text file: NUL and the C0 controls that are not spacing.
_BINARY = re.compile(rb"[\x00-\x08\x0e-\x1f\x7f]")


def _line_of(data: bytes, offset: int) -> int:
    """1-based line number of byte ``offset`` in ``data``."""
    return data.count(b"\n", 0, offset) + 1


def read_source(path: Path) -> str:
    """The text of ``path``: strict UTF-8, BOM dropped, CRLF → LF, NFC."""
    name = str(path)
    try:
        data = path.read_bytes()
    except FileNotFoundError:
        raise ParseError(name, None, "source file not found") from None
    except IsADirectoryError:
        raise ParseError(name, None, "source path is a directory, not a file") from None
    except OSError as exc:
        raise ParseError(name, None, f"cannot read source file: {exc.strerror or exc}") from None
    if data.startswith(_BOM):
        data = data[len(_BOM) :]
    binary = _BINARY.search(data)
    if binary is not None:
        byte = binary.group(0)[0]
        raise ParseError(
            name,
            _line_of(data, binary.start()),
            f"binary byte 0x{byte:02x} at offset {binary.start()}: not a text file",
        )
    try:
        text = data.decode("utf-8", errors="strict")
    except UnicodeDecodeError as exc:
        raise ParseError(
            name,
            _line_of(data, exc.start),
            f"not valid UTF-8: byte 0x{data[exc.start]:02x} at offset {exc.start}",
        ) from None
    if not text.strip():
        raise ParseError(name, None, "source file is empty")
    return nfc(text.replace("\r\n", "\n"))
