#!/usr/bin/env bash
# run.sh: build, test, package and start claude-proxy.
#
#   ./run.sh [PROXY OPTIONS]   build if needed, find the Claude CLI, start the proxy
#   ./run.sh test [MVN ARGS]   run every test (unit + integration): mvn verify
#   ./run.sh build             build target/proxy.jar (+ target/lib/)
#   ./run.sh image             build the jlink runtime image in target/image
#   ./run.sh install-cli       install the pinned Claude CLI into .claude-cli/
#   ./run.sh help              show this usage
set -euo pipefail

CLI_VERSION=2.1.331                        # the Claude Code CLI version we test against
LOCAL_CLI=.claude-cli/node_modules/.bin/claude

cd -- "$(dirname -- "${BASH_SOURCE[0]}")"  # everything below is relative to the repo

die() { echo "$*" >&2; exit 1; }

usage() {
  cat <<EOF
usage: ./run.sh [PROXY OPTIONS]   start the proxy (default http://127.0.0.1:8000)
       ./run.sh test [MVN ARGS]   run all tests (mvn verify)
       ./run.sh build             build target/proxy.jar
       ./run.sh image             build the self-contained image target/image
       ./run.sh install-cli       install Claude Code CLI $CLI_VERSION into .claude-cli/
       ./run.sh help              this text

Proxy options (see README.md): --host --port --claude --cwd --max-concurrent
--timeout --help --version. Needs a JDK 21+ (found in JAVA_HOME or /usr/lib/jvm).
EOF
}

# --- JDK -------------------------------------------------------------------

# java_major HOME: print the feature version (17, 21, 25...) of the JDK at HOME,
# from its `release` file, else from `java -version`. Prints nothing if unknown.
java_major() {
  local v=
  [[ -r $1/release ]] && v=$(sed -n 's/^JAVA_VERSION="\([^"]*\)".*/\1/p' "$1/release")
  [[ -n $v ]] || v=$("$1/bin/java" -version 2>&1 | sed -n 's/.* version "\([^"]*\)".*/\1/p' | head -n 1) || true
  v=${v#1.}                  # 1.8.0_292 -> 8.0_292
  v=${v%%[^0-9]*}            # 25.0.3 -> 25, 25-ea -> 25
  echo "$v"
}

# jdk_version HOME: the major version if HOME holds a JDK (java + javac), else 0.
jdk_version() {
  local v=
  [[ -n $1 && -x $1/bin/java && -x $1/bin/javac ]] && v=$(java_major "$1")
  echo "${v:-0}"
}

# find_jdk: use $JAVA_HOME if it is 21+, else the newest 21+ under /usr/lib/jvm.
# Exports JAVA_HOME, puts its bin/ first on PATH (for mvn), and sets JAVA.
find_jdk() {
  local best= best_v=0 home v
  if (( $(jdk_version "${JAVA_HOME:-}") >= 21 )); then
    best=${JAVA_HOME%/}
  else
    for home in /usr/lib/jvm/*/; do
      home=${home%/}
      v=$(jdk_version "$home")
      if (( v >= 21 && v > best_v )); then best=$home best_v=$v; fi
    done
  fi
  [[ -n $best ]] || die "claude-proxy needs a JDK 21 or newer; set JAVA_HOME"
  export JAVA_HOME=$best
  export PATH=$JAVA_HOME/bin:$PATH
  JAVA=$JAVA_HOME/bin/java
  # Maven 3.8's Guava calls sun.misc.Unsafe, which JDK 24+ warns about on every run
  if (( $(jdk_version "$JAVA_HOME") >= 24 )); then
    export MAVEN_OPTS="${MAVEN_OPTS:-} --sun-misc-unsafe-memory-access=allow"
  fi
}

# --- build -----------------------------------------------------------------

build() {
  mvn -B -ntp -q -Dstyle.color=never package -DskipTests
  touch target/proxy.jar     # the jar plugin may keep an unchanged jar: mark it fresh
}

# Build when the jar is missing or pom.xml / anything under src/ is newer.
build_if_needed() {
  if [[ ! -f target/proxy.jar || ! -f target/lib/jackson-core.jar \
        || pom.xml -nt target/proxy.jar \
        || -n $(find src -newer target/proxy.jar -print -quit) ]]; then
    echo "claude-proxy: building target/proxy.jar" >&2
    build
  fi
}

image() {
  build_if_needed
  [[ -x $JAVA_HOME/bin/jlink ]] || die "claude-proxy: no jlink in $JAVA_HOME"
  rm -rf target/image
  "$JAVA_HOME/bin/jlink" --module-path target/proxy.jar:target/lib --add-modules proxy \
    --strip-debug --no-man-pages --no-header-files --compress=zip-6 --output target/image
  # Our own launcher rather than jlink's --launcher: that one runs java as a child of sh,
  # so SIGTERM would stop the shell and leave the JVM (and its CLI processes) running.
  cat > target/image/bin/claude-proxy <<'LAUNCHER'
#!/bin/sh
DIR=$(dirname "$0")
exec "$DIR/java" ${CLAUDE_PROXY_JAVA_OPTS:-} -m proxy/proxy.Main "$@"
LAUNCHER
  chmod +x target/image/bin/claude-proxy
  echo target/image/bin/claude-proxy
}

# --- Claude CLI --------------------------------------------------------------

# install_cli: make sure .claude-cli/ holds CLI $CLI_VERSION; skip npm if it does.
install_cli() {
  local out=
  [[ -x $LOCAL_CLI ]] && out=$("$LOCAL_CLI" --version 2>/dev/null || true)
  if [[ ${out%% *} != "$CLI_VERSION" ]]; then
    command -v npm >/dev/null \
      || die "claude-proxy: no Claude CLI found and npm is missing: install npm or put 'claude' on PATH"
    echo "claude-proxy: installing @anthropic-ai/claude-code@$CLI_VERSION into .claude-cli/" >&2
    npm install --prefix .claude-cli --no-audit --no-fund --loglevel=error \
      "@anthropic-ai/claude-code@$CLI_VERSION" >&2
  fi
}

# One line on stderr if the CLI has nothing to log in with (`claude login` is
# not a command in CLI 2.x: it would be taken as a prompt). macOS keeps the
# login in the Keychain, not in a file, so the file check is skipped there.
credentials_hint() {
  [[ -n ${ANTHROPIC_API_KEY:-}${ANTHROPIC_AUTH_TOKEN:-}${CLAUDE_CODE_OAUTH_TOKEN:-} ]] && return
  [[ $(uname -s) == Darwin ]] && return
  [[ -f ${CLAUDE_CONFIG_DIR:-$HOME/.claude}/.credentials.json ]] && return
  echo "claude-proxy: the Claude CLI has no credentials yet: run '$1 auth login' (Claude subscription) or set ANTHROPIC_API_KEY" >&2
}

# start [PROXY OPTIONS]: build if needed, pick the CLI, exec the proxy.
start() {
  local cli= given=false prev= a
  for a in "$@"; do
    case $a in
      --help|-h|--version) exec "$JAVA" -jar target/proxy.jar "$@" ;;  # no CLI needed
      --claude=*) cli=${a#--claude=} given=true ;;
    esac
    [[ $prev == --claude ]] && cli=$a given=true
    prev=$a
  done
  if ! $given; then
    if [[ -n ${CLAUDE_PROXY_CLAUDE:-} ]]; then cli=$CLAUDE_PROXY_CLAUDE
    elif cli=$(command -v claude); then :
    else install_cli; cli=$PWD/$LOCAL_CLI   # absolute: the CLI runs in another cwd
    fi
    set -- --claude "$cli" "$@"
  fi
  credentials_hint "${cli:-claude}"
  exec "$JAVA" -jar target/proxy.jar "$@"
}

# --- main --------------------------------------------------------------------

case ${1:-} in
  help)        usage ;;
  install-cli) install_cli; echo "$LOCAL_CLI" ;;
  test)        shift; find_jdk; exec mvn -B -ntp verify "$@" ;;
  build)       find_jdk; build ;;
  image)       find_jdk; image ;;
  *)           find_jdk; build_if_needed; start "$@" ;;
esac
