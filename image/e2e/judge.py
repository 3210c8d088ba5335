#!/usr/bin/env python3
"""The e2e verdict: reads the guest's E2E-RESULT line from the boot log and runs every
image/e2e/judge/NN_*.py on it (see judge/README.md). Prints ONE JSON object, the last line;
exits 0 only if every named check passes.

Usage: judge.py BOOT_LOG T_KERNEL T_MODULE T_INITRAMFS T_BOOT KERNEL WANT_CC TRACE_FILE
"""
import glob
import importlib.util
import json
import os
import sys


def load_result(log):
    res = None
    for line in open(log, errors="replace"):
        line = line.strip()
        if line.startswith("E2E-RESULT "):
            try:
                res = json.loads(line[len("E2E-RESULT "):])
            except ValueError:
                res = None
    return res


def main(argv):
    if len(argv) != 9:
        sys.exit(__doc__)
    log, (tk, tm, ti, tb) = argv[1], map(int, argv[2:6])
    kernel, want_cc, trace_file = argv[6], argv[7], argv[8]
    saved_trace = sum(1 for _ in open(trace_file, errors="replace"))
    timings = {"kernel_build_s": tk, "module_build_s": tm, "initramfs_s": ti, "boot_s": tb}
    res = load_result(log)
    if res is None:
        print(json.dumps({"pass": False, "stage": "boot", "kernel": kernel,
                          "failed_checks": ["e2e_result_line"], **timings}))
        return 1
    ctx = {"kernel": kernel, "want_cc": want_cc, "bus_trace_saved": saved_trace, **timings}
    out = {"kernel": kernel}
    failed = []
    here = os.path.join(os.path.dirname(os.path.abspath(__file__)), "judge")
    ran = str(res.get("phases", "")).split()
    for path in sorted(glob.glob(os.path.join(here, "[0-9][0-9]_*.py"))):
        name = os.path.basename(path)[:-3]
        if name[:2] not in ran:
            # Judged only if its phase ran: a judge whose phase is missing fails, unless the
            # run was restricted on purpose (e2e.only, development runs; never "pass").
            if not res.get("partial"):
                failed.append(f"{name}: its phase did not run")
            continue
        spec = importlib.util.spec_from_file_location(f"e2e_judge_{name}", path)
        mod = importlib.util.module_from_spec(spec)
        try:
            spec.loader.exec_module(mod)
            fields, checks = mod.judge(res, ctx)
        except Exception as exc:  # a broken judge fails the run by name, never silently
            failed.append(f"{name}: {type(exc).__name__}: {exc}")
            continue
        out.update(fields)
        failed += [f"{name}.{check}" for check, ok in checks if not ok]
    # A phase the guest could not parse is skipped there and fails here.
    failed += [k for k in res if k.startswith("phase_error_")]
    out.update(timings)
    out["failed_checks"] = failed
    out["phases"] = ran
    # A restricted development run (BES2600_E2E_ONLY) reports its checks but never passes.
    out["partial"] = bool(res.get("partial"))
    out["pass"] = not failed and not out["partial"]
    print(json.dumps(out))
    return 0 if out["pass"] else 1


if __name__ == "__main__":
    sys.exit(main(sys.argv))
