# shellcheck shell=bash
# Sourced by tools/setup.sh and tools/pulumi-build/build.sh: long steps report
# what they do, how far they are and how long they have taken, at least every
# FLEX_PROGRESS_SECONDS (default 10); and a lock lets a second setup wait for
# the first one instead of doing the same work again.

FLEX_PROGRESS_SECONDS="${FLEX_PROGRESS_SECONDS:-10}"

progress_log() {
  printf 'flex-transfer setup: %s\n' "$*" >&2
}

# "1m05s" for the seconds since $1 (a $SECONDS value).
elapsed_since() {
  local s=$((SECONDS - $1))
  printf '%dm%02ds' $((s / 60)) $((s % 60))
}

# with_progress WHAT PROBE COMMAND...
# Runs COMMAND; while it runs, prints "WHAT: <PROBE's output>, <elapsed> elapsed"
# every FLEX_PROGRESS_SECONDS. PROBE is a command that says how far it is
# (or `:` when it cannot tell). Returns COMMAND's status.
with_progress() {
  local what="$1" probe="$2"
  shift 2
  local start=$SECONDS last=$SECONDS pid status=0 how
  "$@" &
  pid=$!
  while kill -0 "$pid" 2>/dev/null; do
    sleep 1
    if ((SECONDS - last >= FLEX_PROGRESS_SECONDS)) && kill -0 "$pid" 2>/dev/null; then
      last=$SECONDS
      how="$($probe 2>/dev/null || true)"
      progress_log "$what: ${how:+$how, }$(elapsed_since "$start") elapsed"
    fi
  done
  wait "$pid" || status=$?
  if ((SECONDS - start >= FLEX_PROGRESS_SECONDS)); then
    progress_log "$what: $([ "$status" = 0 ] && echo done || echo "failed (exit $status)") after $(elapsed_since "$start")"
  fi
  return "$status"
}

# with_lock LOCKFILE WHAT COMMAND...
# Runs COMMAND holding an exclusive lock on LOCKFILE. When another process
# holds it (another setup doing WHAT), waits for it, saying so every
# FLEX_PROGRESS_SECONDS, then runs COMMAND, which should find the work done.
with_lock() {
  local file="$1" what="$2"
  shift 2
  local fd start holder
  if ! command -v flock >/dev/null; then
    "$@"
    return
  fi
  mkdir -p "$(dirname "$file")"
  exec {fd}>>"$file"
  if ! flock -n "$fd"; then
    start=$SECONDS
    holder="$(cat "$file" 2>/dev/null || true)"
    progress_log "another setup is $what${holder:+ ($holder)}: waiting for it instead of doing it again"
    until flock -w "$FLEX_PROGRESS_SECONDS" "$fd"; do
      progress_log "still waiting for the other setup ($what): $(elapsed_since "$start") elapsed"
    done
    progress_log "the other setup is done ($what) after $(elapsed_since "$start") of waiting"
  fi
  printf 'pid %s, since %s' "$$" "$(date +%H:%M:%S)" >"$file"
  # Not `"$@" || …`: that would switch off `set -e` inside COMMAND. If COMMAND
  # fails, the script exits and the lock goes with the process.
  "$@"
  flock -u "$fd"
  exec {fd}>&-
}
