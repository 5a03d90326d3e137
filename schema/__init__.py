"""GraphQL schema: Strawberry types, one module per domain, assembled in ``schema.root``."""
