#!/usr/bin/env python3
"""Runs the RAUC A/B boot script (bes2600-boot.cmd.in) against a table of cases, offline.

The script is executed by a small interpreter of the U-Boot hush subset it uses: `if/elif/
else/fi`, `for ... in ...; do ... done`, `||`/`&&`, double quotes, `${var}` (shell-local
loop variables first, then the environment, as U-Boot's old hush looks them up), and the
commands test, setenv, setexpr, saveenv, echo, part number, load, fdt, booti, reset. Their
semantics follow U-Boot v2026.01, the version wrynose builds:
  * test -gt/-eq/...: simple_strtol(s, NULL, 0) on both sides (cmd/test.c)
  * setexpr: operands with hextoul, result stored with "%lx" (cmd/setexpr.c, env_set_hex)
  * part number: stores "0x%x" (cmd/part.c); load takes "<dev>:<hex part>"
  * saveenv makes the current environment the one the next boot starts from; whatever the
    script changed but did not save is lost at the next power cycle
Anything outside that subset (another command, a malformed test) is an error, so the
interpreter cannot quietly model a construct it does not know.

RAUC's side is modelled on rauc's src/bootloaders/uboot.c (fw_setenv): install marks the
target bad (drops it from BOOT_ORDER, BOOT_x_LEFT=0), writes it, then makes it primary
(BOOT_x_LEFT=<boot-attempts-primary> in hex, slot first in BOOT_ORDER); mark-good sets
BOOT_x_LEFT=<boot-attempts>.

The disk is laid out from files/wic/pinetab2-ab.wks (partition numbers in wks order); the
check also requires that the only bootable (--active) partition is bootab, outside the slots.

Prints the decision table (Markdown) and exits 1 if any case differs from what it expects.
"""
import argparse
import pathlib
import re
import sys

TRIES = 3
KERNEL = "/boot/Image"
FDT = "/boot/rk3566-pinetab2-v2.0.dtb"
OVERLAY = "/boot/devicetree/rk3566-pinetab2-v2.0-bes2600.dtbo"
SUBST = {"BOOT_TRIES": str(TRIES), "KERNEL_IMAGE": KERNEL, "FDT": FDT, "FDTOVERLAYS": OVERLAY,
         "KERNEL_ARGS": "rootwait rw rootfstype=ext4 earlycon console=tty1 console=ttyS2,1500000n8"}
KEYWORDS = {"if", "then", "elif", "else", "fi", "for", "in", "do", "done"}


class ScriptError(Exception):
    pass


class Stop(Exception):
    """booti or reset: the script does not go on."""


# ---- parser ----------------------------------------------------------------------------------
def tokenize(text):
    """Words (raw, quotes kept) and the separators ';', '\\n', '||', '&&'."""
    toks, i, n = [], 0, len(text)
    while i < n:
        c = text[i]
        if c in " \t":
            i += 1
        elif c == "#":
            while i < n and text[i] != "\n":
                i += 1
        elif c in ";\n":
            toks.append(";")
            i += 1
        elif text.startswith("||", i) or text.startswith("&&", i):
            toks.append(text[i:i + 2])
            i += 2
        elif c == "|" or c == "&" or c == ">" or c == "<":
            raise ScriptError(f"unsupported operator {c!r}")
        else:
            j, quote = i, None
            while j < n:
                d = text[j]
                if quote:
                    if d == quote:
                        quote = None
                elif d in "\"'":
                    quote = d
                elif d in " \t;\n" or text.startswith("||", j) or text.startswith("&&", j):
                    break
                j += 1
            if quote:
                raise ScriptError("unterminated quote")
            toks.append(text[i:j])
            i = j
    return toks


