"""The whole run: contract violations, leaks, kernel warnings, the factory record, and that
the kernel that booted is the one this run selected."""


def judge(res, ctx):
    f = {
        # Read by the guest from uname -r and /proc/version: they describe what really booted.
        "kernel_release": res.get("kernel_release"), "kernel_cc": res.get("kernel_cc"),
        "contract_violations": res.get("contract_violations"),
        "kmemleak_leaks": res.get("kmemleak_leaks"),
        "kernel_warnings": res.get("kernel_warnings"),
        "factory_calib": res.get("factory_calib"),
    }
    checks = [
        ("kernel_cc_as_selected", f["kernel_cc"] == ctx["want_cc"]),
        # the vendor's bus contract held over every phase (summed over card reloads)
        ("contract_violations_0", f["contract_violations"] == 0),
        ("kmemleak_leaks_0", f["kmemleak_leaks"] == 0),
        ("kernel_warnings_0", f["kernel_warnings"] == 0),
        # the synthetic factory file reached the boot ROM with a good CRC
        ("factory_calib", f["factory_calib"] is True),
        # a module removal that did not finish within 60 s (image/e2e/lib.sh rmmod_bounded)
        ("no_hung_rmmod", not any(k.startswith("rmmod_hung_") for k in res)),
    ]
    if ctx["kernel"] == "yocto":
        # wrynose ships linux-yocto 6.18: the GCC kernel must be at least that new.
        rel = (f["kernel_release"] or "0.0").split("-")[0].split(".")[:2]
        try:
            ver = tuple(int(x) for x in rel)
        except ValueError:
            ver = (0, 0)
        checks.append(("kernel_at_least_6.18", ver >= (6, 18)))
    return f, checks
