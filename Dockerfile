# Multi-stage build of the jira-gateway binary (release profile).
FROM rust:1.95-bookworm AS build
WORKDIR /src
COPY Cargo.toml Cargo.lock rust-toolchain.toml ./
COPY src ./src
COPY tests ./tests
COPY assets ./assets
COPY migrations ./migrations
RUN cargo build --release --locked --bin jira-gateway

FROM debian:bookworm-slim
RUN apt-get update \
    && apt-get install -y --no-install-recommends ca-certificates \
    && rm -rf /var/lib/apt/lists/* \
    && useradd --system --uid 10001 gateway \
    && mkdir /data && chown gateway /data
COPY --from=build /src/target/release/jira-gateway /usr/local/bin/jira-gateway
USER gateway
# The default SQLite database (DATABASE_URL=sqlite://jira-gateway.db) lives here.
WORKDIR /data
VOLUME /data
ENV BIND_ADDRESS=0.0.0.0 PORT=8080
EXPOSE 8080
HEALTHCHECK CMD ["/bin/bash", "-c", "exec 3<>/dev/tcp/127.0.0.1/8080"]
ENTRYPOINT ["jira-gateway"]
CMD ["serve"]