class Parser:
    def __init__(self, toks):
        self.toks, self.pos = toks, 0

    def peek(self):
        return self.toks[self.pos] if self.pos < len(self.toks) else None

    def skip_seps(self):
        while self.peek() == ";":
            self.pos += 1

    def expect(self, word):
        self.skip_seps()
        if self.peek() != word:
            raise ScriptError(f"expected {word!r}, found {self.peek()!r}")
        self.pos += 1

    def parse_list(self, stop):
        """Statements until one of the keywords in stop (not consumed)."""
        out = []
        while True:
            self.skip_seps()
            t = self.peek()
            if t is None or t in stop:
                return out
            out.append(self.parse_andor())

    def parse_andor(self):
        items = [("", self.parse_command())]
        while self.peek() in ("||", "&&"):
            op = self.toks[self.pos]
            self.pos += 1
            items.append((op, self.parse_command()))
        return ("andor", items)

    def parse_command(self):
        t = self.peek()
        if t == "if":
            self.pos += 1
            branches, other = [], None
            cond = self.parse_list({"then"})
            self.expect("then")
            body = self.parse_list({"elif", "else", "fi"})
            branches.append((cond, body))
            while True:
                t = self.peek()
                self.pos += 1
                if t == "elif":
                    cond = self.parse_list({"then"})
                    self.expect("then")
                    branches.append((cond, self.parse_list({"elif", "else", "fi"})))
                elif t == "else":
                    other = self.parse_list({"fi"})
                    self.expect("fi")
                    return ("if", branches, other)
                elif t == "fi":
                    return ("if", branches, other)
                else:
                    raise ScriptError(f"unterminated if ({t!r})")
        if t == "for":
            self.pos += 1
            var = self.toks[self.pos]
            self.pos += 1
            self.expect("in")
            words = []
            while self.peek() not in (";", None):
                words.append(self.toks[self.pos])
                self.pos += 1
            self.expect("do")
            body = self.parse_list({"done"})
            self.expect("done")
            return ("for", var, words, body)
        words = []
        while self.peek() not in (None, ";", "||", "&&"):
            w = self.toks[self.pos]
            if not words and w in KEYWORDS:
                raise ScriptError(f"unexpected keyword {w!r}")
            words.append(w)
            self.pos += 1
        if not words:
            raise ScriptError(f"empty command before {self.peek()!r}")
        return ("cmd", words)


# ---- U-Boot semantics ------------------------------------------------------------------------
def strtol0(s):
    """simple_strtol(s, NULL, 0): base from the prefix, stops at the first invalid digit."""
    s = s.strip()
    neg = s.startswith("-")
    s = s.lstrip("+-")
    if s[:2].lower() == "0x":
        base, s = 16, s[2:]
    elif s.startswith("0") and len(s) > 1:
        base, s = 8, s[1:]
    else:
        base = 10
    digits = "0123456789abcdef"[:base]
    val = 0
    for ch in s.lower():
        if ch not in digits:
            break
        val = val * base + digits.index(ch)
    return -val if neg else val


def hextoul(s):
    s = s.strip().lower()
    s = s[2:] if s.startswith("0x") else s
    m = re.match(r"[0-9a-f]*", s)
    return int(m.group(0), 16) if m.group(0) else 0


class Disk:
    """Partitions in wks order (numbered from 1): name -> set of files, or None (no filesystem)."""

    def __init__(self, names, files):
        self.names = names
        self.files = files

    def number(self, label):
        return self.names.index(label) + 1 if label in self.names else None

    def has(self, part, path):
        if not 1 <= part <= len(self.names):
            return False
        return path in (self.files.get(self.names[part - 1]) or set())


