#!/usr/bin/env python3
"""Checks that the pins the BES2600 overlay uses are not used by anything else in a merged DTB.

Usage: check-pins.py MERGED.dtb NODE_PATH...

NODE_PATHs are the overlay's own nodes. Every Rockchip GPIO line they use (in *-gpios/gpio
properties, or muxed by the pin groups their pinctrl-N properties select) is collected. The
check fails if another enabled node uses the same line, either as a GPIO or through a pin
group. Needs pylibfdt (from the board venv). Prints one line per pin and exits 1 on a
conflict.
"""

import re
import struct
import sys

import libfdt

GPIO_PROP = re.compile(r"^(.*-)?gpios?$")


def cells(raw):
    return list(struct.unpack(f">{len(raw) // 4}I", raw[: len(raw) // 4 * 4]))


class Tree:
    def __init__(self, path):
        with open(path, "rb") as f:
            self.fdt = libfdt.Fdt(f.read())
        # phandle of a Rockchip GPIO controller -> bank, from the gpio0..gpio4 labels of the
        # mainline rk356x DTS (the base DTB is built with -@).
        self.banks = {}
        for bank in range(5):
            sym = self.symbol(f"gpio{bank}")
            if sym is not None:
                self.banks[self.fdt.get_phandle(self.fdt.path_offset(sym))] = bank
        if len(self.banks) != 5:
            sys.exit("the DTB lacks the gpio0..gpio4 symbols (built without -@?)")

    def nodes(self):
        off, depth = 0, 0
        while off >= 0 and depth >= 0:
            yield off, self.fdt.get_path(off)
            try:
                off, depth = self.fdt.next_node(off, depth, libfdt.QUIET_NOTFOUND)
            except (libfdt.FdtException, TypeError, ValueError):
                return

    def prop(self, off, name):
        try:
            return bytes(self.fdt.getprop(off, name))
        except libfdt.FdtException:
            return None

    def props(self, off):
        try:
            poff = self.fdt.first_property_offset(off)
        except libfdt.FdtException:
            return
        while True:
            p = self.fdt.get_property_by_offset(poff)
            yield p.name, bytes(p)
            try:
                poff = self.fdt.next_property_offset(poff)
            except libfdt.FdtException:
                return

    def symbol(self, label):
        try:
            return self.fdt.getprop(self.fdt.path_offset("/__symbols__"), label).as_str()
        except libfdt.FdtException:
            return None

    def enabled(self, off):
        path = self.fdt.get_path(off)
        while True:
            status = self.prop(off, "status")
            if status is not None and status.rstrip(b"\0") not in (b"okay", b"ok"):
                return False
            if path == "/":
                return True
            path = path.rsplit("/", 1)[0] or "/"
            off = self.fdt.path_offset(path)

    def gpio_cells(self, ph):
        try:
            off = self.fdt.node_offset_by_phandle(ph)
        except libfdt.FdtException:
            return None
        raw = self.prop(off, "#gpio-cells")
        return cells(raw)[0] if raw else None

    def uses(self, off):
        """(bank, pin, how) for every Rockchip GPIO line node `off` uses."""
        out = []
        for name, raw in self.props(off):
            if GPIO_PROP.match(name) and not name.startswith("#"):
                v, i = cells(raw), 0
                while i < len(v):
                    n = self.gpio_cells(v[i])
                    if n is None:
                        break
                    if v[i] in self.banks and i + 1 < len(v):
                        out.append((self.banks[v[i]], v[i + 1], name))
                    i += 1 + n
            elif re.match(r"^pinctrl-[0-9]+$", name):
                for ph in cells(raw):
                    try:
                        grp = self.fdt.node_offset_by_phandle(ph)
                    except libfdt.FdtException:
                        continue
                    pins = cells(self.prop(grp, "rockchip,pins") or b"")
                    for j in range(0, len(pins) - 3, 4):
                        out.append((pins[j], pins[j + 1], f"{name} {self.fdt.get_name(grp)}"))
        return out


def pin_name(bank, pin):
    return f"GPIO{bank}_{'ABCD'[pin // 8]}{pin % 8}"


def main():
    if len(sys.argv) < 3:
        sys.exit(__doc__)
    tree, ours = Tree(sys.argv[1]), sys.argv[2:]
    mine, others = {}, {}
    for off, path in tree.nodes():
        if path.startswith("/__") or not tree.enabled(off):
            continue
        for bank, pin, how in tree.uses(off):
            target = mine if path in ours else others
            target.setdefault((bank, pin), []).append(f"{path} ({how})")
    missing = [p for p in ours if not any(p in u for us in mine.values() for u in us)]
    bad = 0
    for key in sorted(mine):
        clash = others.get(key, [])
        state = "CONFLICT with " + "; ".join(clash) if clash else "only ours"
        bad += bool(clash)
        print(f"  {pin_name(*key):9} {state}: {', '.join(sorted(set(mine[key])))}")
    for p in missing:
        print(f"  {p}: uses no GPIO line (node missing or disabled?)")
    sys.exit(1 if bad or missing else 0)


if __name__ == "__main__":
    main()
