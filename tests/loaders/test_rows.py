"""Row building: every row fits its table, and IDs come from content, not from row order."""

from __future__ import annotations

from db import models
from loaders.ingest import parse_all
from loaders.manifest import read_manifest
from loaders.rows import build_rows
from loaders.write import CONTENT_TABLES
from tests.conftest import BUNDLED_MANIFEST


def test_every_rows_keys_are_columns_of_its_model() -> None:
    rows, _ = build_rows(parse_all(read_manifest(BUNDLED_MANIFEST)))
    tables = {model.__tablename__: model for model in CONTENT_TABLES}
    assert set(rows) <= set(tables), "rows for a table the write step does not know"
    for name, table_rows in rows.items():
        columns = {c.key for c in tables[name].__table__.columns}
        assert table_rows, f"no {name} rows from the bundled sources"
        for row in table_rows:
            assert set(row) <= columns, f"{name}: {sorted(set(row) - columns)} are no columns"
            required = {
                c.key
                for c in tables[name].__table__.columns
                if not c.nullable and c.default is None and c.server_default is None
            }
            assert required <= set(row), f"{name}: {sorted(required - set(row))} missing"


def test_content_tables_are_every_content_model() -> None:
    operational = {
        models.Province,
        models.CurrentProvince,
        models.Pillar,
        models.ContentVersion,
        models.ApiKey,
    }
    every = {m.class_ for m in models.Base.registry.mappers}
    assert every - operational == set(CONTENT_TABLES)
