#!/bin/sh
# Runs oelint-adv on every bitbake file of the layer with the layer's .oelint.cfg
# (release wrynose, suppressions with reasons) in its strictest mode. Exits non-zero on any
# finding. oelint-adv does not recurse, so the file list is built here; --jobs 1 because
# parallel workers race while loading the constants (meta-freescale does the same).
set -eu
layer="${1:-$(cd "$(dirname "$0")/.." && pwd)}"
cd "$layer"
files=$(find . -path ./kas -prune -o \( -name '*.bb' -o -name '*.bbappend' -o -name '*.bbclass' \
    -o -name '*.inc' -o -path './conf/*.conf' \) -print | sort)
n=$(echo "$files" | wc -l)
# shellcheck disable=SC2086 # one argument per file
if out=$(oelint-adv --jobs 1 --quiet --mode all --relpaths $files 2>&1) && [ -z "$out" ]; then
    echo "oelint-adv: $n files, 0 findings"
else
    printf '%s\n' "$out"
    echo "oelint-adv: $n files, $(printf '%s\n' "$out" | grep -c ':[0-9]*:\(error\|warning\|info\):') findings"
    exit 1
fi
