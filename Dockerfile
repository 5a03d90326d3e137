# dxgraph API image: slim Python, a non-root user, migrate then serve.
FROM python:3.11-slim

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1

RUN useradd --create-home --uid 10001 dxgraph
WORKDIR /app

# every package from the hash-pinned locks (make lock writes them): the runtime's, then
# the build backend's, so the wheel of this checkout builds without resolving anything
COPY requirements ./requirements
RUN pip install --require-hashes --no-deps -r requirements/runtime.txt \
 && pip install --require-hashes --no-deps -r requirements/build.txt

COPY pyproject.toml README.md ./
COPY api ./api
COPY schema ./schema
COPY loaders ./loaders
COPY dxtext ./dxtext
COPY db ./db
COPY alembic ./alembic
COPY data ./data
# a real (non-editable) install: the wheel carries the migrations and the bundled sources
RUN pip install --no-deps --no-build-isolation . && rm -rf /app/build

USER dxgraph
WORKDIR /home/dxgraph
EXPOSE 8000
# serve migrates first, and loads the bundled sources when the database holds no content
CMD ["dxgraph", "serve", "--host", "0.0.0.0", "--port", "8000"]
