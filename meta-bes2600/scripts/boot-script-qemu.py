#!/usr/bin/env python3
"""Runs the RAUC A/B boot script in a real U-Boot: Debian's qemu_arm64 build in QEMU.

check-boot-script.py models many boots with an interpreter; this runs the same rendered
script through U-Boot's own hush and commands, on a virtio disk partitioned like
files/wic/pinetab2-ab.wks (same partition numbers, bootab the only bootable one, vfat with
boot.scr; rootfsA ext4 with /boot/Image, the DTB and the overlay; rootfsB empty), for two
starting environments:
  * fresh (no BOOT_* variables): U-Boot's boot scan must find boot.scr on bootab and the
    script must pick slot A with tries A 2, B 0;
  * BOOT_ORDER "B A" with tries left on the empty slot B: the script must give B no more
    tries and boot A in the same pass.
The environment is given at the prompt before `run distro_bootcmd` (QEMU's emulated flash
does not accept U-Boot's buffered writes, so saveenv cannot persist here: persistence is
what check-boot-script.py models). The Image is not a kernel, so booti fails after the
decision line and U-Boot goes on to its other boot targets.

Needs: qemu-system-aarch64, u-boot-qemu, u-boot-tools (mkimage), gdisk (sgdisk), dosfstools,
mtools, e2fsprogs, device-tree-compiler. Exits 1 if a decision line is missing.
"""
import os
import pathlib
import re
import subprocess
import sys
import tempfile
import time

sys.path.insert(0, str(pathlib.Path(__file__).resolve().parent))
import importlib.util  # noqa: E402

_spec = importlib.util.spec_from_file_location("cbs", pathlib.Path(__file__).resolve().parent / "check-boot-script.py")
cbs = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(cbs)

UBOOT = pathlib.Path("/usr/lib/u-boot/qemu_arm64/u-boot.bin")
MiB = 1 << 20


def sh(*cmd, **kw):
    subprocess.run(cmd, check=True, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, **kw)


def build_disk(work, layer, names):
    uboot_dir = layer / "dynamic-layers/rauc/recipes-bsp/u-boot"
    text = cbs.render((uboot_dir / "files/bes2600-boot.cmd.in").read_text(),
                      (uboot_dir / "u-boot_%.bbappend").read_text())
    (work / "boot.cmd").write_text(text)
    sh("mkimage", "-A", "arm64", "-T", "script", "-C", "none", "-n", "bes2600 RAUC A/B",
       "-d", str(work / "boot.cmd"), str(work / "boot.scr"))
    # Filesystems: bootab (vfat, boot.scr), rootfsA (ext4 with the boot files).
    sh("mkfs.vfat", "-C", "-n", "BOOTAB", str(work / "bootab.img"), "4096")
    sh("mcopy", "-i", str(work / "bootab.img"), str(work / "boot.scr"), "::boot.scr")
    root = work / "rootA"
    (root / "boot/devicetree").mkdir(parents=True)
    (root / cbs.KERNEL.lstrip("/")).write_bytes(b"not a kernel\n" * 64)
    (work / "base.dts").write_text('/dts-v1/;\n/ { compatible = "pine64,pinetab2"; #address-cells = <2>; '
                                   '#size-cells = <2>; wifi_host: sdmmc { status = "okay"; }; };\n')
    (work / "ov.dtso").write_text('/dts-v1/;\n/plugin/;\n&wifi_host { bes2600 = "added"; };\n')
    sh("dtc", "-@", "-I", "dts", "-O", "dtb", "-o", str(root / cbs.FDT.lstrip("/")), str(work / "base.dts"))
    sh("dtc", "-@", "-I", "dts", "-O", "dtb", "-o", str(root / cbs.OVERLAY.lstrip("/")), str(work / "ov.dtso"))
    sh("mkfs.ext4", "-q", "-F", "-L", "rootfsA", "-d", str(root), str(work / "rootA.img"), "16M")
    # The disk: one MiB per partition the script does not read, in wks order.
    disk = work / "disk.img"
    sizes = {"bootab": 4, "rootfsA": 16, "rootfsB": 16, "data": 4}
    total = 1 + sum(sizes.get(n, 1) for n in names) + 1
    with open(disk, "wb") as f:
        f.truncate(total * MiB)
    args, start = ["sgdisk", "-o"], 2048
    offsets = {}
    for i, n in enumerate(names, 1):
        size = sizes.get(n, 1) * MiB // 512
        args += [f"-n{i}:{start}:{start + size - 1}", f"-c{i}:{n}"]
        offsets[n] = start * 512
        start += size
    args += [f"-A{names.index('bootab') + 1}:set:2", str(disk)]  # legacy BIOS bootable = --active
    sh(*args)
    for n, img in (("bootab", "bootab.img"), ("rootfsA", "rootA.img")):
        sh("dd", f"if={work / img}", f"of={disk}", "bs=512", f"seek={offsets[n] // 512}", "conv=notrunc")
    return disk


