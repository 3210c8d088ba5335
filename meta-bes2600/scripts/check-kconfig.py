#!/usr/bin/env python3
"""Audits kernel configuration fragments against a kernel tree's Kconfig files (error level).

For every CONFIG_X=... or "# CONFIG_X is not set" line of each fragment:
  * X is defined by some Kconfig file (config or menuconfig);
  * X can be set by a fragment: it has a prompt, and not only one guarded by COMPILE_TEST
    ("bool "..." if COMPILE_TEST" is invisible on a product config, so the value would come
    from a select or a default, never from the fragment: kernel-yocto's audit reports it);
  * =m only on a tristate; a string/int/hex value only on a symbol of that type.
The same rules are what linux-yocto's do_kernel_configcheck applies when the layer sets
KCONF_BSP_AUDIT_LEVEL = "2" and KMETA_AUDIT_WERROR (recipes-kernel/linux). This check runs it
offline, before a build, against the Linux source the CI has (see --ksrc).

Prints one line per problem and a summary; exits 1 if any fragment has a problem.
"""
import argparse
import os
import pathlib
import re
import sys

TYPE = re.compile(r"^\s*(bool|tristate|string|int|hex|def_bool|def_tristate)\b\s*(\"[^\"]*\")?\s*(?:if\s+(.*))?$")
PROMPT = re.compile(r"^\s*prompt\s+\"[^\"]*\"\s*(?:if\s+(.*))?$")


def kconfig_symbols(root):
    """symbol -> {"types": set, "prompts": [condition or ""]}"""
    syms, cur = {}, None
    for d, _, files in os.walk(root):
        for f in files:
            if not f.startswith("Kconfig"):
                continue
            for line in open(os.path.join(d, f), errors="replace"):
                m = re.match(r"^\s*(?:menu)?config\s+(\w+)\s*$", line)
                if m:
                    cur = syms.setdefault(m.group(1), {"types": set(), "prompts": []})
                    continue
                if cur is None:
                    continue
                m = TYPE.match(line)
                if m:
                    cur["types"].add(m.group(1).replace("def_", ""))
                    if m.group(2) and not m.group(1).startswith("def_"):
                        cur["prompts"].append((m.group(3) or "").strip())
                    continue
                m = PROMPT.match(line)
                if m:
                    cur["prompts"].append((m.group(1) or "").strip())
                    continue
                if re.match(r"^\s*(choice|endchoice|menu|endmenu|if|endif|source|comment|mainmenu)\b", line):
                    cur = None
    return syms


def fragment(path):
    for n, line in enumerate(pathlib.Path(path).read_text().splitlines(), 1):
        s = line.strip()
        m = re.match(r"^CONFIG_(\w+)=(.*)$", s) or re.match(r"^# CONFIG_(\w+) is not set$", s)
        if m:
            yield n, m.group(1), (m.group(2) if m.lastindex == 2 else "n")


def problems(syms, path):
    out, count = [], 0
    for n, sym, val in fragment(path):
        count += 1
        where = f"{path.name}:{n}: CONFIG_{sym}"
        info = syms.get(sym)
        if info is None:
            out.append(f"{where}: not defined in any Kconfig file")
            continue
        usable = [c for c in info["prompts"] if "COMPILE_TEST" not in c]
        if not info["prompts"]:
            out.append(f"{where}: has no prompt, a fragment cannot set it (it is selected or defaulted)")
        elif not usable:
            out.append(f"{where}: only visible with COMPILE_TEST ({info['prompts'][0]}), a fragment cannot set it")
        types = info["types"]
        if val == "m" and "tristate" not in types:
            out.append(f"{where}=m but it is {'/'.join(sorted(types)) or 'untyped'}")
        elif val.startswith('"') and "string" not in types:
            out.append(f"{where}: string value for a {'/'.join(sorted(types))} symbol")
        elif re.fullmatch(r"-?\d+|0x[0-9a-fA-F]+", val) and not types & {"int", "hex"}:
            out.append(f"{where}: numeric value for a {'/'.join(sorted(types))} symbol")
    return count, out


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--ksrc", required=True, type=pathlib.Path, help="a Linux source tree (Kconfig files)")
    ap.add_argument("fragments", nargs="+", type=pathlib.Path)
    args = ap.parse_args()
    syms = kconfig_symbols(args.ksrc)
    if len(syms) < 1000:
        print(f"FAIL  {args.ksrc}: only {len(syms)} Kconfig symbols, not a kernel tree")
        return 1
    bad = 0
    for frag in args.fragments:
        count, out = problems(syms, frag)
        for line in out:
            print(f"FAIL  {line}")
        bad += len(out)
        print(f"{'ok  ' if not out else 'FAIL'}  {frag.name}: {count} symbols, {len(out)} problems")
    print(f"kconfig audit against {len(syms)} symbols of {args.ksrc.name}: {bad} problems")
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main())