class UBoot:
    def __init__(self, saved_env, disk, bootpart):
        # A missing or bad environment means U-Boot's default one, which has no BOOT_* names.
        self.env = dict(saved_env or {})
        self.env.update({"devtype": "mmc", "devnum": "1", "distro_bootpart": "%x" % bootpart,
                         "kernel_addr_r": "0x02080000", "fdt_addr_r": "0x0a100000",
                         "fdtoverlay_addr_r": "0x0a200000"})
        self.local = {}
        self.saved = None if saved_env is None else dict(saved_env)
        self.saves = 0
        self.disk = disk
        self.out = []
        self.booted = None

    def lookup(self, name):
        return self.local.get(name, self.env.get(name, ""))

    def expand(self, word):
        """Fields of one word: unquoted expansions split on blanks, quoted ones do not."""
        fields, cur, has, quote, i = [], "", False, None, 0
        while i < len(word):
            c = word[i]
            if quote == "'":
                if c == "'":
                    quote = None
                else:
                    cur += c
            elif c == '"':
                quote = None if quote == '"' else '"'
                has = True
            elif c == "'" and not quote:
                quote, has = "'", True
            elif c == "$" and word.startswith("${", i):
                j = word.index("}", i)
                val = self.lookup(word[i + 2:j])
                if quote:
                    cur += val
                else:
                    parts = val.split()
                    if parts:
                        if val[0] in " \t" and (cur or has):
                            fields.append(cur)
                            cur, has = "", False
                        cur += parts[0]
                        for p in parts[1:]:
                            fields.append(cur)
                            cur = p
                        if val[-1] in " \t":
                            fields.append(cur)
                            cur, has = "", False
                            i = j + 1
                            continue
                    has = has or bool(parts)
                i = j + 1
                continue
            else:
                cur += c
                has = True
            i += 1
        if cur or has:
            fields.append(cur)
        return fields

    def run_list(self, stmts):
        rc = 0
        for s in stmts:
            rc = self.run_andor(s)
        return rc

    def run_andor(self, node):
        rc = 0
        for op, cmd in node[1]:
            if op == "||" and rc == 0 or op == "&&" and rc != 0:
                continue
            rc = self.run_command(cmd)
        return rc

    def run_command(self, node):
        kind = node[0]
        if kind == "if":
            for cond, body in node[1]:
                if self.run_list(cond) == 0:
                    return self.run_list(body)
            return self.run_list(node[2]) if node[2] is not None else 0
        if kind == "for":
            rc = 0
            for w in [f for word in node[2] for f in self.expand(word)]:
                self.local[node[1]] = w
                rc = self.run_list(node[3])
            return rc
        argv = [f for w in node[1] for f in self.expand(w)]
        return self.builtin(argv)

    def builtin(self, argv):
        name, args = argv[0], argv[1:]
        if name == "test":
            return 0 if self.test(args) else 1
        if name == "setenv":
            if not args:
                raise ScriptError("setenv without a name")
            if len(args) == 1:
                self.env.pop(args[0], None)
            else:
                self.env[args[0]] = " ".join(args[1:])
            return 0
        if name == "setexpr":
            if len(args) != 4 or args[2] not in "+-":
                raise ScriptError(f"setexpr form not modelled: {args}")
            a, b = hextoul(args[1]), hextoul(args[3])
            self.env[args[0]] = "%x" % ((a + b if args[2] == "+" else a - b) & (2**64 - 1))
            return 0
        if name == "saveenv":
            self.saved = dict(self.env)
            self.saves += 1
            return 0
        if name == "echo":
            self.out.append(" ".join(args))
            return 0
        if name == "part":
            if len(args) != 5 or args[0] != "number":
                raise ScriptError(f"part form not modelled: {args}")
            n = self.disk.number(args[3])
            if n is None:
                return 1
            self.env[args[4]] = "0x%x" % n
            return 0
        if name == "load":
            if len(args) != 4:
                raise ScriptError(f"load form not modelled: {args}")
            _, _, part = args[1].partition(":")
            return 0 if self.disk.has(hextoul(part), args[3]) else 1
        if name == "fdt":
            if args[:1] not in (["addr"], ["resize"], ["apply"]):
                raise ScriptError(f"fdt form not modelled: {args}")
            return 0
        if name == "booti":
            self.booted = self.env.get("bootargs", "")
            raise Stop()
        if name == "reset":
            self.booted = "RESET"
            raise Stop()
        raise ScriptError(f"command not modelled: {name}")

    def test(self, a):
        ints = {"-gt": lambda x, y: x > y, "-lt": lambda x, y: x < y, "-eq": lambda x, y: x == y,
                "-ne": lambda x, y: x != y, "-ge": lambda x, y: x >= y, "-le": lambda x, y: x <= y}
        if len(a) == 2 and a[0] in ("-n", "-z"):
            return bool(a[1]) if a[0] == "-n" else not a[1]
        if len(a) == 3 and a[1] in ("=", "!="):
            return (a[0] == a[2]) == (a[1] == "=")
        if len(a) == 3 and a[1] in ints:
            return ints[a[1]](strtol0(a[0]), strtol0(a[2]))
        raise ScriptError(f"test form not modelled: {a}")


# ---- the world around the script -------------------------------------------------------------
def render(template, bbappend_text):
    names = set(re.findall(r"@@(\w+)@@", template))
    filled = set(re.findall(r"s\|@@(\w+)@@\|", bbappend_text))
    if names - filled:
        raise ScriptError(f"fields the bbappend does not fill in: {sorted(names - filled)}")
    for k, v in SUBST.items():
        template = template.replace(f"@@{k}@@", v)
    return template


def wks_layout(wks_text):
    names, active = [], []
    for line in wks_text.splitlines():
        if line.startswith("part "):
            m = re.search(r"--part-name (\S+)", line)
            names.append(m.group(1) if m else f"part{len(names) + 1}")
            if "--active" in line:
                active.append(names[-1])
    return names, active


SLOT_FILES = {KERNEL, FDT, OVERLAY}