def boot(work, disk, env_cmds, expect, timeout=90):
    flash0 = work / "flash0.img"
    with open(flash0, "wb") as f:
        f.write(UBOOT.read_bytes())
        f.truncate(64 * MiB)
    flash1 = work / "flash1.img"
    with open(flash1, "wb") as f:
        f.truncate(64 * MiB)
    cmd = ["qemu-system-aarch64", "-M", "virt", "-cpu", "cortex-a53", "-m", "512", "-nographic",
           "-net", "none", "-monitor", "none",
           "-drive", f"if=pflash,unit=0,format=raw,file={flash0},readonly=on",
           "-drive", f"if=pflash,unit=1,format=raw,file={flash1}",
           "-drive", f"if=none,id=d0,format=raw,file={disk}", "-device", "virtio-blk-device,drive=d0"]
    p = subprocess.Popen(cmd, stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
    os.set_blocking(p.stdout.fileno(), False)
    out, sent, deadline = b"", False, time.monotonic() + timeout
    try:
        while time.monotonic() < deadline:
            chunk = p.stdout.read() or b""
            out += chunk
            if not sent and b"Hit any key to stop autoboot" in out:
                p.stdin.write(b"\n")
                p.stdin.flush()
                time.sleep(0.5)
                for c in env_cmds + ["setenv fdt_addr_r 0x44000000", "setenv fdtoverlay_addr_r 0x44100000",
                                     "setenv boot_targets virtio0", "run distro_bootcmd"]:
                    p.stdin.write(c.encode() + b"\n")
                    p.stdin.flush()
                    time.sleep(0.3)
                sent = True
            if re.search(rb"bes2600: (booting slot|no slot holds)[^\n]*\n", out) and b"Bad Linux ARM64" in out:
                break
            if not chunk:
                time.sleep(0.2)
    finally:
        p.kill()
        p.wait()
    text = out.decode(errors="replace")
    lines = [ln.strip() for ln in text.splitlines() if ln.strip().startswith("bes2600:")]
    ok = all(any(e in ln for ln in lines) for e in expect)
    return ok, lines, text


def main():
    layer = pathlib.Path(__file__).resolve().parent.parent
    names, _ = cbs.wks_layout((layer / "files/wic/pinetab2-ab.wks").read_text())
    if not UBOOT.is_file():
        print(f"FAIL  {UBOOT} is missing (Debian package u-boot-qemu)")
        return 1
    fails = 0
    with tempfile.TemporaryDirectory() as tmp:
        work = pathlib.Path(tmp)
        disk = build_disk(work, layer, names)
        runs = [
            ("fresh environment", [], ["bes2600: booting slot A (counted, tries left A 2 B 0)"]),
            ("tries left on the empty slot B",
             ['setenv BOOT_ORDER "B A"', "setenv BOOT_A_LEFT 3", "setenv BOOT_B_LEFT 3"],
             ["bes2600: slot B holds no kernel, it gets no more tries",
              "bes2600: booting slot A (counted, tries left A 2 B 0)"]),
        ]
        for name, env, expect in runs:
            ok, lines, text = boot(work, disk, env, expect)
            fails += not ok
            print(f"{'ok  ' if ok else 'FAIL'}  U-Boot (Debian qemu_arm64) {name}: {' | '.join(lines) or 'no bes2600 line'}")
            if not ok:
                print("\n".join(text.splitlines()[-30:]))
    print(f"real U-Boot runs: {len(runs) - fails} passed, {fails} failed")
    return 1 if fails else 0


if __name__ == "__main__":
    sys.exit(main())
