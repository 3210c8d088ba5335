#!/usr/bin/env bash
# Installs everything the project needs on a fresh Debian 12 machine (root), idempotently.
# Each component keeps its own fragment in ci/setup.d/; this runs them in order.
#
# Any failure says which fragment, line and command failed and how to retry: fragments call
# `die` for the failures they expect, and the ERR trap below catches the rest (under `set -e` a
# failing command would otherwise end the set-up without a word).
set -Eeuo pipefail
# One compound command, read whole before it runs: editing this file during a run (bash reads
# scripts as it goes) cannot change what the run does.
{
# shellcheck source=ci/lib.sh
. "$(dirname "$0")/lib.sh"
BES2600_STEP="setup.sh"
BES2600_RETRY="$BES2600_ROOT/ci/setup.sh"

# shellcheck disable=SC2317 # called from the ERR trap
on_err() {
    local rc="$1" line="$2" src="$3" cmd="$4"
    # -E hands the trap to subshells and command substitutions too; only the set-up shell itself
    # reports, naming the command that contains the subshell.
    [ "$BASHPID" = "$$" ] || exit "$rc"
    trap - ERR
    die "command failed (exit $rc) at $(basename "$src"):$line: $cmd"
}
trap 'on_err "$?" "$LINENO" "${BASH_SOURCE[0]}" "$BASH_COMMAND"' ERR

for f in "$BES2600_ROOT"/ci/setup.d/*.sh; do
    [ -e "$f" ] || continue
    BES2600_STEP="$(basename "$f")"
    log "setup: $BES2600_STEP"
    # shellcheck source=/dev/null
    . "$f"
done
exit
}
