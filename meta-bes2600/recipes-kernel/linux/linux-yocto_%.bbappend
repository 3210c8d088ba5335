require linux-yocto-bes2600.inc
