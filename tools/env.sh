# shellcheck shell=bash
# Sourced by tools/setup.sh and tools/run.sh: one place that says where the
# toolchain lives and which environment every project command runs under.

FLEX_ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
export FLEX_ROOT

# Pinned Node 22 release, fetched as the npm registry package node-linux-<arch>
# when the machine's own Node is older than 22 (Twilio Functions run node22).
FLEX_NODE_VERSION="22.23.3"

# Built toolchains are cached outside the clone, keyed by version, so a fresh
# clone (and CI) on the same machine reuses them instead of rebuilding.
FLEX_CACHE="${FLEX_TRANSFER_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/flex-transfer}"
export FLEX_CACHE

# .tools/bin holds links to the exact node, pulumi and plugin binaries this
# clone uses; it goes first on PATH for every project script.
FLEX_TOOLS_BIN="$FLEX_ROOT/.tools/bin"
export PATH="$FLEX_TOOLS_BIN:$FLEX_ROOT/node_modules/.bin:$PATH"

# The Pulumi CLI never phones home or downloads plugins from project scripts:
# every plugin it needs is bundled (language host) or shipped by npm
# (pulumi-resource-pulumi-nodejs), and these machines have no internet.
export PULUMI_SKIP_UPDATE_CHECK=true
export PULUMI_DISABLE_AUTOMATIC_PLUGIN_ACQUISITION=true
export PULUMI_HOME="${PULUMI_HOME:-$FLEX_ROOT/.pulumi-home}"
export PULUMI_SKIP_CONFIRMATIONS=true
# Use the plugins beside the pinned CLI, never another install's on PATH.
export PULUMI_IGNORE_AMBIENT_PLUGINS=true
# Every preview starts Node processes (the program, the dynamic providers, the
# policy pack) that load the same JavaScript: keep V8's compiled code between
# runs (Node >= 22.1; others ignore it).
export NODE_COMPILE_CACHE="${NODE_COMPILE_CACHE:-$FLEX_CACHE/node-compile-cache}"

flex_die() {
  printf 'flex-transfer setup: %s\n' "$*" >&2
  exit 1
}

flex_log() {
  printf 'flex-transfer setup: %s\n' "$*" >&2
}
