"""Re-export of ``dxtext.text`` for the loaders not moved yet (rankings, documents, pillars,
targets, prose tasks, the booklet parser: another branch is changing them). New code
imports ``dxtext.text``; this module goes once they do."""

from dxtext.text import fold, nfc, slugify, squash_spaces, tokens

__all__ = ["fold", "nfc", "slugify", "squash_spaces", "tokens"]
