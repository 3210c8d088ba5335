#!/usr/bin/env python3
"""Structure and pinning checks for meta-bes2600 that bitbake would only find at build time.

Offline and without bitbake (no Yocto sources are needed). Checks:
  * conf/layer.conf: collection bes2600, LAYERSERIES_COMPAT "wrynose", LAYERDEPENDS core +
    rockchip, BBFILES_DYNAMIC entries point at existing dynamic-layers/<collection>/ dirs
  * a BSP layer: conf/machine/*.conf present, no conf/distro, nothing sets MACHINE or DISTRO
  * README.md names maintainers with an e-mail and a patch policy; SECURITY.md exists
  * every .patch carries a valid Upstream-Status: line (and Signed-off-by:)
  * .wks files live under files/wic/ only (wrynose: a top-level wic/ is a sanity error);
    pinetab2*.wks keep the Rockchip layout: idbloader @64s, u-boot.itb @16384s, root @32768s, GPT
  * every SRC_URI entry is pinned: http(s)/ftp by SRC_URI[<name>.sha256sum], git by a 40-hex
    SRCREV, crate:// by its sha256sum, file:// is part of this repository; no AUTOREV
  * files the recipes take from the bes2600-rs tree exist (kernel fragments, overlays, units)
  * sources: conf/bes2600-srcrev.inc names the repository (git://, https, branch main) and pins
    a 40-hex BES2600_SRCREV; in a git checkout that commit is an ancestor of HEAD and holds
    every path the recipes build; kas/local-tree.yml (included by pinetab2.yml, not by
    check-layer.yml) turns on externalsrc, with a build directory, for every recipe that
    inherits bes2600_src
  * bbappends and machine-wide settings in recipes are scoped by an override

Prints one line per check and a tally; exits 1 if any check fails.
"""
import argparse
import pathlib
import re
import sys

UPSTREAM_STATUS = re.compile(
    r"^Upstream-Status: (Pending|Submitted \[.+\]|Accepted|Backport( \[.+\])?|Denied|"
    r"Inactive-Upstream( \[.+\])?|Inappropriate \[.+\])\s*$", re.M)
HEX40 = re.compile(r"^[0-9a-f]{40}$")
HEX64 = re.compile(r"^[0-9a-f]{64}$")
ASSIGN = re.compile(r'^(?:export\s+)?([A-Za-z0-9_${}\-./:\[\]@+]+?)\s*(\?\?=|\?=|:=|\+=|=\+|\.=|=\.|=)\s*"(.*)"\s*$',
                    re.S)

failures: list[str] = []
passes = 0


def check(ok: bool, what: str, detail: str = "") -> None:
    global passes
    if ok:
        passes += 1
        print(f"ok    {what}")
    else:
        failures.append(what)
        print(f"FAIL  {what}{': ' + detail if detail else ''}")


def logical_lines(text: str) -> list[str]:
    """Joins backslash continuations, drops comments (bitbake metadata syntax)."""
    out, cur = [], ""
    for raw in text.splitlines():
        if not cur and raw.lstrip().startswith("#"):
            continue
        if raw.endswith("\\"):
            cur += raw[:-1] + " "
            continue
        out.append(cur + raw)
        cur = ""
    if cur:
        out.append(cur)
    return out


def assignments(path: pathlib.Path) -> list[tuple[str, str, str]]:
    res = []
    for line in logical_lines(path.read_text()):
        m = ASSIGN.match(line.strip())
        if m:
            res.append((m.group(1), m.group(2), m.group(3)))
    return res


def recipe_text_with_requires(path: pathlib.Path) -> list[pathlib.Path]:
    """The file plus the .inc files it requires/includes from its own directory."""
    files = [path]
    for line in logical_lines(path.read_text()):
        m = re.match(r"^\s*(?:require|include)\s+(\S+)", line)
        if not m:
            continue
        name = m.group(1).replace("${BPN}", re.sub(r"_.*", "", path.stem)).replace("${PN}", re.sub(r"_.*", "", path.stem))
        inc = path.parent / name
        if inc.is_file():
            files.append(inc)
    return files


