#!/usr/bin/env python3
"""Writes the <recipe>-licenses.inc files of the cargo recipes: LICENSE and LIC_FILES_CHKSUM
for everything statically linked into the recipe's binary.

A cargo recipe links its own crate, the workspace crates it uses and crates.io crates, each
under its own licence. For every recipe of the layer that inherits cargo this script

  * takes the crates linked into the binary from `cargo tree -e normal,no-proc-macro --target
    <triple> --manifest-path <tree>/<CARGO_SRC_DIR>/Cargo.toml`: the dependency graph cargo
    resolves from Cargo.lock for that package with its default features (what oe-core's
    cargo.bbclass builds), without dev-dependencies, build scripts' dependencies and proc
    macros, which run on the build host and are not linked;
  * reads each crate's `license` (SPDX) and licence files from `cargo metadata`, turns the
    SPDX expression into bitbake's syntax (AND -> &, OR -> |, "X WITH Y" -> oe-core's licence
    name) and ANDs the distinct expressions together;
  * points LIC_FILES_CHKSUM at each crate's licence files where bitbake's crate fetcher
    unpacks them, ${CARGO_VENDORING_DIRECTORY}/<name>-<version>/ (cargo_common.bbclass), with
    their md5. The workspace's own crates have no licence file yet: they use oe-core's
    GPL-2.0-only text.

Needs cargo and the crates in cargo's cache (`cargo fetch --locked` once); runs offline.

  gen-licenses-inc.py           rewrite the .inc files
  gen-licenses-inc.py --check   exit 1 if any .inc file differs from what Cargo.lock gives
"""
import argparse
import hashlib
import json
import pathlib
import re
import subprocess
import tarfile

from generated import assignment, sync

LAYER = pathlib.Path(__file__).resolve().parent.parent
# Any triple with the target's cfg values selects the same platform-specific dependencies as
# wrynose's aarch64-poky-linux (Linux, aarch64, gnu).
TARGET = "aarch64-unknown-linux-gnu"
CRATES_IO = "registry+https://github.com/rust-lang/crates.io-index"
# The workspace crates' licence, as oe-core ships its text (md5 of
# meta/files/common-licenses/GPL-2.0-only).
OWN_LICENSE = "GPL-2.0-only"
OWN_LICENSE_MD5 = "801f80980d171dd6425610833a22dbe6"
# SPDX identifiers crates use, by oe-core's licence name (meta/files/common-licenses in
# wrynose holds each of these). A crate under any other licence stops the script, so that a
# person checks the name bitbake knows it by before it is added here.
LICENSES = {
    "0BSD", "Apache-2.0", "BSD-2-Clause", "BSD-3-Clause", "BSL-1.0", "CC0-1.0", "ISC", "MIT",
    "MPL-2.0", "Unicode-3.0", "Unicode-DFS-2016", "Unlicense", "Zlib", "GPL-2.0-only",
}
# "<licence> WITH <exception>" as one oe-core licence name.
EXCEPTIONS = {("Apache-2.0", "LLVM-exception"): "Apache-2.0-with-LLVM-exception"}
LICENCE_FILE = re.compile(r"^(licen[cs]e|copying|unlicense|copyright)", re.IGNORECASE)


# ---- SPDX expressions ------------------------------------------------------------------------
# A parsed expression is a licence name (str) or (op, tuple of children) with op "&" or "|",
# flattened and with sorted, distinct children, so equal expressions compare equal.

