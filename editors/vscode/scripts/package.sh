#!/usr/bin/env bash
# Builds the VS Code extension end to end and checks the result:
#   npm ci -> tsc --noEmit -> unit tests -> esbuild bundle -> copy the gomodls binary into
#   server/ -> vsce package (a platform-specific .vsix) -> the .vsix content test.
#
# Usage: scripts/package.sh [--build] [--release] [--skip-tests]
#   --build       run `cargo build -p gomodls-lsp` first (with --release: a release build)
#   --release     take target/release/gomodls (default: the newer of release and debug)
#   --skip-tests  skip the unit tests (the .vsix content test always runs)
# Environment:
#   GOMODLS_SERVER_BINARY  use this binary instead of one from the cargo target directory
#   CARGO_TARGET_DIR       where cargo puts its output (default: <repo>/target)
# Prints the path of the .vsix as its last line.
set -euo pipefail

build=0
profile=""
run_tests=1
for arg in "$@"; do
    case "$arg" in
        --build) build=1 ;;
        --release) profile=release ;;
        --skip-tests) run_tests=0 ;;
        -h | --help) sed -n '2,14p' "$0"; exit 0 ;;
        *) echo "package.sh: unknown argument $arg" >&2; exit 2 ;;
    esac
done

here="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
repo="$(cd "$here/../.." && pwd)"
target_dir="${CARGO_TARGET_DIR:-$repo/target}"
cd "$here"

log() { echo "package.sh: $*" >&2; }

log "npm ci"
npm ci --no-audit --no-fund >&2

log "type-check"
npm run --silent typecheck >&2

if ((run_tests)); then
    log "unit tests"
    npm run --silent test:unit >&2
fi

log "bundle"
npm run --silent bundle >&2

# The .vsix is platform-specific: its target is the platform this script runs on.
vsce_target="$(node -e '
const fs = require("fs");
const os = process.platform === "linux" && fs.existsSync("/etc/alpine-release") ? "alpine" : process.platform;
process.stdout.write(`${os}-${process.arch}`);
')"
exe=""
case "$vsce_target" in win32-*) exe=".exe" ;; esac

if ((build)); then
    log "cargo build -p gomodls-lsp ${profile:+--$profile}"
    (cd "$repo" && cargo build -p gomodls-lsp ${profile:+--$profile}) >&2
fi

binary="${GOMODLS_SERVER_BINARY:-}"
if [ -z "$binary" ]; then
    release="$target_dir/release/gomodls$exe"
    debug="$target_dir/debug/gomodls$exe"
    if [ "$profile" = release ]; then
        binary="$release"
    elif [ -x "$release" ] && { [ ! -x "$debug" ] || [ "$release" -nt "$debug" ]; }; then
        binary="$release"
    else
        binary="$debug"
    fi
fi
if [ ! -x "$binary" ]; then
    log "no server binary at $binary: run \`cargo build -p gomodls-lsp\` (or pass --build)"
    exit 1
fi
log "bundling server binary $binary"
rm -rf server
mkdir -p server
cp "$binary" "server/gomodls$exe"
chmod 755 "server/gomodls$exe"

version="$(node -p 'require("./package.json").version')"
vsix="$here/dist/gomodls-$version-$vsce_target.vsix"
rm -f "$vsix"
log "vsce package --target $vsce_target"
npx --no-install vsce package --no-dependencies --allow-missing-repository \
    --target "$vsce_target" --out "$vsix" >&2

log "checking the .vsix"
GOMODLS_VSIX="$vsix" GOMODLS_EXPECTED_BINARY="$binary" node --test test/vsix.test.mjs >&2

echo "$vsix"