def expand(value: str, env: dict[str, str], depth: int = 0) -> str:
    if depth > 8:
        return value
    return re.sub(r"\$\{([A-Za-z0-9_]+)\}",
                  lambda m: expand(env[m.group(1)], env, depth + 1) if m.group(1) in env else m.group(0),
                  value)


def check_layer_conf(layer: pathlib.Path) -> None:
    conf = layer / "conf/layer.conf"
    check(conf.is_file(), "conf/layer.conf exists")
    if not conf.is_file():
        return
    a = {(k, op): v for k, op, v in assignments(conf)}
    vals = {k: v for (k, _), v in a.items()}
    check("bes2600" in vals.get("BBFILE_COLLECTIONS", "").split(), "collection is bes2600")
    check(vals.get("LAYERSERIES_COMPAT_bes2600", "").split() == ["wrynose"],
          "LAYERSERIES_COMPAT_bes2600 is exactly wrynose", vals.get("LAYERSERIES_COMPAT_bes2600", "<unset>"))
    deps = vals.get("LAYERDEPENDS_bes2600", "").split()
    check("core" in deps and "rockchip" in deps, "LAYERDEPENDS_bes2600 has core and rockchip", " ".join(deps))
    dyn = vals.get("BBFILES_DYNAMIC", "").split()
    ok = bool(dyn)
    for entry in dyn:
        coll, _, pattern = entry.partition(":")
        rel = pattern.replace("${LAYERDIR}/", "").split("/*")[0]
        ok &= (layer / rel).is_dir() and rel == f"dynamic-layers/{coll}"
    check(ok, "BBFILES_DYNAMIC points at existing dynamic-layers/<collection>/", " ".join(dyn))


def check_bsp_shape(layer: pathlib.Path) -> None:
    machines = sorted((layer / "conf/machine").glob("*.conf"))
    check(bool(machines), "BSP layer defines machines", ", ".join(m.stem for m in machines))
    check(not (layer / "conf/distro").exists(), "no conf/distro (a BSP layer must not ship a distro)")
    bad = []
    for f in layer.rglob("*"):
        if f.suffix in (".conf", ".bb", ".bbappend", ".inc", ".bbclass") and "kas" not in f.parts:
            for k, _, _ in assignments(f):
                if k in ("MACHINE", "DISTRO"):
                    bad.append(f"{f.relative_to(layer)} sets {k}")
    check(not bad, "nothing in the layer sets MACHINE or DISTRO", "; ".join(bad))


def check_docs(layer: pathlib.Path) -> None:
    readme = layer / "README.md"
    text = readme.read_text() if readme.is_file() else ""
    check("maintainer" in text.lower() and "patch" in text.lower()
          and re.search(r"[\w.+-]+@[\w-]+\.[\w.]+", text) is not None,
          "README.md has maintainers, an e-mail and the patch policy")
    check((layer / "SECURITY.md").is_file() or (layer.parent / "SECURITY.md").is_file(), "SECURITY.md exists")


def check_patches(layer: pathlib.Path) -> None:
    patches = sorted(layer.rglob("*.patch")) + sorted(layer.rglob("*.diff"))
    bad = [str(p.relative_to(layer)) for p in patches
           if not UPSTREAM_STATUS.search(p.read_text(errors="replace"))
           or "Signed-off-by:" not in p.read_text(errors="replace")]
    check(not bad, f"{len(patches)} patch(es) carry Upstream-Status and Signed-off-by", ", ".join(bad))


def wks_parts(path: pathlib.Path) -> dict[str, str]:
    parts = {}
    for line in path.read_text().splitlines():
        if line.startswith("part "):
            name = re.search(r"--part-name (\S+)", line)
            off = re.search(r"--offset (\S+)", line)
            if name:
                parts[name.group(1)] = off.group(1) if off else ""
    return parts


