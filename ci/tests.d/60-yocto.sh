#!/usr/bin/env bash
# Functions below run through run()/expect_fail(), which shellcheck cannot follow.
# shellcheck disable=SC2317
# Yocto layer checks for meta-bes2600, all offline (no bitbake, no Yocto sources):
#   1. oelint-adv --release wrynose --mode all on every recipe/append/class/inc/conf
#   2. kas files: kas's JSON schema, commit pins, kas's own include handler
#   3. layer structure, SRC_URI pinning, wks layout, files taken from the tree; the sources:
#      the git default pinned to a BES2600_SRCREV of this history, the externalsrc override of
#      the kas builds (kas/local-tree.yml) covering every bes2600_src recipe
#   4. the crates .inc files match Cargo.lock, and so do the cargo recipes' LICENSE and
#      LIC_FILES_CHKSUM (the crates linked into each binary, from cargo tree/metadata)
#   5. ci/pipelines: GitLab CI / GitHub workflow schemas (check-jsonschema's vendored copies),
#      and the image artifacts they publish are the ones kas/ci.yml declares
#   6. RAUC A/B: the boot script's decisions over a table of cases (interpreter of the U-Boot
#      hush subset it uses), the same script in a real U-Boot (Debian qemu_arm64, QEMU), a
#      signed bundle built and checked with Debian's rauc host tool
#   7. kernel fragments against the Linux Kconfig files (error level)
#   7b. the signed package feed variant's configuration (kas/pinetab2-feed.yml)
#   7a. Wi-Fi provisioning: the boot-time/build-time script against a fake root (modes, links)
#   8. negative self-test: copies of the layer with one deliberate violation each must fail
#      the check that covers it (and name the violated rule).
# Prints what it measured; exits non-zero on any failure. Costs ~40-60 s on 2 cores.
set -uo pipefail
# shellcheck source=ci/lib.sh
. "$(dirname "$0")/../lib.sh"
layer="$BES2600_ROOT/meta-bes2600"
# The tools live in their own venv (see ci/setup.d/60-yocto.sh).
yvenv="$BES2600_CACHE/venv-yocto"
py="$yvenv/bin/python"
[ -x "$yvenv/bin/oelint-adv" ] || die "$yvenv is incomplete: run ci/setup.sh"
export PATH="$yvenv/bin:$PATH"
fail=0
run() { local name="$1"; shift; log "yocto: $name"; if ! "$@"; then fail=1; log "yocto: FAILED $name"; fi; }

run "oelint-adv" sh "$layer/scripts/run-oelint.sh" "$layer"
# kas's loader wants a work dir; keep it out of the tree.
kaswork="$(mktemp -d)"
run "kas files" env KAS_WORK_DIR="$kaswork" "$py" "$layer/scripts/check-kas.py" --layer "$layer"
run "layer structure" "$py" "$layer/scripts/check-layer.py" --layer "$layer" --tree "$BES2600_ROOT"
run "crates .inc up to date" "$py" "$layer/scripts/gen-crates-inc.py" --check --lock "$BES2600_ROOT/Cargo.lock"
run "licences .inc up to date" "$py" "$layer/scripts/gen-licenses-inc.py" --check --tree "$BES2600_ROOT"

run "boot script decision table" "$py" "$layer/scripts/check-boot-script.py" --layer "$layer"
run "boot script in U-Boot (QEMU)" "$py" "$layer/scripts/boot-script-qemu.py"
run "RAUC bundle (rauc host tool)" sh "$layer/scripts/check-bundle.sh" "$layer"
# The Linux source subset ci/setup.d/20-board.sh extracts (all Kconfig files). It is Debian's
# 6.12; wrynose builds linux-yocto 6.18, whose Kconfig can only differ for newer symbols.
ksrc="$(find "$BES2600_CACHE" -maxdepth 1 -type d -name 'dts-*' | sort | tail -1)"
if [ -n "$ksrc" ]; then
    run "kernel fragments vs Kconfig" "$py" "$layer/scripts/check-kconfig.py" --ksrc "$ksrc" \
        "$BES2600_ROOT/board/pinetab2/kernel/pinetab2.cfg" "$BES2600_ROOT/board/pinetab2/kernel/bes2600-rust.cfg"
else
    log "yocto: FAILED kernel fragments vs Kconfig: no $BES2600_CACHE/dts-* (run ci/setup.sh)"; fail=1
