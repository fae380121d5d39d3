#!/usr/bin/env bash
# Makes the CI workflow linter available to this clone, idempotently:
#  - actionlint, exactly the version go.mod here pins (github.com/rhysd/actionlint),
#    linked as .tools/bin/actionlint: one of that version on PATH, else the
#    binary cached in $FLEX_CACHE/actionlint/<version>/, else built from Go
#    modules into that cache (like the Pulumi CLI, tools/pulumi-build/);
#  - shellcheck, which actionlint runs on every `run:` step when it is on PATH:
#    the Debian package, installed with apt-get where setup runs as root.
# Neither is needed to deploy, so a machine that cannot have them gets a clear
# message, not a failed setup; test/ci/workflows.test.ts then says what is missing.
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/../env.sh"
here="$FLEX_ROOT/tools/actionlint"

log() { printf 'flex-transfer setup: %s\n' "$*" >&2; }

# PATH without this clone's .tools/bin: what the machine itself provides.
machine_path() {
  local out="" entry
  local IFS=:
  for entry in $PATH; do
    [ "$entry" = "$FLEX_TOOLS_BIN" ] || out="${out:+$out:}$entry"
  done
  printf '%s' "$out"
}

pinned_version() {
  sed -n 's#^[[:space:]]*github.com/rhysd/actionlint \(v[0-9][0-9.]*\).*#\1#p' "$here/go.mod" | head -n 1
}

version_of() { "$1" -version 2>/dev/null | head -n 1 || true; }

build() {
  local version="$1" out_dir="$2" tmp start
  tmp="$out_dir.partial.$$"
  mkdir -p "$tmp"
  log "building actionlint $version from Go modules into $out_dir (once per machine; about 30 s cold)"
  start=$(date +%s)
  # As upstream builds its releases: CGO off, trimmed paths, version stamped.
  if ! (cd "$here" && CGO_ENABLED=0 go build -trimpath -ldflags "-s -w -X github.com/rhysd/actionlint.version=$version" \
    -o "$tmp/actionlint" github.com/rhysd/actionlint/cmd/actionlint) >"$tmp/go-build.log" 2>&1; then
    tail -n 20 "$tmp/go-build.log" >&2
    rm -rf "$tmp"
    log "building actionlint $version failed (go output above): the Go module proxy must serve github.com/rhysd/actionlint@$version and its dependencies"
    return 1
  fi
  if [ "$(version_of "$tmp/actionlint")" != "$version" ]; then
    log "the built actionlint reports '$(version_of "$tmp/actionlint")', expected $version"
    rm -rf "$tmp"
    return 1
  fi
  rm -f "$tmp/go-build.log"
  rm -rf "$out_dir"
  mv "$tmp" "$out_dir"
  log "built actionlint $version in $(( $(date +%s) - start ))s"
}

ensure_actionlint() {
  local version cached on_path link="$FLEX_TOOLS_BIN/actionlint"
  version="$(pinned_version)"
  [ -n "$version" ] || { log "tools/actionlint/go.mod pins no github.com/rhysd/actionlint version"; return 1; }
  cached="$FLEX_CACHE/actionlint/$version/actionlint"
  mkdir -p "$FLEX_TOOLS_BIN"
  if [ -x "$link" ] && [ "$(version_of "$link")" = "$version" ]; then return 0; fi
  on_path="$(PATH="$(machine_path)" command -v actionlint || true)"
  if [ -x "$cached" ] && [ "$(version_of "$cached")" = "$version" ]; then
    ln -sfn "$cached" "$link"
  elif [ -n "$on_path" ] && [ "$(version_of "$on_path")" = "$version" ]; then
    ln -sfn "$on_path" "$link"
  elif command -v go >/dev/null; then
    build "$version" "$(dirname "$cached")" || return 0
    ln -sfn "$cached" "$link"
  else
    log "actionlint $version is not available${on_path:+ (the one on PATH is $(version_of "$on_path"))} and there is no Go to build it; the workflow lint test will fail. Install Go >= 1.25 and re-run setup, or put actionlint $version on PATH (https://github.com/rhysd/actionlint/releases/tag/$version)."
  fi
}

ensure_shellcheck() {
  PATH="$(machine_path)" command -v shellcheck >/dev/null && return 0
  if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null; then
    log "installing shellcheck (Debian package) so actionlint checks the workflows' shell steps"
    if DEBIAN_FRONTEND=noninteractive apt-get install -y -qq shellcheck >/dev/null 2>&1 ||
      { apt-get update -qq >/dev/null 2>&1 && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq shellcheck >/dev/null 2>&1; }; then
      return 0
    fi
    log "apt-get could not install shellcheck; install it by hand (apt-get install shellcheck)"
    return 0
  fi
  log "shellcheck is not installed and setup cannot install it here (it needs apt-get as root): install it with 'sudo apt-get install shellcheck' (or your system's package manager). Without it actionlint skips the workflows' shell steps and the workflow lint test fails."
}

ensure_actionlint
ensure_shellcheck
