"""Database layer: SQLAlchemy models, the async engine and session, migrations."""
