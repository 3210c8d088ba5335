# hwsim-medium (image/hwsim-medium/): mac80211_hwsim's medium over generic netlink, the bridge
# to the simulated chip's air, the downlink stream injector and the uplink sender, for the
# real-AP phase (70) and the CPU side-by-side phase (80). Cross-built for aarch64 with
# Debian's rustc-web, as bes2600-fw is, stripped, and installed with its NEEDED libraries.
(cd "$BES2600_ROOT" && env RUSTC=/usr/bin/rustc RUSTDOC=/usr/bin/rustdoc \
    CARGO_TARGET_DIR="$BES2600_CACHE/target-aarch64" \
    CARGO_TARGET_AARCH64_UNKNOWN_LINUX_GNU_LINKER=aarch64-linux-gnu-gcc \
    /usr/bin/cargo build -q --release --locked --target aarch64-unknown-linux-gnu \
    -p hwsim-medium) || die "hwsim-medium did not cross-build for aarch64"
aarch64-linux-gnu-strip -o "$OUT/hwsim-medium" \
    "$BES2600_CACHE/target-aarch64/aarch64-unknown-linux-gnu/release/hwsim-medium"
install_elf "$OUT/hwsim-medium" bin/hwsim-medium