fi

run "Wi-Fi provisioning (fake root)" sh "$layer/scripts/check-wifi-provision.sh" "$layer"
run "signed package feed configuration" "$py" "$layer/scripts/check-feed.py" "$layer"

pipelines="$BES2600_ROOT/ci/pipelines"
run "GitLab CI schema" check-jsonschema --builtin-schema vendor.gitlab-ci "$pipelines/gitlab-ci.yml"
run "GitHub workflow schema" check-jsonschema --builtin-schema vendor.github-workflows "$pipelines/github/kas-build.yml"
# Every file kas/ci.yml promises (wic.gz, wic.bmap, raucb) is collected by both pipelines.
artifacts_match() {
    local absent=0 f
    # shellcheck disable=SC2013 # artifact paths have no spaces
    for f in $(sed -n 's|^  [a-z]*: build/tmp/deploy/images/pinetab2/||p' "$layer/kas/ci.yml"); do
        for p in "$pipelines/gitlab-ci.yml" "$pipelines/github/kas-build.yml"; do
            grep -q -- "$f" "$p" || { echo "$(basename "$p") does not collect $f"; absent=1; }
        done
    done
    [ "$absent" -eq 0 ] && echo "pipelines collect every artifact kas/ci.yml declares"
    return "$absent"
}
run "pipeline artifacts" artifacts_match

# ---- negative self-test -------------------------------------------------------------------
tmp="$(mktemp -d)"
trap 'rm -rf "$tmp" "$kaswork"' EXIT
cases=0 caught=0
# expect_fail NAME PATTERN CHECK...: CHECK must exit non-zero and print PATTERN.
expect_fail() {
    local name="$1" pattern="$2"; shift 2
    local out
    cases=$((cases + 1))
    if out="$("$@" 2>&1)"; then
        echo "self-test: NOT caught: $name (check passed)"; fail=1
    elif ! grep -qE -- "$pattern" <<<"$out"; then
        echo "self-test: NOT caught: $name (failed, but without /$pattern/)"; echo "$out" | tail -5; fail=1
    else
        caught=$((caught + 1)); echo "self-test: caught: $name"
    fi
}
# fresh: a clean copy of the layer in $tmp/<case>/meta-bes2600
fresh() { rm -rf "${tmp:?}/${1:?}"; mkdir -p "$tmp/$1"; cp -r "$layer" "$tmp/$1/"; echo "$tmp/$1/meta-bes2600"; }
layercheck() { "$py" "$1/scripts/check-layer.py" --layer "$1" --tree "$BES2600_ROOT"; }

l="$(fresh distro)"; mkdir -p "$l/conf/distro"; echo 'DISTRO_NAME = "x"' >"$l/conf/distro/demo.conf"
expect_fail "conf/distro in a BSP layer" "FAIL  no conf/distro" layercheck "$l"

l="$(fresh compat)"; sed -i 's/^LAYERSERIES_COMPAT_bes2600 = .*/LAYERSERIES_COMPAT_bes2600 = "scarthgap wrynose"/' "$l/conf/layer.conf"
expect_fail "LAYERSERIES_COMPAT not exactly wrynose" "FAIL  LAYERSERIES_COMPAT" layercheck "$l"

l="$(fresh patch)"; mkdir -p "$l/recipes-kernel/bes2600/files"
printf 'From 1 Mon Sep 17 00:00:00 2001\nSubject: [PATCH] x\n\nSigned-off-by: A <a@b.c>\n---\n' >"$l/recipes-kernel/bes2600/files/0001-x.patch"
expect_fail "patch without Upstream-Status" "FAIL  1 patch\(es\)" layercheck "$l"

l="$(fresh sha)"; sed -i '/^SRC_URI\[signal.sha256sum\]/d' "$l"/recipes-bsp/bes2600-firmware/*.bb
expect_fail "download without sha256" "FAIL  recipes-bsp/bes2600-firmware.*best2002_fw_sdio.bin has no sha256sum" layercheck "$l"

l="$(fresh autorev)"
# shellcheck disable=SC2016 # literal bitbake syntax
echo 'SRCREV = "${AUTOREV}"' >>"$l/recipes-kernel/bes2600/bes2600-module_git.bb"
expect_fail "AUTOREV" "FAIL  no AUTOREV" layercheck "$l"

l="$(fresh srcrev)"; sed -i 's/^BES2600_SRCREV ?= .*/BES2600_SRCREV ?= "deadbeefdeadbeefdeadbeefdeadbeefdeadbeef"/' "$l/conf/bes2600-srcrev.inc"
expect_fail "BES2600_SRCREV not a commit of this repository" "FAIL  BES2600_SRCREV is a commit of this repository" layercheck "$l"

