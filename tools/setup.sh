#!/usr/bin/env bash
# Sets up everything this clone needs, idempotently: Node 22, npm packages,
# the Pulumi CLI pinned to the @pulumi/pulumi version in package-lock.json,
# its plugins, and the compiled TypeScript. A warm second run takes seconds.
# Long steps (the cold CLI build, npm install, the policy analyzer) report
# progress at least every FLEX_PROGRESS_SECONDS (tools/progress.sh); two setups
# at once take turns: the second waits for the first instead of building again.
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/env.sh"
source "$FLEX_ROOT/tools/progress.sh"
cd "$FLEX_ROOT"
mkdir -p "$FLEX_TOOLS_BIN" "$FLEX_CACHE"

# PATH without our own .tools/bin (wherever it appears), to find what the
# machine itself provides.
machine_path() {
  local out="" entry
  local IFS=:
  for entry in $PATH; do
    [ "$entry" = "$FLEX_TOOLS_BIN" ] || out="${out:+$out:}$entry"
  done
  printf '%s' "$out"
}

node_major() { "$1" -p 'process.versions.node.split(".")[0]' 2>/dev/null || echo 0; }

# --- 1. Node 22 -------------------------------------------------------------
ensure_node() {
  local system_node="" cached arch pkg tmp
  # Look past our own .tools/bin so a stale link never hides the system Node.
  system_node="$(PATH="$(machine_path)" command -v node || true)"
  if [ -n "$system_node" ] && [ "$(node_major "$system_node")" -ge 22 ]; then
    ln -sfn "$(readlink -f "$system_node")" "$FLEX_TOOLS_BIN/node"
    return
  fi
  case "$(uname -m)" in
    x86_64) arch=x64 ;;
    aarch64 | arm64) arch=arm64 ;;
    *) flex_die "Node >= 22 is required and this machine ($(uname -m)) has ${system_node:+$("$system_node" --version)}${system_node:-no node}; install Node 22 from https://nodejs.org and re-run." ;;
  esac
  cached="$FLEX_CACHE/node/v$FLEX_NODE_VERSION-linux-$arch/bin/node"
  if [ ! -x "$cached" ]; then
    pkg="node-linux-$arch@$FLEX_NODE_VERSION"
    command -v npm >/dev/null || flex_die "Node >= 22 is required; the system Node is ${system_node:+$("$system_node" --version)}${system_node:-missing} and there is no npm to fetch $pkg. Install Node 22 from https://nodejs.org and re-run."
    flex_log "system Node is ${system_node:+$("$system_node" --version)}${system_node:-missing}; fetching Node $FLEX_NODE_VERSION from the npm registry package $pkg"
    tmp="$(mktemp -d)"
    if ! (cd "$tmp" && npm pack --silent "$pkg" >/dev/null 2>"$tmp/npm.err" && tar xzf ./*.tgz); then
      flex_die "Node >= 22 is required (system: ${system_node:+$("$system_node" --version)}${system_node:-none}) and fetching $pkg from the npm registry failed: $(tail -n 3 "$tmp/npm.err" 2>/dev/null | tr '\n' ' '). Install Node 22 from https://nodejs.org, or make the npm registry reachable, and re-run."
    fi
    mkdir -p "$(dirname "$cached")"
    mv "$tmp/package/bin/node" "$cached.partial" && mv "$cached.partial" "$cached"
    rm -rf "$tmp"
  fi
  [ "$(node_major "$cached")" -ge 22 ] || flex_die "cached Node at $cached does not run; delete $FLEX_CACHE/node and re-run."
  ln -sfn "$cached" "$FLEX_TOOLS_BIN/node"
}

# --- 2. npm packages --------------------------------------------------------
# Reinstall only when package-lock.json changed since the last install.
ensure_packages() {
  local dir="$1" stamp want
  stamp="$dir/node_modules/.flex-transfer-lock.sha256"
  want="$(sha256sum "$dir/package-lock.json" | cut -d' ' -f1)"
  if [ -f "$stamp" ] && [ "$(cat "$stamp")" = "$want" ]; then return; fi
  flex_log "installing npm packages in ${dir#"$FLEX_ROOT"/}"
  # `npm ci` would refuse this lock: the registry these machines reach serves
  # no non-Linux builds of optional native bindings, so the lock lacks them.
  # `npm install --no-save` installs exactly the locked tree and never rewrites it.
  NPM_DIR="$dir" with_progress "installing npm packages in ${dir#"$FLEX_ROOT"/}" npm_progress \
    bash -c 'cd "$1" && npm install --no-save --no-audit --no-fund --loglevel=error' _ "$dir"
  echo "$want" >"$stamp"
}

# How far an npm install is: the locked packages already in node_modules.
npm_progress() {
  node -e '
    const fs = require("fs"), path = require("path"), dir = process.env.NPM_DIR;
    const wanted = Object.keys(require(path.join(dir, "package-lock.json")).packages).filter((p) => p.startsWith("node_modules/"));
    const present = wanted.filter((p) => fs.existsSync(path.join(dir, p, "package.json"))).length;
    process.stdout.write(`${present} of ${wanted.length} packages in place`);
  '
}

# --- 3. Pulumi CLI ----------------------------------------------------------
pinned_pulumi_version() {
  node -p 'require("./package-lock.json").packages["node_modules/@pulumi/pulumi"].version'
}

cli_version() { "$1" version 2>/dev/null | tr -d '\n' || true; }

ensure_pulumi() {
  local version want cached on_path build_dir
  version="$(pinned_pulumi_version)"
  want="v$version"
  cached="$FLEX_CACHE/pulumi/$want/pulumi"

  if [ -x "$FLEX_TOOLS_BIN/pulumi" ] && [ "$(cli_version "$FLEX_TOOLS_BIN/pulumi")" = "$want" ]; then
    :
  elif [ -x "$cached" ] && [ "$(cli_version "$cached")" = "$want" ]; then
    ln -sfn "$cached" "$FLEX_TOOLS_BIN/pulumi"
  else
    on_path="$(PATH="$(machine_path)" command -v pulumi || true)"
    if [ -n "$on_path" ] && [ "$(cli_version "$on_path")" = "$want" ]; then
      ln -sfn "$on_path" "$FLEX_TOOLS_BIN/pulumi"
    else
      if [ -n "$on_path" ]; then
        flex_log "the pulumi on PATH ($on_path) is $(cli_version "$on_path"), not $want, the version of @pulumi/pulumi in package-lock.json; CLI and SDK must match, so a pinned $want is used instead"
      fi
      if ! command -v go >/dev/null; then
        flex_die "Pulumi CLI $want is required (it must equal @pulumi/pulumi in package-lock.json). ${on_path:+The pulumi on PATH is $(cli_version "$on_path"). }There is no Go toolchain to build it here. Either install the CLI: 'curl -fsSL https://get.pulumi.com | sh -s -- --version $version' (or download $want from https://github.com/pulumi/pulumi/releases) and put it first on PATH, or install Go >= 1.25 and re-run to build it from Go modules."
      fi
      build_dir="$FLEX_ROOT/tools/pulumi-build"
      grep -q "github.com/pulumi/pulumi/pkg/v3 $want" "$build_dir/go.mod" ||
        flex_die "tools/pulumi-build/go.mod does not pin github.com/pulumi/pulumi/pkg/v3 $want (package-lock.json has @pulumi/pulumi $version); update both together (see docs/toolchain.md)."
      # One build per machine: a setup that finds another one building waits
      # for it and uses its result.
      with_lock "$FLEX_CACHE/pulumi/.build-$want.lock" "building the Pulumi CLI $want" build_cli_once "$build_dir" "$want" "$cached"
      ln -sfn "$cached" "$FLEX_TOOLS_BIN/pulumi"
    fi
  fi

  install_plugins_beside "$(readlink -f "$FLEX_TOOLS_BIN/pulumi")"
  ensure_language_host "$(dirname "$(readlink -f "$FLEX_TOOLS_BIN/pulumi")")" "$want"
  ensure_policy_analyzer "$version"
}

build_cli_once() {
  local build_dir="$1" want="$2" cached="$3"
  if [ -x "$cached" ] && [ "$(cli_version "$cached")" = "$want" ]; then
    flex_log "the Pulumi CLI $want is in the cache now (built by the other setup): using it"
    return 0
  fi
  bash "$build_dir/build.sh" "$want" "$(dirname "$cached")"
}

host_version() { "$1" -version 2>/dev/null | tr -d '\n' || true; }

# Where an official pulumi-language-nodejs build may be provided when the CLI
# was built here (a standard install ships it beside the CLI): FLEX_LANGUAGE_HOST,
# else the workplace's tools folder beside this clone.
provided_language_host() {
  local want="$1" arch
  if [ -n "${FLEX_LANGUAGE_HOST:-}" ]; then printf '%s' "$FLEX_LANGUAGE_HOST"; return; fi
  case "$(uname -m)" in x86_64) arch=x64 ;; aarch64 | arm64) arch=arm64 ;; *) arch="$(uname -m)" ;; esac
  printf '%s' "$FLEX_ROOT/../shared/tools/pulumi-language-nodejs/$want/linux-$arch/pulumi-language-nodejs"
}

# `pulumi up` starts the Node language host, which the engine looks for beside
# the CLI binary (after resolving symlinks). Keep the one a standard install
# put there; otherwise place the provided official build there.
ensure_language_host() {
  local dir="$1" want="$2" host provided got
  host="$dir/pulumi-language-nodejs"
  if [ -x "$host" ]; then
    got="$(host_version "$host")"
    [ "$got" = "$want" ] && return 0
    [ -w "$dir" ] || flex_die "the Node language host beside the CLI ($host) is ${got:-unreadable}, not $want; the host, the CLI and @pulumi/pulumi must be one version. Install Pulumi $want (CLI and its plugins) and re-run."
    flex_log "the Node language host beside the CLI is ${got:-unreadable}, not $want: replacing it"
  fi
  provided="$(provided_language_host "$want")"
  if [ ! -x "$provided" ]; then
    flex_die "the Pulumi CLI in $dir has no Node language host (pulumi-language-nodejs) beside it, and none is provided. A standard Pulumi $want install ships it next to the CLI; otherwise set FLEX_LANGUAGE_HOST to an official pulumi-language-nodejs $want binary and re-run (looked for: $provided)."
  fi
  got="$(host_version "$provided")"
  [ "$got" = "$want" ] || flex_die "the provided Node language host $provided is ${got:-unreadable}, not $want (the CLI's version); host and CLI must be one version. Provide pulumi-language-nodejs $want."
  [ -w "$dir" ] || flex_die "cannot place the Node language host beside the CLI: $dir is not writable. Install Pulumi $want with its plugins, or run setup as the CLI's owner."
  flex_log "placing the official Node language host $want beside the CLI ($dir)"
  cp "$provided" "$host.partial.$$" && chmod 0755 "$host.partial.$$" && mv "$host.partial.$$" "$host"
}

# Policy packs run through the language host; without one, the CLI looks for
# an analyzer plugin `policy-nodejs` in its plugin cache (not beside itself,
# and not on PATH while PULUMI_IGNORE_AMBIENT_PLUGINS is set). Ours is a shim
# (tools/plugins/) that starts @pulumi/pulumi's run-policy-pack; install it
# into this clone's PULUMI_HOME, once per content change.
ensure_policy_analyzer() {
  local version="$1" shim="$FLEX_ROOT/tools/plugins/pulumi-analyzer-policy-nodejs" dest
  [ -f "$shim" ] || return 0
  dest="$PULUMI_HOME/plugins/analyzer-policy-nodejs-v$version/pulumi-analyzer-policy-nodejs"
  cmp -s "$shim" "$dest" && return 0
  with_progress "installing the policy analyzer plugin into ${PULUMI_HOME#"$FLEX_ROOT"/}" : \
    "$FLEX_TOOLS_BIN/pulumi" plugin install analyzer policy-nodejs "$version" --file "$shim" --reinstall >/dev/null
}

# The CLI looks for its bundled plugins beside its own binary (after resolving
# symlinks). pulumi-resource-pulumi-nodejs, which runs dynamic providers,
# ships inside the @pulumi/pulumi npm package: copy it there; where that
# directory is not ours to write (a system install), put it on PATH instead.
install_plugins_beside() {
  local dir source plugin
  dir="$(dirname "$1")"
  for source in "$FLEX_ROOT/node_modules/@pulumi/pulumi/pulumi-resource-pulumi-nodejs"; do
    [ -f "$source" ] || continue
    plugin="$(basename "$source")"
    if cmp -s "$source" "$dir/$plugin"; then continue; fi
    if [ -w "$dir" ]; then
      cp "$source" "$dir/$plugin.partial.$$" && chmod 0755 "$dir/$plugin.partial.$$" && mv "$dir/$plugin.partial.$$" "$dir/$plugin"
    else
      ln -sfn "$source" "$FLEX_TOOLS_BIN/$plugin"
    fi
  done
  [ -x "$dir/pulumi-resource-pulumi-nodejs" ] || [ -e "$FLEX_TOOLS_BIN/pulumi-resource-pulumi-nodejs" ] ||
    flex_die "$FLEX_ROOT/node_modules/@pulumi/pulumi/pulumi-resource-pulumi-nodejs is missing; the @pulumi/pulumi npm package should ship it (run setup's packages step)"
}

# --- 4. Compiled TypeScript -------------------------------------------------
# Pulumi runs the compiled program (Pulumi.yaml `main`), which refuses a dist/
# older than its sources: after a successful tsc, record which sources it
# compiled (tools/build-stamp.ts), as `npm run build` does.
ensure_build() {
  with_progress "compiling TypeScript into dist/" : node_modules/.bin/tsc -p tsconfig.json
  node dist/tools/build-stamp.js write
}

# Steps can be run alone (tests exercise each one's failure messages):
#   tools/setup.sh [node|packages|pulumi|build|actionlint]...
steps=("$@")
[ ${#steps[@]} -gt 0 ] || steps=(node packages pulumi build actionlint)
for step in "${steps[@]}"; do
  case "$step" in node | packages | pulumi | build | actionlint) ;; *) flex_die "unknown setup step '$step' (expected node, packages, pulumi, build or actionlint)" ;; esac
done

run_steps() {
  local step
  for step in "$@"; do
    case "$step" in
      node) ensure_node ;;
      packages) ensure_packages "$FLEX_ROOT" ;;
      pulumi) ensure_pulumi ;;
      build) ensure_build ;;
      actionlint) bash "$FLEX_ROOT/tools/actionlint/ensure.sh" ;; # CI workflow linter + shellcheck
    esac
  done
}

# One setup of this clone at a time (npm install and tsc write into it).
with_lock "$FLEX_TOOLS_BIN/../setup.lock" "setting up this clone" run_steps "${steps[@]}"