def parse_spdx(text: str, crate: str):
    """Parses an SPDX licence expression (and cargo's old "MIT/Apache-2.0" form) for crate."""
    tokens = re.findall(r"\(|\)|/|[A-Za-z0-9.+-]+", text)
    pos = 0

    def fail(why: str):
        raise SystemExit(f"{crate}: licence {text!r}: {why}")

    def peek():
        return tokens[pos] if pos < len(tokens) else None

    def take():
        nonlocal pos
        pos += 1
        return tokens[pos - 1]

    def either():  # lowest precedence: OR (or "/")
        terms = [both()]
        while peek() in ("OR", "/"):
            take()
            terms.append(both())
        return combine("|", terms)

    def both():
        terms = [single()]
        while peek() == "AND":
            take()
            terms.append(single())
        return combine("&", terms)

    def single():
        tok = take() if peek() is not None else fail("ends early")
        if tok == "(":
            inner = either()
            if peek() != ")":
                fail("unbalanced parentheses")
            take()
            return inner
        if tok in ("AND", "OR", "WITH", "/", ")"):
            fail(f"unexpected {tok!r}")
        if peek() == "WITH":
            take()
            exc = take() if peek() is not None else fail("WITH without an exception")
            return EXCEPTIONS.get((tok, exc)) or fail(f"no oe-core licence for {tok} WITH {exc}")
        if tok not in LICENSES:
            fail(f"{tok!r} is not in gen-licenses-inc.py's LICENSES (check oe-core's "
                 "meta/files/common-licenses for its name, then add it)")
        return tok

    expr = either()
    if peek() is not None:
        fail(f"unexpected {peek()!r}")
    return expr


def combine(op: str, terms):
    """op over terms, flattening nested op, sorting and dropping repeats."""
    flat = set()
    for t in terms:
        flat.update(t[1] if isinstance(t, tuple) and t[0] == op else [t])
    if len(flat) == 1:
        return flat.pop()
    return (op, tuple(sorted(flat, key=render_expr)))


def render_expr(expr, inside: str | None = None) -> str:
    """Bitbake syntax; a compound inside another operator is parenthesised."""
    if isinstance(expr, str):
        return expr
    op, children = expr
    text = f" {op} ".join(render_expr(c, op) for c in children)
    return f"({text})" if inside else text


# ---- the linked crates -----------------------------------------------------------------------

def cargo(tree: pathlib.Path, *args: str) -> str:
    cmd = ["cargo", *args, "--locked", "--offline"]
    res = subprocess.run(cmd, cwd=tree, capture_output=True, text=True)
    if res.returncode != 0:
        raise SystemExit(f"{' '.join(cmd)} failed in {tree}:\n{res.stderr.strip()}\n"
                         "note: the crates must be in cargo's cache: run `cargo fetch --locked` there")
    return res.stdout


def linked(tree: pathlib.Path, manifest: pathlib.Path, packages: dict) -> list[dict]:
    """The packages linked into manifest's binary, from cargo tree."""
    out = cargo(tree, "tree", "--manifest-path", str(manifest), "-e", "normal,no-proc-macro",
                "--target", TARGET, "--prefix", "none", "-f", "{p}")
    found = {}
    for line in out.splitlines():
        m = re.match(r"^(\S+) v(\S+)", line)
        if m:
            key = (m[1], m[2])
            if key not in packages:
                raise SystemExit(f"cargo tree lists {line!r}, which cargo metadata does not")
            found[key] = packages[key]
    return [found[k] for k in sorted(found)]


def licence_files(pkg: dict) -> dict[str, str]:
    """{file name: md5} of the licence files at the top of a crates.io crate."""
    root = pathlib.Path(pkg["manifest_path"]).parent
    names = set()
    if pkg.get("license_file"):
        names.add(pkg["license_file"])
    if root.is_dir():
        names.update(p.name for p in root.iterdir() if p.is_file() and LICENCE_FILE.match(p.name))
        return {n: hashlib.md5((root / n).read_bytes()).hexdigest() for n in sorted(names)}
    # Unpacked sources may be cleaned from ~/.cargo/registry/src; the .crate stays in the cache.
    crate = root.parent.parent.parent / "cache" / root.parent.name / f"{root.name}.crate"
    with tarfile.open(crate) as tar:
        out = {}
        for member in tar.getmembers():
            name = member.name.removeprefix(root.name + "/")
            if member.isfile() and "/" not in name and (name in names or LICENCE_FILE.match(name)):
                out[name] = hashlib.md5(tar.extractfile(member).read()).hexdigest()
        return dict(sorted(out.items()))


# ---- recipes ---------------------------------------------------------------------------------

