"""bes2600-smoke on the associated link (judged when the image carries it)."""


def judge(res, ctx):
    f = {"smoke_exit": res.get("smoke_exit")}
    return f, [("smoke_passed", f["smoke_exit"] in (None, 0))]
