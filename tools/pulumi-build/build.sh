#!/usr/bin/env bash
# Builds the Pulumi CLI from Go modules, exactly as upstream's release does
# (goreleaser flags: -trimpath, osusergo/grpcnotrace tags, CGO off, version
# stamped through ldflags), into OUT_DIR. Usage: build.sh vX.Y.Z OUT_DIR
set -euo pipefail
version="$1"
out_dir="$2"
cd "$(dirname "${BASH_SOURCE[0]}")"
source ../progress.sh

# How far a build is, from go's own log: modules fetched (at most one per
# go.sum module) and packages compiled (`go build -v` names each one; the
# whole build is about this many: `go list -deps …/cmd/pulumi | wc -l` at
# v3.259.0 with Go 1.26).
EXPECTED_PACKAGES=1686
go_progress() {
  local modules downloaded compiled
  modules="$(grep -vc '/go.mod h1:' go.sum || true)"
  downloaded="$(grep -c '^go: downloading ' "$log" 2>/dev/null || true)"
  compiled="$(grep -Evc '^(go: |#|[[:space:]]|$)' "$log" 2>/dev/null || true)"
  printf '%s of at most %s modules downloaded, %s of ~%s packages compiled' "${downloaded:-0}" "$modules" "${compiled:-0}" "$EXPECTED_PACKAGES"
}

tmp="$out_dir.partial.$$"
mkdir -p "$tmp"
trap 'rm -rf "$tmp"' EXIT

echo "flex-transfer setup: building the Pulumi CLI $version from Go modules (a cold build takes about 6 minutes and fills ~3 GiB of Go caches; later runs reuse $out_dir)" >&2
start=$(date +%s)
export CGO_ENABLED=0
ldflags="-w -s -X github.com/pulumi/pulumi/sdk/v3/go/common/version.Version=$version"
# Go's per-module download lines go to a log; on failure its tail is shown.
log="$tmp/go-build.log"
if ! with_progress "building the Pulumi CLI $version" go_progress \
  bash -c 'exec go build -v -trimpath -tags osusergo,grpcnotrace -ldflags "$1" -o "$2" github.com/pulumi/pulumi/pkg/v3/cmd/pulumi >"$3" 2>&1' _ "$ldflags" "$tmp/pulumi" "$log"; then
  tail -n 30 "$log" >&2
  echo "flex-transfer setup: building the Pulumi CLI failed (go output above). The Go module proxy must serve github.com/pulumi/pulumi/pkg/v3@$version and its dependencies." >&2
  exit 1
fi
rm -f "$log"
got="$("$tmp/pulumi" version)"
if [ "$got" != "$version" ]; then
  echo "flex-transfer setup: the built CLI reports '$got', expected $version" >&2
  exit 1
fi
mkdir -p "$(dirname "$out_dir")"
rm -rf "$out_dir"
mv "$tmp" "$out_dir"
trap - EXIT
echo "flex-transfer setup: built pulumi $version in $(( $(date +%s) - start ))s -> $out_dir" >&2