l="$(fresh kmetarev)"; sed -i '/^SRCREV_bes2600:pinetab2 = /d' "$l/recipes-kernel/linux/linux-yocto-bes2600.inc"
expect_fail "kernel fragments fetched by git without SRCREV" "FAIL  recipes-kernel/linux/linux-yocto_%.bbappend: every SRC_URI entry pinned.*has no 40-hex SRCREV" layercheck "$l"

l="$(fresh localtree)"; sed -i '/EXTERNALSRC:pn-bes2600-smoke = /d' "$l/kas/local-tree.yml"
expect_fail "a bes2600_src recipe the kas builds do not take from the checkout" "FAIL  kas/local-tree.yml: externalsrc.*EXTERNALSRC:pn-bes2600-smoke" layercheck "$l"

l="$(fresh wicdir)"; mkdir -p "$l/wic"; mv "$l/files/wic/pinetab2.wks" "$l/wic/"
expect_fail "wks outside files/wic" "FAIL  all .wks files are in files/wic/" layercheck "$l"

l="$(fresh offset)"; sed -i 's/--offset 16384s/--offset 8192s/' "$l/files/wic/pinetab2.wks"
expect_fail "u-boot.itb not at sector 16384" "FAIL  pinetab2.wks: idbloader" layercheck "$l"

l="$(fresh scope)"; echo 'KERNEL_FEATURES += "rust"' >>"$l/recipes-kernel/linux/linux-yocto_%.bbappend"
expect_fail "unscoped bbappend assignment" "FAIL  bbappends only set override-scoped" layercheck "$l"

l="$(fresh kaspin)"; sed -i '/commit: 9d02575bfd9ca5e87c394f593f2bbdbdee914d4e/d' "$l/kas/base.yml"
expect_fail "kas repo without commit" "repo meta-rockchip has a url but no 40-hex commit" \
    env KAS_WORK_DIR="$kaswork" "$py" "$l/scripts/check-kas.py" --layer "$l"

l="$(fresh kasschema)"; sed -i 's/^  version: 20/  version: 99/' "$l/kas/pinetab2.yml"
expect_fail "kas header version kas does not know" "FAIL  pinetab2.yml: schema" \
    env KAS_WORK_DIR="$kaswork" "$py" "$l/scripts/check-kas.py" --layer "$l"

l="$(fresh oelint)"; sed -i 's/^SECTION = "net"$//' "$l/recipes-support/bes2600-smoke/bes2600-smoke_git.bb"
# shellcheck disable=SC2016 # literal bitbake syntax
sed -i 's/^inherit bes2600_src cargo/RDEPENDS:${PN} += "iw"\ninherit bes2600_src cargo/' "$l/recipes-support/bes2600-smoke/bes2600-smoke_git.bb"
expect_fail "recipe lint violations" "oelint\.(var\.order|var\.suggestedvar\.SECTION)" sh "$l/scripts/run-oelint.sh" "$l"

sed 's/^pinetab2-image:$/image:/' "$pipelines/gitlab-ci.yml" >"$tmp/gitlab-ci.yml"
expect_fail "GitLab job named after a reserved keyword" "is not valid under any of the given schemas" \
    check-jsonschema --builtin-schema vendor.gitlab-ci "$tmp/gitlab-ci.yml"

printf '\n[[package]]\nname = "zz-extra"\nversion = "1.0.0"\nsource = "registry+https://github.com/rust-lang/crates.io-index"\nchecksum = "%064d"\n' 0 \
    | cat "$BES2600_ROOT/Cargo.lock" - >"$tmp/Cargo.lock"
expect_fail "crates .inc stale after a Cargo.lock change" "stale: " \
    "$py" "$layer/scripts/gen-crates-inc.py" --check --lock "$tmp/Cargo.lock"

