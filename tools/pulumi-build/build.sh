#!/usr/bin/env bash
# Builds the Pulumi CLI from Go modules, exactly as upstream's release does
# (goreleaser flags: -trimpath, osusergo/grpcnotrace tags, CGO off, version
# stamped through ldflags), into OUT_DIR. Usage: build.sh vX.Y.Z OUT_DIR
set -euo pipefail
version="$1"
out_dir="$2"
cd "$(dirname "${BASH_SOURCE[0]}")"

tmp="$out_dir.partial.$$"
mkdir -p "$tmp"
trap 'rm -rf "$tmp"' EXIT

echo "flex-transfer setup: building the Pulumi CLI $version from Go modules (a cold build takes several minutes; later runs reuse $out_dir)" >&2
start=$(date +%s)
export CGO_ENABLED=0
ldflags="-w -s -X github.com/pulumi/pulumi/sdk/v3/go/common/version.Version=$version"
# Go's per-module download lines go to a log; on failure its tail is shown.
log="$tmp/go-build.log"
if ! go build -trimpath -tags osusergo,grpcnotrace -ldflags "$ldflags" -o "$tmp/pulumi" github.com/pulumi/pulumi/pkg/v3/cmd/pulumi >"$log" 2>&1; then
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
