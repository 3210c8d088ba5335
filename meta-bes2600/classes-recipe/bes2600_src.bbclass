# Where the bes2600-rs recipes take their sources from (README.md, "Sources").
#
# Default, the standard fetch: git, BES2600_GIT_URI at the commit BES2600_SRCREV, both set in
# one place, conf/bes2600-srcrev.inc. A copy of meta-bes2600 used outside the bes2600-rs
# repository builds that commit; bitbake appends the revision to PV ("+git").
#
# Development override, oe-core's externalsrc: INHERIT += "externalsrc" and
# EXTERNALSRC:pn-<recipe> = "/path/to/bes2600-rs" (what kas/local-tree.yml does for the kas
# builds of this repository, with EXTERNALSRC_BUILD outside the tree). Then the recipes build
# that checkout as it is, and this class replaces externalsrc's source checksum (see
# bes2600_srctree_hash_files) so that only the paths a recipe uses are hashed.

# Paths (relative to the top of the tree) a recipe uses; the Cargo workspace needs all
# members. Under externalsrc these are what the task signature covers.
BES2600_SRC_PATHS ??= "Cargo.toml Cargo.lock driver/wire driver/engine driver/sim firmware-loader netmgr smoke"

BES2600_SRC_URI = "${BES2600_GIT_URI};destsuffix=bes2600-rs"
SRCREV = "${BES2600_SRCREV}"

python bes2600_src_check() {
    import re
    if bb.data.inherits_class('externalsrc', d) and d.getVar('EXTERNALSRC'):
        return
    uri = d.getVar('BES2600_GIT_URI') or ''
    if not uri.startswith('git://') or ';protocol=' not in uri or ';branch=' not in uri:
        bb.fatal('BES2600_GIT_URI (%s) must be a git:// URI with protocol= and branch= '
                 '(conf/bes2600-srcrev.inc)' % uri)
    if not re.fullmatch('[0-9a-f]{40}', d.getVar('BES2600_SRCREV') or ''):
        bb.fatal('BES2600_SRCREV must be a full 40-hex commit id (conf/bes2600-srcrev.inc)')
}
bes2600_src_check[doc] = "Stops do_fetch when the bes2600-rs source settings are incomplete"
do_fetch[prefuncs] += "bes2600_src_check"

# externalsrc hashes its source tree for do_compile with srctree_hash_files(): a git tree
# hash when the tree is a git checkout, but only if the build directory (TOPDIR) is not in the
# same repository; otherwise it checksums "${EXTERNALSRC}/*" recursively. A kas build of this
# repository has its build directory (and the layers it clones) inside the checkout, so that
# fallback would hash build/tmp, downloads and sstate on every parse. Here the hash covers
# the files git would see (tracked, and untracked but not ignored) under BES2600_SRC_PATHS,
# wherever TOPDIR is; in a tree that is not a git checkout, those paths as a whole.
def bes2600_srctree_hash_files(d):
    import subprocess
    top = d.getVar('EXTERNALSRC')
    paths = (d.getVar('BES2600_SRC_PATHS') or '').split()
    try:
        out = subprocess.check_output(['git', '-C', top, 'ls-files', '-z', '--cached', '--others',
                                       '--exclude-standard', '--'] + paths, stderr=subprocess.DEVNULL)
        files = sorted(set(f for f in out.decode('utf-8').split('\0') if f))
    except (OSError, subprocess.CalledProcessError):
        files = paths
    return ' '.join('%s:%s' % (os.path.join(top, f), os.path.exists(os.path.join(top, f))) for f in files)

# Runs after externalsrc's own anonymous function (a class in INHERIT is parsed with the
# configuration, before any recipe), so this replaces the checksum it sets.
# nooelint: oelint.task.noanonpython - the checksum must be replaced after externalsrc's anonymous function has set it
python () {
    if not (bb.data.inherits_class('externalsrc', d) and d.getVar('EXTERNALSRC')):
        return
    top = d.getVar('EXTERNALSRC')
    paths = (d.getVar('BES2600_SRC_PATHS') or '').split()
    missing = [p for p in paths if not os.path.exists(os.path.join(top, p))]
    if missing:
        bb.fatal('EXTERNALSRC (%s) is not a bes2600-rs tree: %s missing' % (top, ', '.join(missing)))
    # Objects written next to the sources would land in the developer's tree and in the hash.
    build = os.path.realpath(d.getVar('B'))
    srcs = [os.path.realpath(top)] + [os.path.realpath(os.path.join(top, p)) for p in paths]
    if build == srcs[0] or any(build == s or build.startswith(s + os.sep) for s in srcs[1:]):
        bb.fatal('EXTERNALSRC_BUILD (%s) must not be the source tree %s or inside a path it builds'
                 % (d.getVar('B'), top))
    d.setVarFlag('do_compile', 'file-checksums', '${@bes2600_srctree_hash_files(d)}')
}