def check_wks(layer: pathlib.Path) -> None:
    wks = sorted(layer.rglob("*.wks")) + sorted(layer.rglob("*.wks.in"))
    stray = [str(w.relative_to(layer)) for w in wks if w.parent != layer / "files/wic"]
    check(bool(wks) and not stray, "all .wks files are in files/wic/", ", ".join(stray) or "none found")
    check(not (layer / "wic").exists() and not (layer / "scripts/lib/wic/canned-wks").exists(),
          "no top-level wic/ or scripts/lib/wic/canned-wks (wrynose sanity error)")
    for w in wks:
        text = w.read_text()
        parts = wks_parts(w)
        ok = (parts.get("loader1") == "64s" and parts.get("loader2") == "16384s"
              and parts.get("rootfsA") == "32768s" and "bootloader --ptable gpt" in text
              and "idbloader" in text and "u-boot.${UBOOT_SUFFIX}" in text)
        check(ok, f"{w.name}: idbloader @64s, u-boot.itb @16384s, rootfsA @32768s, GPT", str(parts))
        if w.stem.endswith("-ab"):
            order = list(parts)
            active = [re.search(r"--part-name (\S+)", ln).group(1) for ln in text.splitlines()
                      if ln.startswith("part ") and "--active" in ln and "--part-name" in ln]
            ok = ("rootfsB" in order and "data" in order and active == ["bootab"]
                  and parts.get("bootab") == "24576s")
            check(ok, f"{w.name}: bootab @24576s is the only active partition (boot script outside "
                  f"both slots), rootfsB and data present", f"order {' '.join(order)}, active {active}")


def src_uri_tokens(files: list[pathlib.Path]) -> tuple[list[str], dict[str, str]]:
    env: dict[str, str] = {}
    tokens: list[str] = []
    # The layer-wide source settings (BES2600_GIT_URI, BES2600_SRCREV), as layer.conf requires them.
    srcrev_inc = [p for p in (f.parents[i] / "conf/bes2600-srcrev.inc" for f in files[:1] for i in range(3))
                  if p.is_file()][:1]
    for f in list(files) + srcrev_inc:
        for k, _, v in assignments(f):
            if re.fullmatch(r"SRC_URI(:(append|prepend)(:[\w-]+)?)?", k):
                # A choice between variables (${@d.getVar('A') if ... else d.getVar('B')}):
                # every alternative is checked.
                alts = re.findall(r"d\.getVar\('([A-Za-z0-9_]+)'\)", v) if v.strip().startswith("${@") else []
                tokens += [f"${{{a}}}" for a in alts if "SRC_URI" in a] if alts else v.split()
            elif re.fullmatch(r"[A-Za-z0-9_]+(:pinetab2)?", k):
                env.setdefault(k.split(":")[0], v)
            elif k.startswith("SRC_URI[") or k.startswith("SRCREV"):
                env[k.split(":")[0]] = v
    return tokens, env


def check_pinning(layer: pathlib.Path) -> None:
    recipes = sorted(layer.rglob("*.bb")) + sorted(layer.rglob("*.bbappend"))
    auto = [str(f.relative_to(layer)) for f in layer.rglob("*")
            if f.is_file() and f.suffix in (".bb", ".bbappend", ".inc", ".bbclass", ".conf", ".yml")
            and "AUTOREV" in f.read_text()]
    check(not auto, "no AUTOREV anywhere", ", ".join(auto))
    cls = layer / "classes-recipe/bes2600_src.bbclass"
    cls_text = cls.read_text() if cls.is_file() else ""
    check("[0-9a-f]{40}" in cls_text and "do_fetch[prefuncs]" in cls_text,
          "bes2600_src.bbclass refuses a git source without a 40-hex BES2600_SRCREV")
    n_remote = 0
    for r in recipes:
        tokens, env = src_uri_tokens(recipe_text_with_requires(r))
        problems = []
        for tok in [t for tk in tokens for t in ([tk] if tk == "${BES2600_SRC_URI}" else expand(tk, env).split())]:
            full = expand(tok, env)
            if tok == "${BES2600_SRC_URI}":
                if "bes2600_src" not in r.read_text():
                    problems.append("uses BES2600_SRC_URI without inherit bes2600_src")
                continue
            if "${" in full and "://" not in full:
                problems.append(f"cannot resolve {tok}")
                continue
            scheme, _, rest = full.partition("://")
            params = dict(p.split("=", 1) for p in rest.split(";")[1:] if "=" in p)
            if scheme == "file":
                continue
            n_remote += 1
            if scheme in ("http", "https", "ftp"):
                name = params.get("name", "default")
                key = f"SRC_URI[{name}.sha256sum]" if name != "default" else "SRC_URI[sha256sum]"
                if not HEX64.match(env.get(key, "")):
                    problems.append(f"{full.split(';')[0]} has no sha256sum")
            elif scheme in ("git", "gitsm"):
                name = params.get("name", "")
                rev = env.get(f"SRCREV_{name}" if name else "SRCREV", "")
                if not HEX40.match(expand(rev, env)):
                    problems.append(f"{full.split(';')[0]} has no 40-hex SRCREV")
            elif scheme == "crate":
                parts = rest.split(";")[0].split("/")
                if len(parts) != 3 or not HEX64.match(env.get(f"SRC_URI[{parts[1]}-{parts[2]}.sha256sum]", "")):
                    problems.append(f"crate {rest} has no sha256sum")
            else:
                problems.append(f"unsupported fetcher {scheme}://")
        check(not problems, f"{r.relative_to(layer)}: every SRC_URI entry pinned", "; ".join(problems))
    print(f"      ({n_remote} remote SRC_URI entries checked)")


