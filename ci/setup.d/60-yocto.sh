# shellcheck shell=bash
# Yocto layer checks (ci/tests.d/60-yocto.sh), all offline: oelint-adv lints the recipes; kas
# ships the JSON schema and the include handler the kas files are checked with;
# check-jsonschema carries the GitLab CI and GitHub workflow schemas for ci/pipelines/.
# They live in their own venv: check-jsonschema needs jsonschema >= 4.18, while dtschema
# (20-board.sh) pins 4.17.3 in the shared one. Versions pinned.
BES2600_YOCTO_VENV="$BES2600_CACHE/venv-yocto"
export BES2600_YOCTO_VENV
BES2600_VENV="$BES2600_YOCTO_VENV" pip_install \
    oelint-adv==9.11.2 kas==5.5 check-jsonschema==0.39.0 jsonschema==4.23.0 PyYAML==6.0.2
# RAUC A/B checks (meta-bes2600/scripts/check-bundle.sh, boot-script-qemu.py): Debian's rauc
# host tool (with squashfs-tools) builds and verifies a signed bundle; U-Boot's qemu_arm64
# build runs the boot script in QEMU on a disk laid out like pinetab2-ab.wks.
apt_install rauc squashfs-tools u-boot-qemu u-boot-tools gdisk dosfstools mtools e2fsprogs \
    device-tree-compiler qemu-system-arm openssl
