# pinetab2-image plus oe-core's Weston (the weston image feature: compositor, weston-init and a
# terminal), on VOP2, the DSI panel and panfrost (Mesa, enabled by meta-rockchip for Rockchip
# machines); touch through libinput (goodix). SUMMARY, LICENSE etc. come from pinetab2-image.
require recipes-core/images/pinetab2-image.bb

IMAGE_FEATURES += "weston"

REQUIRED_DISTRO_FEATURES += "wayland opengl"
