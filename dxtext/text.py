"""Text helpers shared by every loader and by search: NFC and the one diacritic folder."""

from __future__ import annotations

import re
import unicodedata

_SPACE = re.compile(r"\s+")


def nfc(text: str) -> str:
    """Return ``text`` in Unicode NFC, the form every stored string uses."""
    return unicodedata.normalize("NFC", text)


def fold(text: str) -> str:
    """Fold Vietnamese for matching: lower case, đ/Đ → d, every diacritic removed.

    Accepts NFC or NFD input. Only for matching and indexing: stored text keeps its
    diacritics. ``fold("Đảng bộ") == "dang bo"``.
    """
    decomposed = unicodedata.normalize("NFD", text.replace("đ", "d").replace("Đ", "D"))
    stripped = "".join(ch for ch in decomposed if not unicodedata.combining(ch))
    return unicodedata.normalize("NFC", stripped).casefold()


_TOKEN = re.compile(r"[^\W_]+")


def tokens(text: str) -> list[str]:
    """The folded words of ``text``: what the search index holds and queries are split into.

    ``tokens("Kế hoạch 293/KH-UBND") == ["ke", "hoach", "293", "kh", "ubnd"]``
    """
    return _TOKEN.findall(fold(text))


def spelled_tokens(text: str) -> list[tuple[str, str]]:
    """Each word of ``text`` as (folded, as spelled in lower case): ``tokens`` with the
    original spelling beside each folded word, for exact-spelling preference in search.

    ``spelled_tokens("Chăm sóc SOC") == [("cham", "chăm"), ("soc", "sóc"), ("soc", "soc")]``
    """
    return [(fold(word), word) for word in _TOKEN.findall(nfc(text).lower())]


def squash_spaces(text: str) -> str:
    """Collapse every run of white space to one space and trim the ends."""
    return _SPACE.sub(" ", text).strip()


def slugify(text: str) -> str:
    """An ASCII slug of ``text`` for identifiers: ``"Sở Thông tin" -> "so-thong-tin"``."""
    return re.sub(r"[^a-z0-9]+", "-", fold(text)).strip("-")