# A dependency added to netmgr (Cargo.toml and Cargo.lock, as cargo would write them) in a
# copy of the workspace: bes2600-fw now links bytemuck, so its LICENSE is stale.
# The check reads the crates' manifests offline; bytemuck is in Cargo.lock but no build of
# the workspace downloads it (a target-specific dependency), so a fresh machine's cargo
# cache lacks it: fetch everything the lock names first (a no-op once cached).
cargo fetch --locked --manifest-path "$BES2600_ROOT/Cargo.toml" -q
mkdir "$tmp/ws"
git -C "$BES2600_ROOT" ls-files -z | tar -C "$BES2600_ROOT" --null -T - --ignore-failed-read -cf - | tar -C "$tmp/ws" -xf -
cp "$BES2600_ROOT/Cargo.lock" "$tmp/ws/"
sed -i 's/^\[dependencies\]$/[dependencies]\nbytemuck = "1"/' "$tmp/ws/netmgr/Cargo.toml"
sed -i '/^name = "bes2600-netmgr"$/,/^]$/ s/^ "serde",$/ "bytemuck",\n "serde",/' "$tmp/ws/Cargo.lock"
expect_fail "LICENSE stale after a dependency joins Cargo.lock" "^\+ +\(Apache-2.0 \| MIT \| Zlib\) &" \
    "$py" "$layer/scripts/gen-licenses-inc.py" --check --tree "$tmp/ws"

l="$(fresh licence)"; sed -i '/^ *(MIT | Unlicense)"$/d; s/^\( *MIT\) & \\$/\1"/' "$l/recipes-support/bes2600-smoke/bes2600-smoke-licenses.inc"
expect_fail "LICENSE edited by hand" "stale: recipes-support/bes2600-smoke/bes2600-smoke-licenses.inc" \
    "$py" "$l/scripts/gen-licenses-inc.py" --check --tree "$BES2600_ROOT"

l="$(fresh bootb)"; sed -i 's/^test -n "${BOOT_B_LEFT}" || setenv BOOT_B_LEFT 0$/test -n "${BOOT_B_LEFT}" || setenv BOOT_B_LEFT @@BOOT_TRIES@@/' \
    "$l/dynamic-layers/rauc/recipes-bsp/u-boot/files/bes2600-boot.cmd.in"
expect_fail "boot script gives the empty slot B tries" "fresh image, smoke test passes.*B=3.*FAIL" \
    "$py" "$layer/scripts/check-boot-script.py" --layer "$l"

l="$(fresh bootloop)"; sed -i 's/^    echo "bes2600: no slot has tries left, booting without counting"$/    reset/' \
    "$l/dynamic-layers/rauc/recipes-bsp/u-boot/files/bes2600-boot.cmd.in"
expect_fail "boot script reboots when every slot is out of tries" "both slots out of tries.*reset.*FAIL" \
    "$py" "$layer/scripts/check-boot-script.py" --layer "$l"

l="$(fresh bootab)"; sed -i 's/--part-name bootab --label bootab --active/--part-name bootab --label bootab/; s/--label rootfsA --fstype=ext4/--label rootfsA --active --fstype=ext4/' "$l/files/wic/pinetab2-ab.wks"
expect_fail "boot script partition not the bootable one" "FAIL  pinetab2-ab.wks: bootab @24576s is the only active" layercheck "$l"

# shellcheck disable=SC2016 # literal shell text
sed 's/chmod 0600 "$tmp"/chmod 0644 "$tmp"/' "$layer/recipes-connectivity/bes2600-wifi-provision/files/bes2600-wifi-provision" >"$tmp/wifi-provision"
expect_fail "Wi-Fi secret written world-readable" "FAIL  wpa_supplicant-wlan0.conf is mode 0600" \
    sh "$layer/scripts/check-wifi-provision.sh" "$layer" "$tmp/wifi-provision"

printf 'CONFIG_ROCKCHIP_TIMER=y\nCONFIG_PM_SLEEP=y\nCONFIG_ARCH_ROCKCHIP=m\n' >"$tmp/bad.cfg"
if [ -n "$ksrc" ]; then
    expect_fail "fragment sets COMPILE_TEST-only, prompt-less and =m-on-bool symbols" \
        "ROCKCHIP_TIMER: only visible with COMPILE_TEST" "$py" "$layer/scripts/check-kconfig.py" --ksrc "$ksrc" "$tmp/bad.cfg"
fi

echo "yocto self-test: $caught of $cases deliberate violations caught"
[ "$caught" -eq "$cases" ] || fail=1
exit "$fail"
