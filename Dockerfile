# dxgraph API image: slim Python, a non-root user, migrate then serve.
FROM python:3.11-slim

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1

RUN useradd --create-home --uid 10001 dxgraph
WORKDIR /app

COPY pyproject.toml README.md ./
COPY api ./api
COPY schema ./schema
COPY loaders ./loaders
COPY dxtext ./dxtext
COPY db ./db
COPY alembic ./alembic
COPY data ./data
RUN pip install -e . && chown -R dxgraph:dxgraph /app

USER dxgraph
EXPOSE 8000
# serve migrates first, and loads the bundled sources when the database holds no content
CMD ["dxgraph", "serve", "--host", "0.0.0.0", "--port", "8000"]
