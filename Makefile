# SPDX-License-Identifier: GPL-2.0
#
# vtpm-mux: virtual TPM 2.0 instances anchored in the host's hardware TPM.
#
#   make			the module (drivers/vtpm/vtpm_mux.ko) and the tools
#   make check		every test: static checks, unit tests, the VM selftests
#   make fuzz		each libFuzzer target for FUZZ_TIME seconds (default 300)
#   make stress		64 instances x 8 threads for STRESS_TIME s (600) in a guest
#   make check-debug	the VM stages on a debug kernel (KASAN, UBSAN, lockdep,
#			kmemleak), built once into .build/debug (about an hour)
#   make demo		the demo, in a QEMU guest with swtpm as its TPM
#   make bench		benchmarks against the hardware TPM and vtpm_proxy+swtpm
#			(tools/bench/README.md; results in .build/bench)
#   make install		modules_install and the tools under $(PREFIX)
#   make deps		apt-get install what building and testing need
#
# KDIR is the kernel build tree (default: the running kernel's).

KDIR	?= /lib/modules/$(shell uname -r)/build
PREFIX	?= /usr/local
BUILD	:= $(CURDIR)/.build
KSRC	:= $(BUILD)/ksrc

all: module tools

module:
	$(MAKE) -C $(KDIR) M=$(CURDIR) modules

tools:
	$(MAKE) -C tools/vtpmctl
	$(MAKE) -C tools/vtpmd
	$(MAKE) -C tools/vtpm-verify
	$(MAKE) -C tools/testing/unit
	$(MAKE) -C tools/testing/attest tools
	$(MAKE) -C tools/bench

$(KSRC)/.extracted:
	tools/testing/ksrc.sh $(KSRC)

selftests: $(KSRC)/.extracted
	$(MAKE) -C selftests/vtpm KSFT_INC=$(KSRC)/tools/testing/selftests

# Static checks of the module: sparse and checkpatch --strict, zero findings
sparse:
	$(MAKE) -C $(KDIR) M=$(CURDIR) C=2 CHECK=sparse modules

checkpatch: $(KSRC)/.extracted
	perl $(KSRC)/scripts/checkpatch.pl --strict --no-tree --terse \
		--show-types -f $(filter-out %.mod.c,$(wildcard \
		drivers/vtpm/*.[ch] drivers/vtpm/lib/*.[ch])) \
		include/uapi/linux/vtpm_mux.h

check:
	tools/testing/check.sh

demo:
	tools/demo/run.sh

bench:
	tools/bench/run.sh

fuzz:
	$(MAKE) -C tools/testing/fuzz fuzz

# make stress [STRESS_TIME=600] [STRESS_FAULTS=1]: the module and vtpm_stress
# under load in a QEMU guest (tools/testing/vm/README.md, "make stress"),
# built for the guest's kernel (KDIR if given, else the newest Debian 6.1)
STRESS_TIME ?= 600
STRESS_KDIR ?= $(if $(filter command line,$(origin KDIR)),$(KDIR),$(shell \
	tools/testing/debian-kdir.sh))
stress:
	$(MAKE) module selftests KDIR=$(STRESS_KDIR)
	tools/testing/vm/run.sh --timeout $$(($(STRESS_TIME) + 1200)) \
		$(if $(filter 1,$(STRESS_FAULTS)),--tpm-faults) \
		--out $(BUILD)/stress -- env STRESS_FAULTS=$(STRESS_FAULTS) \
		tools/testing/guest-stress.sh $(STRESS_TIME)

# make check-debug [STRESS_TIME=120] [DEBUG_STAGES="vm vm-sw vm-faults
# vm-stress"]: tools/testing/check-debug.sh (tools/testing/vm/README.md,
# "make check-debug")
check-debug:
	tools/testing/check-debug.sh

deps:
	tools/testing/install-deps.sh

install: all
	$(MAKE) -C $(KDIR) M=$(CURDIR) modules_install
	$(MAKE) -C tools/vtpmctl install PREFIX=$(PREFIX)
	$(MAKE) -C tools/vtpm-verify install PREFIX=$(PREFIX)

clean:
	$(MAKE) -C $(KDIR) M=$(CURDIR) clean || true
	$(MAKE) -C tools/vtpmctl clean
	$(MAKE) -C tools/vtpm-verify clean
	$(MAKE) -C tools/testing/attest clean || true
	$(MAKE) -C tools/testing/fuzz clean || true
	$(MAKE) -C tools/testing/unit clean
	$(MAKE) -C tools/bench clean
	$(MAKE) -C selftests/vtpm clean || true
	rm -rf $(BUILD)

.PHONY: all module tools selftests sparse checkpatch check check-debug demo \
	bench fuzz stress deps install clean
