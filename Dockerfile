# syntax=docker/dockerfile:1
# Rapport in a container: a build stage with the Rust toolchain, then a slim
# runtime with only the binary, run as an unprivileged user, data in /data.
#   docker build -t rapport .
#   docker run -p 8080:8080 -v rapport-data:/data rapport
# See docs/operations.md ("Container") and docker-compose.yml for PostgreSQL.

FROM rust:1.94-slim-bookworm AS build
WORKDIR /src
# A C compiler builds the embedded SQLite and mimalloc from their sources.
RUN apt-get update \
    && apt-get install -y --no-install-recommends gcc libc6-dev \
    && rm -rf /var/lib/apt/lists/*
COPY . .
# The dist profile: thin LTO and stripped symbols (see Cargo.toml).
RUN cargo build --locked --profile dist --bin rapport \
    && cp target/dist/rapport /usr/local/bin/rapport

FROM debian:bookworm-slim AS runtime
# CA certificates for smtps:// and PostgreSQL over TLS; nothing else.
RUN apt-get update \
    && apt-get install -y --no-install-recommends ca-certificates \
    && rm -rf /var/lib/apt/lists/* \
    && groupadd --system --gid 10001 rapport \
    && useradd --system --uid 10001 --gid rapport --home-dir /data --shell /usr/sbin/nologin rapport \
    && mkdir -p /data \
    && chown rapport:rapport /data
COPY --from=build /usr/local/bin/rapport /usr/local/bin/rapport
COPY LICENSE /usr/share/doc/rapport/LICENSE
USER 10001:10001
WORKDIR /data
VOLUME ["/data"]
ENV RAPPORT_DATA_DIR=/data \
    RAPPORT_LISTEN=0.0.0.0:8080 \
    RAPPORT_LOG_FORMAT=json
EXPOSE 8080
HEALTHCHECK --interval=30s --timeout=5s --start-period=20s --retries=3 \
    CMD ["rapport", "healthcheck", "--url", "http://127.0.0.1:8080/readyz"]
ENTRYPOINT ["rapport", "serve"]
