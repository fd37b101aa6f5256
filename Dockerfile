# The bot's container image: built from source with the locked
# dependencies, run as a non-root user on a small Debian base.
#
#   docker build -t paas-incident-bot .
#   docker run --rm -e SLACK_APP_TOKEN -e SLACK_BOT_TOKEN \
#     -v bot-data:/data -p 8080:8080 paas-incident-bot
#
# The toolchain the project is tested with; `rust-version` in Cargo.toml
# is the oldest it builds with.
ARG RUST_VERSION=1.95

FROM rust:${RUST_VERSION}-slim-bookworm AS build
WORKDIR /src
COPY . .
# The caches keep downloaded crates and compiled dependencies between
# builds (BuildKit); the binary is copied out of the cached target dir.
RUN --mount=type=cache,target=/usr/local/cargo/registry \
    --mount=type=cache,target=/src/target \
    cargo build --release --locked --bin paas-incident-bot \
 && cp target/release/paas-incident-bot /usr/local/bin/paas-incident-bot

FROM debian:bookworm-slim
# ca-certificates: the bot verifies Slack's and Statuspage's TLS against
# the system's roots.
RUN apt-get update \
 && apt-get install -y --no-install-recommends ca-certificates \
 && rm -rf /var/lib/apt/lists/* \
 && groupadd --system --gid 10001 bot \
 && useradd --system --uid 10001 --gid bot --home-dir /data --no-create-home bot \
 && mkdir -p /data \
 && chown bot:bot /data
COPY --from=build /usr/local/bin/paas-incident-bot /usr/local/bin/paas-incident-bot
# The shipped policies, for BOT_CONFIG=/etc/paas-incident-bot/<name>.toml.
COPY config/ /etc/paas-incident-bot/
# Numeric, so Kubernetes can check runAsNonRoot without reading /etc/passwd.
USER 10001:10001
WORKDIR /data
# SQLite mode: the database lives on the /data volume. PORT serves
# /healthz, /readyz and /metrics.
ENV DATABASE_URL=sqlite:///data/paas-incident-bot.db \
    PORT=8080 \
    LOG_FORMAT=json
VOLUME ["/data"]
EXPOSE 8080
# No HEALTHCHECK: the image has no HTTP client, and the platforms that run
# it (Kubernetes, Cloud Foundry) probe /healthz and /readyz themselves.
ENTRYPOINT ["paas-incident-bot"]
CMD ["serve"]
