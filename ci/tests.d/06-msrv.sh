#!/usr/bin/env bash
# Rust 1.94 (Yocto wrynose's rustc) is the floor for every crate built into bes2600.ko and every
# tool the layer builds with its cargo class. No rustc 1.94 can be installed here (Debian offers
# 1.85, 1.96 and newer; rustup fetches nothing), so the floor is enforced by clippy's
# `incompatible_msrv`, which `cargo clippy -D warnings` (ci/test.sh) runs against rust-version.
# This check makes sure that enforcement is real:
#   1. each workspace crate and fuzz crate declares rust-version 1.94;
#   2. nothing switches the lint off or overrides the MSRV clippy reads;
#   3. the installed clippy fires it: a canary crate using a 1.95 API must fail.
set -euo pipefail
# shellcheck source=ci/lib.sh
. "$(dirname "$0")/../lib.sh"
cd "$BES2600_ROOT"
MSRV=1.94

# 1. Declared versions, as cargo resolves them (workspace inheritance included).
for m in Cargo.toml driver/wire/fuzz/Cargo.toml firmware-loader/fuzz/Cargo.toml; do
    cargo metadata --no-deps --format-version 1 --manifest-path "$m" \
        | python3 -c '
import json, sys
want, bad = sys.argv[1], 0
for p in json.load(sys.stdin)["packages"]:
    have = p.get("rust_version")
    bad += have != want
    print("msrv:", p["name"], "rust-version", have, "" if have == want else "(want " + want + ")")
sys.exit(1 if bad else 0)' "$MSRV"
done

# 2. No opt-outs: an allow/expect of the lint, a #[clippy::msrv] attribute, or an msrv key in a
# clippy.toml would let a newer API through.
# (grep, not git grep: the fresh-root check runs this in a copy without .git.)
optouts="$(grep -rn -E --include='*.rs' --exclude-dir=target 'incompatible_msrv|clippy::msrv' . || true)
$(find . -name target -prune -o \( -name clippy.toml -o -name .clippy.toml \) -exec \
    grep -Hn -E '^\s*msrv' {} + || true)"
if [ -n "$(printf '%s' "$optouts" | tr -d '[:space:]')" ]; then
    printf 'msrv: opt-outs found:\n%s\n' "$optouts"
    exit 1
fi
echo "msrv: no allow/expect of incompatible_msrv, no #[clippy::msrv], no clippy.toml msrv"

# 3. Canary: core::hint::cold_path is stable since 1.95.
canary="$(mktemp -d)"
trap 'rm -rf "$canary"' EXIT
mkdir -p "$canary/src"
printf '[package]\nname = "msrv-canary"\nversion = "0.0.0"\nedition = "2021"\nrust-version = "%s"\n[workspace]\n' \
    "$MSRV" >"$canary/Cargo.toml"
printf '//! Canary.\n\n/// Uses a 1.95 API.\npub fn f() {\n    core::hint::cold_path();\n}\n' \
    >"$canary/src/lib.rs"
if out="$(cargo clippy -q --manifest-path "$canary/Cargo.toml" --target-dir "$canary/target" \
    -- -D warnings 2>&1)"; then
    echo "msrv: clippy ($(cargo clippy -V)) accepted a 1.95 API under rust-version $MSRV"
    exit 1
fi
if ! printf '%s\n' "$out" | grep -q 'incompatible_msrv\|incompatible-msrv'; then
    printf '%s\n' "$out" | tail -20
    echo "msrv: the canary failed, but not with incompatible_msrv"
    exit 1
fi
echo "msrv: $(cargo clippy -V) rejects a 1.95 API under rust-version $MSRV (incompatible_msrv)"
