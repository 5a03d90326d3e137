"""The text helpers, as the loaders have always imported them; they live in ``dxtext.text``."""

from dxtext.text import fold, nfc, slugify, squash_spaces, tokens

__all__ = ["fold", "nfc", "slugify", "squash_spaces", "tokens"]