class Device:
    """The tablet: disk contents, the saved environment and what each boot did."""

    def __init__(self, program, names, bootpart, env=None, a="good", b="empty"):
        self.program, self.names, self.bootpart = program, names, bootpart
        self.env = env  # None: no valid environment (blank or both copies bad)
        self.content = {"rootfsA": a, "rootfsB": b}
        self.log = []

    def files(self):
        out = {}
        for slot, state in self.content.items():
            # "kernel-only": power cut after the kernel file but before the rest of the image.
            out[slot] = SLOT_FILES if state in ("good", "broken", "kernel-only") else None
        return out

    def boot(self):
        ub = UBoot(self.env, Disk(self.names, self.files()), self.bootpart)
        try:
            ub.run_list(self.program)
        except Stop:
            pass
        self.env = ub.saved
        if ub.booted == "RESET":
            result = ("reset", "")
        elif ub.booted is None:
            result = ("stopped", "")
        else:
            slot = re.search(r"rauc\.slot=(\S+)", ub.booted)
            mode = re.search(r"bes2600_ab=(\S+)", ub.booted)
            root = re.search(r"root=PARTLABEL=rootfs(\S+)", ub.booted)
            if not slot or not root or root.group(1) != slot.group(1):
                raise ScriptError(f"bootargs do not name one slot: {ub.booted}")
            result = (slot.group(1), mode.group(1) if mode else "?")
        self.log.append((result, ub.saves))
        return result

    def up(self, result):
        """Whether the booted system comes up far enough to run the smoke test."""
        slot = result[0]
        return slot in ("A", "B") and self.content[f"rootfs{slot}"] == "good"

    # rauc (src/bootloaders/uboot.c) through fw_setenv
    def _order(self):
        return (self.env or {}).get("BOOT_ORDER", "").split()

    def rauc_mark_bad(self, slot):
        env = dict(self.env or {})
        env["BOOT_ORDER"] = " ".join(s for s in self._order() if s != slot)
        env[f"BOOT_{slot}_LEFT"] = "0"
        self.env = env

    def rauc_set_primary(self, slot):
        env = dict(self.env or {})
        env[f"BOOT_{slot}_LEFT"] = "%x" % TRIES
        env["BOOT_ORDER"] = " ".join([slot] + [s for s in self._order() if s != slot])
        self.env = env

    def rauc_mark_good(self, slot):
        env = dict(self.env or {})
        env[f"BOOT_{slot}_LEFT"] = "%x" % TRIES
        self.env = env

    def rauc_install(self, slot, new="good", cut=False):
        self.rauc_mark_bad(slot)
        self.content[f"rootfs{slot}"] = "kernel-only" if cut else new
        if not cut:
            self.rauc_set_primary(slot)

    def boots(self, n, mark_good):
        """n boots; after each one that comes up, the smoke test passes (mark_good) or not."""
        res = []
        for _ in range(n):
            r = self.boot()
            res.append(r)
            if mark_good and self.up(r):
                self.rauc_mark_good(r[0])
        return res


def state(dev):
    e = dev.env or {}
    return f"{e.get('BOOT_ORDER', '-')}; A={e.get('BOOT_A_LEFT', '-')} B={e.get('BOOT_B_LEFT', '-')}"


def fmt(results):
    return ", ".join(f"{s}" if s in ("stopped", "reset") else f"{s} ({m})" for s, m in results)