def check_tree_files(layer: pathlib.Path, tree: pathlib.Path) -> None:
    """Files the recipes take from the bes2600-rs tree around the layer."""
    needed = [
        "board/pinetab2/kernel/bes2600-rust.cfg",
        "board/pinetab2/kernel/pinetab2.cfg",
        "board/pinetab2/dts/rk3566-pinetab2-v0.1-bes2600.dtso",
        "board/pinetab2/dts/rk3566-pinetab2-v2.0-bes2600.dtso",
        "driver/kmod/Kbuild",
        "firmware-loader/systemd/bes2600-fw-watch.service",
        "smoke/systemd/bes2600-smoke.service",
        "Cargo.lock",
    ]
    for r in sorted(layer.rglob("*.bb")):
        for k, _, v in assignments(r):
            if k in ("BES2600_FW_CONFIG", "BES2600_SMOKE_CONFIG"):
                needed.append(v)
    missing = [n for n in needed if not (tree / n).is_file()]
    check(not missing, f"{len(needed)} files the recipes take from the tree exist", ", ".join(missing))


def src_recipes(layer: pathlib.Path) -> dict[str, list[str]]:
    """Recipes that inherit bes2600_src -> the tree paths they build (BES2600_SRC_PATHS)."""
    cls = layer / "classes-recipe/bes2600_src.bbclass"
    default = next((v for k, _, v in assignments(cls) if k == "BES2600_SRC_PATHS"), "") if cls.is_file() else ""
    out = {}
    for r in sorted(layer.rglob("*.bb")):
        if not re.search(r"^inherit\b.*\bbes2600_src\b", r.read_text(), re.M):
            continue
        paths = next((v for k, _, v in assignments(r) if k == "BES2600_SRC_PATHS"), default)
        out[r.stem.split("_")[0]] = paths.split()
    return out


def kas_includes(layer: pathlib.Path, name: str, seen: set[str] | None = None) -> set[str]:
    """Names of the kas files NAME includes, directly or not (textual: '- meta-bes2600/kas/x.yml')."""
    seen = set() if seen is None else seen
    f = layer / "kas" / name
    if not f.is_file():
        return seen
    for inc in re.findall(r"^\s*-\s*meta-bes2600/kas/(\S+\.yml)\s*$", f.read_text(), re.M):
        if inc not in seen:
            seen.add(inc)
            kas_includes(layer, inc, seen)
    return seen