def cargo_recipes() -> dict[pathlib.Path, str]:
    """{recipe .bb: CARGO_SRC_DIR} for every recipe of the layer that inherits cargo."""
    found = {}
    for bb in sorted(LAYER.glob("**/recipes-*/**/*.bb")):
        text = bb.read_text()
        if not re.search(r"^inherit\b.*\bcargo\b", text, re.MULTILINE):
            continue
        m = re.search(r'^CARGO_SRC_DIR = "([^"$]+)"', text, re.MULTILINE)
        if not m:
            raise SystemExit(f"{bb.relative_to(LAYER)}: inherits cargo without a literal CARGO_SRC_DIR")
        if "require ${BPN}-licenses.inc" not in text:
            raise SystemExit(f"{bb.relative_to(LAYER)}: inherits cargo but does not "
                             "`require ${BPN}-licenses.inc` where LICENSE belongs")
        found[bb] = m[1]
    if not found:
        raise SystemExit(f"no recipe under {LAYER} inherits cargo")
    return found


def render(recipe: str, crates: list[dict]) -> tuple[str, str]:
    """The .inc text for recipe linking crates, and its LICENSE on one line."""
    terms, files, lines = [], [], []
    for pkg in crates:
        name, version = pkg["name"], pkg["version"]
        if pkg["source"] is None:  # a workspace member
            if pkg.get("license") != OWN_LICENSE:
                raise SystemExit(f"{name}: workspace crate licensed {pkg.get('license')!r}; "
                                 f"gen-licenses-inc.py knows only {OWN_LICENSE}")
            terms.append(OWN_LICENSE)
            lines.append(f"# {name} {version} (this workspace): {OWN_LICENSE}")
            continue
        if pkg["source"] != CRATES_IO:
            raise SystemExit(f"{name} {version}: source {pkg['source']!r} is not crates.io")
        if not pkg.get("license"):
            raise SystemExit(f"{name} {version}: no SPDX `license` in its Cargo.toml; "
                             "its licence has to be declared by hand")
        expr = parse_spdx(pkg["license"], f"{name} {version}")
        terms.append(expr)
        lic = licence_files(pkg)
        note = ", ".join(lic) if lic else "no licence file in the crate: oe-core's generic texts"
        lines.append(f"# {name} {version}: {render_expr(expr)} ({note})")
        files += [f"file://${{CARGO_VENDORING_DIRECTORY}}/{name}-{version}/{f};md5={md5}"
                  for f, md5 in lic.items()]
    total = combine("&", terms)
    top = [total] if isinstance(total, str) or total[0] == "|" else list(total[1])
    # Our own licence first, then the crates' in a stable order.
    top.sort(key=lambda t: (t != OWN_LICENSE, render_expr(t)))
    top = [render_expr(t, "&") for t in top]
    files.insert(0, f"file://${{COMMON_LICENSE_DIR}}/{OWN_LICENSE};md5={OWN_LICENSE_MD5}")
    text = "\n".join([
        f"# Autogenerated by meta-bes2600/scripts/gen-licenses-inc.py from Cargo.lock "
        f"for {recipe}; do not edit.",
        f"# The {len(crates)} crates linked into the binary (cargo tree -e normal,no-proc-macro "
        f"--target {TARGET}),",
        "# each with its licence and licence files:",
        *lines,
        "",
        assignment("LICENSE", top, " & "),
        "# nooelint: oelint.var.licenseremotefile - the tree has no licence file yet; "
        f"{OWN_LICENSE} is declared in its Cargo.toml",
        assignment("LIC_FILES_CHKSUM", files, " "),
    ]) + "\n"
    return text, " & ".join(top)


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--tree", type=pathlib.Path, default=LAYER.parent,
                    help="the bes2600-rs workspace (with Cargo.lock); default: the layer's parent")
    ap.add_argument("--check", action="store_true", help="fail if an .inc file is out of date")
    args = ap.parse_args()
    tree = args.tree.resolve()
    meta = json.loads(cargo(tree, "metadata", "--format-version", "1", "--filter-platform", TARGET))
    packages = {(p["name"], p["version"]): p for p in meta["packages"]}
    files, summary = {}, []
    for bb, src_dir in cargo_recipes().items():
        recipe = bb.name.split("_")[0]
        crates = linked(tree, tree / src_dir / "Cargo.toml", packages)
        files[bb.parent / f"{recipe}-licenses.inc"], lic = render(recipe, crates)
        summary.append(f'{recipe}: {len(crates)} crates, LICENSE = "{lic}"')
    if sync(files, args.check, LAYER, "meta-bes2600/scripts/gen-licenses-inc.py"):
        return 1
    print("\n".join(summary))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
