# claude-proxy container: a jlink runtime image plus the native Claude Code CLI.
#
#   docker build -t claude-proxy .
#   docker run --rm -p 127.0.0.1:8000:8000 --user "$(id -u):$(id -g)" \
#     -v ~/.claude:/home/proxy/.claude -v ~/.claude.json:/home/proxy/.claude.json claude-proxy
#
# See README.md ("Container") for what the mounts are for.

# --- build: the same ./run.sh commands as on a developer machine -------------
FROM eclipse-temurin:25-jdk AS build
RUN apt-get update \
 && apt-get install -y --no-install-recommends maven \
 && rm -rf /var/lib/apt/lists/*
WORKDIR /src
COPY pom.xml run.sh ./
COPY src/ src/
# jlink image in target/image (JAVA_HOME is the Temurin 25 JDK of this base image)
RUN ./run.sh image

# --- cli: the pinned native CLI from npm (the package wants Node >= 22) -------
FROM node:22-bookworm-slim AS cli
WORKDIR /src
COPY run.sh ./
# the pinned CLI in .claude-cli/; copy the native binary itself, not the symlink
RUN ./run.sh install-cli \
 && mkdir -p /out \
 && cp -L .claude-cli/node_modules/.bin/claude /out/claude

# --- runtime: no JDK, no Maven, no Node.js --------------------------------------
FROM debian:bookworm-slim
RUN apt-get update \
 && apt-get install -y --no-install-recommends ca-certificates \
 && rm -rf /var/lib/apt/lists/*
COPY --from=build /src/target/image /opt/claude-proxy
COPY --from=cli /out/claude /usr/local/bin/claude
# A non-root user. Home is sticky and world-writable so the container also
# works with `--user "$(id -u):$(id -g)"`, which lets the CLI read mounted
# credentials that the host keeps mode 0600.
RUN useradd --uid 10001 --user-group --create-home --home-dir /home/proxy \
      --shell /usr/sbin/nologin proxy \
 && chmod 1777 /home/proxy
USER proxy
ENV HOME=/home/proxy
EXPOSE 8000
# 0.0.0.0 is the container's own interface: without it the published port could
# not reach the proxy. Publish it on the host's loopback only
# (-p 127.0.0.1:8000:8000), as README.md says: that is why the image may run without
# an API key. Set CLAUDE_PROXY_API_KEY (-e) to require one, as anywhere else.
ENTRYPOINT ["/opt/claude-proxy/bin/claude-proxy", "--host", "0.0.0.0", "--allow-unauthenticated", \
            "--claude", "/usr/local/bin/claude"]
