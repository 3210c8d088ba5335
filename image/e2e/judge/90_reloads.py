"""The driver bound and unbound RELOADS times."""


def judge(res, ctx):
    f = {"reloads_ok": res.get("reloads_ok"), "reloads": res.get("reloads")}
    return f, [("reloads_all_ok", f["reloads"] is not None and f["reloads_ok"] == f["reloads"])]
