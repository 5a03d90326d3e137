"""Loaders: turn the source texts into plain records, then ingest them.

Everything here except ``ingest`` is pure: text in, dataclasses out. Nothing in this
package imports ``schema`` or ``api``.
"""
