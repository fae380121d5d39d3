#!/usr/bin/env bash
# Runs a command under the project's toolchain: Node 22, the pinned Pulumi CLI
# and its plugins first on PATH, Pulumi kept offline with a project-local home.
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/env.sh"
exec "$@"
