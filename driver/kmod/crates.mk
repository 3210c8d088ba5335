# SPDX-License-Identifier: GPL-2.0-only
# The project's no_std crates compiled into a kernel module, each as its own crate (rlib
# metadata + object) with the kernel's rustc flags, so their `crate::` paths work and their
# sources stay untouched. Included by bes2600.ko's Kbuild and by the test-only
# bes2600_vsdio.ko's, after setting BES_CRATES (in dependency order) and BES_TOP (the
# repository's driver/ directory, relative to $(src)).
BES_SRC_bes2600_wire := $(src)/$(BES_TOP)/wire/src/lib.rs
BES_SRC_bes2600_engine := $(src)/$(BES_TOP)/engine/src/lib.rs
BES_SRC_bes2600_sim := $(src)/$(BES_TOP)/sim/src/lib.rs
BES_SRC_bes2600_fw := $(src)/$(BES_TOP)/../firmware-loader/src/lib.rs
BES_DEPS_bes2600_wire :=
BES_DEPS_bes2600_fw := bes2600_wire
BES_DEPS_bes2600_engine := bes2600_wire
BES_DEPS_bes2600_sim := bes2600_wire bes2600_engine

bes_extern = $(foreach d,$(1),--extern $(d)=$(obj)/lib$(d).rmeta)

# The crates are linted on the host (clippy -D warnings); here only the kernel codegen flags
# matter, so their lints are capped. `rust_flags` carries target, panic=abort, opt level and
# the rustc_cfg of this kernel.
quiet_cmd_bes_crate = RUSTC [M] $@
      cmd_bes_crate = RUST_MODFILE=$(modfile) $(RUSTC) $(rust_flags) --cap-lints=allow \
	--crate-type rlib --crate-name $(basename $(notdir $@)) $(BES_RUSTFLAGS_EXTRA) \
	-L $(objtree)/rust/ -L $(obj) --sysroot=/dev/null \
	$(call bes_extern,$(BES_DEPS_$(basename $(notdir $@)))) \
	--out-dir $(obj) --emit=dep-info=$(depfile) \
	--emit=metadata=$(obj)/lib$(basename $(notdir $@)).rmeta --emit=obj=$@ \
	$(BES_SRC_$(basename $(notdir $@)))

define bes_crate_rule
$(obj)/$(1).o: $$(BES_SRC_$(1)) $$(foreach d,$$(BES_DEPS_$(1)),$(obj)/$$(d).o) FORCE
	+$$(call if_changed_dep,bes_crate)
endef
$(foreach c,$(BES_CRATES),$(eval $(call bes_crate_rule,$(c))))
targets += $(addsuffix .o,$(BES_CRATES))
