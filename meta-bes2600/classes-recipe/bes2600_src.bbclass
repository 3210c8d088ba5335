# Where the bes2600-rs recipes take their sources from.
#
# meta-bes2600 lives at the top of the bes2600-rs tree, so by default the recipes build the
# tree the layer is checked out from (BES2600_SRCDIR, set in conf/layer.conf to the layer's
# parent directory): the sources are pinned by the same commit that pins the recipes, and a
# kas checkout of this repository builds exactly what it contains. The files are reached with
# file:// through FILESEXTRAPATHS and unpacked into ${UNPACKDIR}/bes2600-rs.
#
# To build another revision instead, set BES2600_GIT_URI (a bitbake git:// URI with
# protocol= and branch=) and BES2600_SRCREV (a full 40-hex commit id); do_fetch refuses a
# git URI without a pinned commit.

# Paths (relative to the top of the tree) a recipe needs; the Cargo workspace needs all members.
BES2600_SRC_PATHS ??= "Cargo.toml Cargo.lock driver/wire driver/engine driver/sim firmware-loader netmgr smoke"
BES2600_GIT_URI ??= ""
BES2600_SRCREV ??= ""

# The sources are outside the layer, in the tree that contains it; recipes that inherit
# this class are ours, so widening their search path changes no other recipe.
# nooelint: oelint.vars.fileextrapaths,oelint.vars.outofcontext - reaches the enclosing bes2600-rs tree, see above
FILESEXTRAPATHS:prepend := "${BES2600_SRCDIR}:"

def bes2600_src_uri(d):
    git = (d.getVar('BES2600_GIT_URI') or '').strip()
    if git:
        return git + ';destsuffix=bes2600-rs'
    paths = (d.getVar('BES2600_SRC_PATHS') or '').split()
    return ' '.join('file://%s;subdir=bes2600-rs' % p for p in paths)

BES2600_SRC_URI = "${@bes2600_src_uri(d)}"
SRCREV = "${@d.getVar('BES2600_SRCREV') if (d.getVar('BES2600_GIT_URI') or '').strip() else 'INVALID'}"

python bes2600_src_check() {
    import re
    git = (d.getVar('BES2600_GIT_URI') or '').strip()
    if git and not re.fullmatch('[0-9a-f]{40}', d.getVar('BES2600_SRCREV') or ''):
        bb.fatal('BES2600_GIT_URI is set, so BES2600_SRCREV must be a full 40-hex commit id')
    if not git and not os.path.isfile(os.path.join(d.getVar('BES2600_SRCDIR') or '', 'Cargo.toml')):
        bb.fatal('BES2600_SRCDIR (%s) is not a bes2600-rs tree; set BES2600_SRCDIR or BES2600_GIT_URI'
                 % d.getVar('BES2600_SRCDIR'))
}
bes2600_src_check[doc] = "Stops do_fetch when the bes2600-rs source settings are incomplete"
do_fetch[prefuncs] += "bes2600_src_check"