def cases(new):
    """(name, setup+run -> (boots, device), expected boots, expected final saved state)."""
    def fresh_marked():
        d = new()
        return d.boots(1, True), d
    def fresh_never():
        d = new()
        return d.boots(5, False), d
    def b_installed():
        d = new()
        d.boots(1, True)
        d.rauc_install("B")
        return d.boots(2, True), d
    def b_bad_three():
        d = new()
        d.boots(1, True)
        d.rauc_install("B", new="broken")
        return d.boots(5, True), d
    def both_bad():
        d = new(env={"BOOT_ORDER": "B A", "BOOT_A_LEFT": "0", "BOOT_B_LEFT": "0"}, b="good")
        return d.boots(3, False), d
    def cut_install_b():
        d = new()
        d.boots(1, True)
        d.rauc_install("B", cut=True)
        return d.boots(2, True), d
    def cut_install_a():
        d = new(env={"BOOT_ORDER": "B A", "BOOT_A_LEFT": "3", "BOOT_B_LEFT": "3"}, b="good")
        d.boots(1, True)
        d.rauc_install("A", cut=True)
        return d.boots(2, True), d
    def env_lost():
        d = new(b="good")
        d.boots(1, True)
        d.rauc_install("B")
        d.boots(1, True)
        d.env = None  # both environment copies unreadable
        return d.boots(1, True), d
    def cut_primary():
        d = new()
        d.boots(1, True)
        d.rauc_mark_bad("B")
        d.content["rootfsB"] = "good"
        d.env["BOOT_B_LEFT"] = "%x" % TRIES  # first fw_setenv of set-primary done, BOOT_ORDER not
        return d.boots(1, True), d
    def env_lost_a_cut():
        d = new(a="empty", b="good")  # A was being written when both copies went bad
        return d.boots(2, True), d
    def tries_no_kernel():
        d = new(env={"BOOT_ORDER": "B A", "BOOT_A_LEFT": "3", "BOOT_B_LEFT": "3"})
        return d.boots(1, True), d
    def nothing_loads():
        d = new(a="empty")
        return d.boots(2, False), d
    return [
        ("fresh image, smoke test passes", fresh_marked, "A (counted)", "A B; A=3 B=0"),
        ("fresh image, smoke test never passes (5 boots)", fresh_never,
         "A (counted), A (counted), A (counted), A (uncounted), A (uncounted)", "A B; A=0 B=0"),
        ("B installed, passes", b_installed, "B (counted), B (counted)", "B A; A=3 B=3"),
        ("B installed, bad three times (5 boots)", b_bad_three,
         "B (counted), B (counted), B (counted), A (counted), A (counted)", "B A; A=3 B=0"),
        ("both slots out of tries (3 boots)", both_bad,
         "B (uncounted), B (uncounted), B (uncounted)", "B A; A=0 B=0"),
        ("power loss while installing B", cut_install_b, "A (counted), A (counted)", "A; A=3 B=0"),
        ("power loss while installing A (B running)", cut_install_a, "B (counted), B (counted)",
         "B; A=0 B=3"),
        ("environment lost after B was installed", env_lost, "A (counted)", "A B; A=3 B=0"),
        ("power loss between the two writes of set-primary (B)", cut_primary, "A (counted)",
         "A; A=3 B=3"),
        ("environment lost while A was being written", env_lost_a_cut,
         "B (uncounted), B (counted)", "A B; A=0 B=3"),
        ("tries left on an empty slot", tries_no_kernel, "A (counted)", "B A; A=3 B=0"),
        ("no slot holds a kernel (2 boots)", nothing_loads, "stopped, stopped", "A B; A=0 B=0"),
    ]


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--layer", type=pathlib.Path, default=pathlib.Path(__file__).resolve().parent.parent)
    args = ap.parse_args()
    uboot = args.layer / "dynamic-layers/rauc/recipes-bsp/u-boot"
    wks = (args.layer / "files/wic/pinetab2-ab.wks").read_text()
    names, active = wks_layout(wks)
    fails = 0
    if active != ["bootab"] or "rootfsA" not in names or "rootfsB" not in names:
        print(f"FAIL  pinetab2-ab.wks: the only --active partition must be bootab, outside the slots "
              f"(active: {active})")
        return 1
    print(f"ok    pinetab2-ab.wks: U-Boot scans only bootab (partition {names.index('bootab') + 1}); "
          f"rootfsA is {names.index('rootfsA') + 1}, rootfsB {names.index('rootfsB') + 1}")
    try:
        text = render((uboot / "files/bes2600-boot.cmd.in").read_text(), (uboot / "u-boot_%.bbappend").read_text())
        program = Parser(tokenize(text)).parse_list(set())
    except ScriptError as e:
        print(f"FAIL  boot script: {e}")
        return 1

    def new(env=None, a="good", b="empty"):
        return Device(program, names, names.index("bootab") + 1, env, a, b)

    print("\n| case | boots (slot, mode) | saved state after (BOOT_ORDER; tries) | result |")
    print("|---|---|---|---|")
    for name, run, want_boots, want_state in cases(new):
        dev = None
        try:
            results, dev = run()
            got_boots, got_state = fmt(results), state(dev)
        except ScriptError as e:
            got_boots, got_state = f"error: {e}", "-"
        ok = got_boots == want_boots and got_state == want_state
        if dev is not None and any(r[0] == "reset" for r, _ in dev.log):
            ok = False  # a reboot from the script is a loop waiting to happen
        fails += not ok
        print(f"| {name} | {got_boots} | {got_state} | {'pass' if ok else 'FAIL'} |")
        if not ok:
            print(f"|   expected | {want_boots} | {want_state} | |")
    total = len(cases(new))
    print(f"\nboot-script cases: {total - fails} of {total} as expected")
    return 1 if fails else 0


if __name__ == "__main__":
    sys.exit(main())