def check_sources(layer: pathlib.Path, tree: pathlib.Path) -> None:
    """The git default (pinned, reachable, complete) and the externalsrc override of kas."""
    import subprocess
    inc = layer / "conf/bes2600-srcrev.inc"
    vals = {k: v for k, _, v in assignments(inc)} if inc.is_file() else {}
    uri, rev = vals.get("BES2600_GIT_URI", ""), vals.get("BES2600_SRCREV", "")
    check(re.fullmatch(r"git://[^;]+/bes2600-rs\.git;protocol=https;branch=main", uri) is not None,
          "conf/bes2600-srcrev.inc: BES2600_GIT_URI is git://.../bes2600-rs.git;protocol=https;branch=main",
          uri or "<unset>")
    check(HEX40.match(rev) is not None, "conf/bes2600-srcrev.inc: BES2600_SRCREV is a 40-hex commit",
          rev or "<unset>")
    layer_conf = (layer / "conf/layer.conf").read_text() if (layer / "conf/layer.conf").is_file() else ""
    check(re.search(r"^require \$\{LAYERDIR\}/conf/bes2600-srcrev\.inc$", layer_conf, re.M) is not None,
          "conf/layer.conf requires conf/bes2600-srcrev.inc")
    recipes = src_recipes(layer)
    fragments = ["board/pinetab2/kernel/bes2600-rust.cfg", "board/pinetab2/kernel/pinetab2.cfg"]

    def git(*args: str) -> subprocess.CompletedProcess:
        return subprocess.run(["git", "-C", str(tree), *args], capture_output=True, text=True)
    if git("rev-parse", "--git-dir").returncode != 0:
        print("      (the tree is not a git checkout: BES2600_SRCREV's history not checked)")
    elif HEX40.match(rev):
        check(git("merge-base", "--is-ancestor", rev, "HEAD").returncode == 0,
              "BES2600_SRCREV is a commit of this repository and an ancestor of HEAD", rev)
        absent = sorted({p for paths in recipes.values() for p in paths + fragments
                         if git("cat-file", "-e", f"{rev}:{p}").returncode != 0})
        check(not absent, f"BES2600_SRCREV holds every path the recipes build ({len(recipes)} recipes, "
              "kernel fragments)", ", ".join(absent))
    local = layer / "kas/local-tree.yml"
    text = local.read_text() if local.is_file() else ""
    missing = []
    for line in ('INHERIT += "externalsrc"', 'BES2600_LOCAL_TREE = "${BES2600_SRCDIR}"'):
        if line not in text:
            missing.append(line)
    for pn in recipes:
        if f'EXTERNALSRC:pn-{pn} = "${{BES2600_LOCAL_TREE}}"' not in text:
            missing.append(f"EXTERNALSRC:pn-{pn}")
        if not re.search(rf'^\s*EXTERNALSRC_BUILD:pn-{re.escape(pn)} = "\$\{{WORKDIR\}}/\S+"', text, re.M):
            missing.append(f"EXTERNALSRC_BUILD:pn-{pn}")
    check(not missing, f"kas/local-tree.yml: externalsrc with a build directory for all {len(recipes)} "
          "bes2600_src recipes", "; ".join(missing))
    check("local-tree.yml" in kas_includes(layer, "pinetab2.yml")
          and "local-tree.yml" not in kas_includes(layer, "check-layer.yml"),
          "kas: pinetab2.yml builds the checkout (local-tree.yml), check-layer.yml the pinned commit")


def check_scoping(layer: pathlib.Path) -> None:
    """A bbappend must not change other machines: every assignment carries an override."""
    bad = []
    for f in sorted(layer.rglob("*.bbappend")) + sorted((layer / "recipes-kernel/linux").glob("*.inc")):
        for k, _, _ in assignments(f):
            if ":" not in k:
                bad.append(f"{f.relative_to(layer)}: {k}")
        for line in logical_lines(f.read_text()):
            m = re.match(r"^(do_\w+)(:\w+)*\s*\(\)", line.strip())
            if m and ":" not in line.split("(")[0]:
                bad.append(f"{f.relative_to(layer)}: {m.group(1)}")
    check(not bad, "bbappends only set override-scoped variables and tasks", "; ".join(bad))


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--layer", type=pathlib.Path, default=pathlib.Path(__file__).resolve().parent.parent)
    ap.add_argument("--tree", type=pathlib.Path, help="the bes2600-rs tree (default: the layer's parent)")
    args = ap.parse_args()
    layer = args.layer.resolve()
    tree = (args.tree or layer.parent).resolve()
    check_layer_conf(layer)
    check_bsp_shape(layer)
    check_docs(layer)
    check_patches(layer)
    check_wks(layer)
    check_pinning(layer)
    check_tree_files(layer, tree)
    check_sources(layer, tree)
    check_scoping(layer)
    print(f"layer checks: {passes} passed, {len(failures)} failed")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
