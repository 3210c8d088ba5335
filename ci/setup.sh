#!/usr/bin/env bash
# Installs everything the project needs on a fresh Debian 12 machine (root), idempotently.
# Each component keeps its own fragment in ci/setup.d/; this runs them in order.
set -euo pipefail
. "$(dirname "$0")/lib.sh"
for f in "$BES2600_ROOT"/ci/setup.d/*.sh; do
    [ -e "$f" ] || continue
    log "setup: $(basename "$f")"
    # shellcheck source=/dev/null
    . "$f"
done
