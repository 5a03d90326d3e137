"""The document-number helpers, as the loaders have always imported them; they live in
``dxtext.docnumber`` (the schema looks numbers up with the same key)."""

from dxtext.docnumber import (
    NATIONAL_ISSUERS,
    NUMBER,
    find_numbers,
    kind_of_number,
    level_of_number,
    normalize,
    number_key,
)

__all__ = [
    "NATIONAL_ISSUERS",
    "NUMBER",
    "find_numbers",
    "kind_of_number",
    "level_of_number",
    "normalize",
    "number_key",
]
