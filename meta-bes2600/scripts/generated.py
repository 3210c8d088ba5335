"""Writing or checking the layer's generated files, and the variable layout they share, shared by gen-crates-inc.py and
gen-licenses-inc.py.

Each generator renders the full text of every file it owns; sync() then either rewrites the
files that differ or, with check=True, reports them as stale (with the start of the diff) and
fails.
"""
import difflib
import pathlib
import sys

# Lines of each stale file's diff shown by a check, enough to see what changed.
DIFF_LINES = 30


def sync(files: dict[pathlib.Path, str], check: bool, layer: pathlib.Path, regen: str) -> int:
    """Writes (or with check=True only compares) each file; returns the exit status.

    regen is the command that brings a stale file up to date, printed with each stale path.
    """
    stale = []
    for target, text in files.items():
        old = target.read_text() if target.exists() else None
        if old == text:
            continue
        if check:
            stale.append(target)
            rel = str(target.relative_to(layer))
            diff = list(difflib.unified_diff((old or "").splitlines(), text.splitlines(),
                                             f"{rel} (checked in)", f"{rel} (generated)", lineterm=""))
            print("\n".join(diff[:DIFF_LINES]), file=sys.stderr)
        else:
            target.write_text(text)
            print(f"wrote {target.relative_to(layer)}")
    for t in stale:
        print(f"stale: {t.relative_to(layer)} (run {regen})", file=sys.stderr)
    return 1 if stale else 0


def assignment(var: str, items: list[str], sep: str, op: str = "=") -> str:
    """VAR <op> "a<sep>b..." with one item per line, continuation lines under the first.

    This is the oelint-clean shape: the value starts right after the quote and the
    continuation lines line up under it (bitbake reads it like one line).
    """
    pad = " " * len(f'{var} {op} "')
    body = [f'{var} {op} "{items[0]}'] + [pad + i for i in items[1:]]
    joiner = sep.strip()
    body = [line + (f" {joiner} \\" if joiner else " \\") for line in body[:-1]] + [body[-1] + '"']
    return "\n".join(body)
