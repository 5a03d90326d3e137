"""Re-export of ``dxtext.docnumber`` for the loaders not moved yet (see ``loaders.text``).
New code imports ``dxtext.docnumber``; this module goes once they do."""

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
