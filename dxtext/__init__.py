"""Text helpers that both the loaders and the schema need, so neither imports the other.

``dxtext.text``: NFC, the one diacritic folder, search tokens, slugs. ``dxtext.docnumber``:
the one document-number pattern (số hiệu văn bản) and its lookup key.
"""
