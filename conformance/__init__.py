"""Conformance checks run against a live dxgraph server (issue 7).

``audit.mjs`` runs the graphql-http server audits (the GraphQL-over-HTTP spec),
``graphiql.mjs`` drives GraphiQL in headless Chromium; both are node scripts whose npm
packages are pinned in ``package-lock.json``. The Python side installs what they need
(``tools``), starts ``dxgraph serve`` on a throwaway SQLite file (``server``) and shows how
GraphiQL can be served with no CDN (``offline_graphiql``). The tests that judge the
results live in ``tests/conformance/``.
"""
