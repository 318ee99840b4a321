# SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
# mguard: kernel-level model-execution guard.
#
#   make            build build/mguard (BPF objects embedded as a skeleton)
#   make run        start the guard in the foreground on policies/default
#   make test       unit, host-kernel and VM tiers; fails if any tier cannot run
#   make install    PREFIX=/usr/local DESTDIR=
#   make vmlinux    regenerate vmlinux/$(ARCH)/vmlinux.h from this kernel's BTF
#   make deps       check the include graph: layers point down, libbpf only in kernel/
#   V=1             show the commands

BUILD	?= build
PREFIX	?= /usr/local
DESTDIR	?=
CC	?= cc
CLANG	?= clang
BPFTOOL	?= bpftool
ARCH	?= x86
WERROR	?=

ifeq ($(V),1)
Q =
msg =
else
Q = @
msg = @printf '  %-8s %s\n' "$(1)" "$(2)";
endif

# Everything the build needs; scripts/install-deps.sh installs what is missing.
DEPS_STAMP := $(BUILD)/.deps-ok

WARN	:= -Wall -Wextra -Wformat=2 -Wshadow -Wmissing-prototypes -Wno-unused-parameter $(if $(WERROR),-Werror)
CFLAGS	?= -O2 -g
CFLAGS	+= $(WARN) -std=gnu11
# Include paths and defines, kept apart from CFLAGS so a CFLAGS from the
# command line cannot drop them. Userspace includes name the layer:
# "core/util.h", "kernel/loader.h".
CPPFLAGS := -D_GNU_SOURCE -Ibpf -Iuserspace -I$(BUILD)
DEPFLAGS = -MMD -MP
LIBS	:= -lbpf -lelf -lz -lyaml -lseccomp -lcrypto -ljson-c -lmicrohttpd -lsystemd -lpthread -lm
SAN	:= -fsanitize=address,undefined -fno-omit-frame-pointer

BPF_CFLAGS := -g -O2 -target bpf -D__TARGET_ARCH_$(ARCH) -Wall $(if $(WERROR),-Werror) \
	-Ivmlinux/$(ARCH) -Ibpf -mcpu=v3

BPF_SRCS  := $(wildcard bpf/*.bpf.c)
BPF_OBJS  := $(patsubst bpf/%.bpf.c,$(BUILD)/bpf/%.bpf.o,$(BPF_SRCS))
BPF_HDRS  := $(wildcard bpf/*.h)

# userspace/LAYER/*.c, layers from the bottom up (docs/ARCHITECTURE.md):
# core, policy, license, compile, kernel, daemon, cli. cli/main.c is the
# program; every other file is library code that the unit tests link against.
LAYERS    := core policy license compile kernel daemon cli
USR_SRCS  := $(foreach l,$(LAYERS),$(wildcard userspace/$(l)/*.c))
USR_HDRS  := $(foreach l,$(LAYERS),$(wildcard userspace/$(l)/*.h))
LIB_SRCS  := $(filter-out userspace/cli/main.c,$(USR_SRCS))
USR_OBJS  := $(patsubst userspace/%.c,$(BUILD)/obj/%.o,$(USR_SRCS))
SAN_OBJS  := $(patsubst userspace/%.c,$(BUILD)/san/%.o,$(LIB_SRCS))

# Unit tests mirror the layers (tests/unit/LAYER/test_X.c); binaries are flat.
UNIT_SRCS := $(wildcard tests/unit/*/test_*.c)
UNIT_BINS := $(addprefix $(BUILD)/tests/unit/,$(basename $(notdir $(UNIT_SRCS))))
vpath test_%.c $(sort $(dir $(UNIT_SRCS)))
HELPER_BINS := $(patsubst tests/helpers/%.c,$(BUILD)/tests/helpers/%,$(wildcard tests/helpers/*.c))

.DELETE_ON_ERROR:
.PHONY: all run demo deps install-deps fuzz bench man test test-unit test-kernel test-vm install uninstall clean vmlinux tests-build fmt fmt-check lint

all: $(BUILD)/mguard man

# mguard-policy(5) is made from docs/policy.md: one source for both.
MAN_PAGES := docs/man/mguard.8 $(BUILD)/man/mguard-policy.5
man: $(MAN_PAGES)
$(BUILD)/man/mguard-policy.5: docs/policy.md scripts/md2man.awk
	$(call msg,MAN,$@)
	$(Q)mkdir -p $(@D)
	$(Q)awk -v name=mguard-policy -v section=5 -v date=2026-11-28 -v version=0.1.0 \
		-f scripts/md2man.awk $< > $@

# The include graph: layers point down only, libbpf only in kernel/, no
# file over 600 lines (scripts/check-layers.sh prints each offence).
deps:
	$(Q)scripts/check-layers.sh

# What the build needs, installed once (every build step depends on it).
install-deps: $(DEPS_STAMP)
$(DEPS_STAMP): scripts/install-deps.sh
	$(Q)scripts/install-deps.sh
	$(Q)mkdir -p $(@D) && touch $@

$(BUILD)/bpf/%.bpf.o: bpf/%.bpf.c $(BPF_HDRS) | $(DEPS_STAMP)
	$(call msg,BPF,$@)
	$(Q)mkdir -p $(@D)
	$(Q)$(CLANG) $(BPF_CFLAGS) -c $< -o $@

# All BPF objects are linked into one, so there is one skeleton and one set of maps.
$(BUILD)/mguard.bpf.o: $(BPF_OBJS)
	$(call msg,LINK,$@)
	$(Q)$(BPFTOOL) gen object $@ $^

$(BUILD)/mguard.skel.h: $(BUILD)/mguard.bpf.o
	$(call msg,SKEL,$@)
	$(Q)$(BPFTOOL) gen skeleton $< name mguard_bpf > $@

$(BUILD)/obj/%.o: userspace/%.c | $(DEPS_STAMP)
	$(call msg,CC,$@)
	$(Q)mkdir -p $(@D)
	$(Q)$(CC) $(CPPFLAGS) $(CFLAGS) $(DEPFLAGS) -c $< -o $@

# Only the kernel layer includes the skeleton; it is generated, so the
# dependency files cannot name it before the first build.
SKEL_USERS := $(patsubst userspace/%.c,%.o,$(shell grep -l 'mguard.skel.h' userspace/kernel/*.c))
$(addprefix $(BUILD)/obj/,$(SKEL_USERS)) $(addprefix $(BUILD)/san/,$(SKEL_USERS)): $(BUILD)/mguard.skel.h

$(BUILD)/mguard: $(USR_OBJS)
	$(call msg,LD,$@)
	$(Q)$(CC) $(CFLAGS) $^ -o $@ $(LIBS)

# Unit tests: the library code again, with sanitizers.
$(BUILD)/san/%.o: userspace/%.c | $(DEPS_STAMP)
	$(call msg,CC-SAN,$@)
	$(Q)mkdir -p $(@D)
	$(Q)$(CC) $(CPPFLAGS) $(CFLAGS) $(DEPFLAGS) $(SAN) -c $< -o $@

$(BUILD)/libmguard-san.a: $(SAN_OBJS)
	$(Q)rm -f $@ && ar rcs $@ $^

$(BUILD)/tests/unit/%: %.c $(BUILD)/libmguard-san.a tests/unit/unit.h
	$(call msg,CC-TEST,$@)
	$(Q)mkdir -p $(@D)
	$(Q)$(CC) $(CPPFLAGS) -Itests/unit $(CFLAGS) $(SAN) $< $(BUILD)/libmguard-san.a -o $@ -lcmocka $(LIBS)

# Small static programs the kernel tests drive (also copied into the VM).
$(BUILD)/tests/helpers/%: tests/helpers/%.c | $(DEPS_STAMP)
	$(call msg,CC,$@)
	$(Q)mkdir -p $(@D)
	$(Q)$(CC) $(CPPFLAGS) $(CFLAGS) -static $< -o $@

# The guard in the foreground on the shipped default policy; Ctrl-C stops it.
run: $(BUILD)/mguard
	$(BUILD)/mguard start --foreground --policy policies/default

# A guided tour: weights of each tier, a policy, the guard, a scope trying things.
demo: $(BUILD)/mguard
	$(Q)MGUARD=$(BUILD)/mguard scripts/demo.sh

tests-build: $(BUILD)/mguard $(UNIT_BINS) $(HELPER_BINS)

test: tests-build man
	$(Q)tests/run-all.sh $(BUILD)

test-unit: $(UNIT_BINS) $(BUILD)/mguard
	$(Q)tests/run-all.sh $(BUILD) unit

# T=t50 (or T="t20 t50") runs only those kernel test files, on the host or in the VM.
test-kernel: $(BUILD)/mguard $(HELPER_BINS)
	$(Q)MG_KERNEL_TESTS="$(T)" tests/run-all.sh $(BUILD) kernel

# VM="6.1 6.12" runs only those configurations of the kernel matrix (tests/vm/configs).
test-vm: $(BUILD)/mguard $(HELPER_BINS)
	$(Q)MG_KERNEL_TESTS="$(T)" MG_VM_CONFIGS="$(VM)" tests/run-all.sh $(BUILD) vm

# libFuzzer targets: the policy parser and the licence reader, seeded from
# policies/ and tests/fuzz/seeds/. FUZZ_SECONDS each; a crash fails the target.
FUZZ_SECONDS ?= 60
FUZZ_SRCS := $(wildcard tests/fuzz/fuzz_*.c)
FUZZ_BINS := $(patsubst tests/fuzz/%.c,$(BUILD)/fuzz/%,$(FUZZ_SRCS))
# Only what the parser and the licence reader need: no libbpf in a fuzzer.
FUZZ_LIB  := $(wildcard userspace/core/*.c userspace/policy/*.c userspace/license/*.c)
FUZZ_FLAGS := -g -O1 -fsanitize=fuzzer,address,undefined -std=gnu11

$(BUILD)/fuzz/%: tests/fuzz/%.c $(FUZZ_LIB) $(USR_HDRS) | $(DEPS_STAMP)
	$(call msg,FUZZ-CC,$@)
	$(Q)mkdir -p $(@D)
	$(Q)$(CLANG) $(CPPFLAGS) $(FUZZ_FLAGS) $< $(FUZZ_LIB) -o $@ -lyaml -lcrypto -lz -lm

fuzz: $(FUZZ_BINS)
	$(Q)scripts/fuzz.sh $(BUILD) $(FUZZ_SECONDS) $(FUZZ_BINS)

# Benchmarks: built like the product (no sanitizers), against the library code.
BENCH_BINS := $(patsubst bench/%.c,$(BUILD)/bench/%,$(wildcard bench/*.c))
LIB_OBJS := $(patsubst userspace/%.c,$(BUILD)/obj/%.o,$(LIB_SRCS))

$(BUILD)/bench/%: bench/%.c $(LIB_OBJS)
	$(call msg,CC,$@)
	$(Q)mkdir -p $(@D)
	$(Q)$(CC) $(CPPFLAGS) $(CFLAGS) $< $(LIB_OBJS) -o $@ $(LIBS)

# As root: interleaved rounds with and without the guard, on this kernel; the
# table on stdout, $(BUILD)/bench/results.json. MG_BENCH_* in bench/run.sh.
# BENCH_VM=1 also runs the ratio rounds in the test VM (BPF LSM engine, under
# QEMU's emulation: minutes more), into $(BUILD)/bench/results-vm.json.
BENCH_VM ?= 0

bench: $(BUILD)/mguard $(BENCH_BINS)
	$(Q)bench/run.sh $(BUILD)
	$(Q)if [ "$(BENCH_VM)" = 1 ]; then bench/vm.sh $(BUILD); fi

vmlinux:
	$(BPFTOOL) btf dump file /sys/kernel/btf/vmlinux format c > vmlinux/$(ARCH)/vmlinux.h

# Every C file of the tree in the style of .clang-format (kernel style).
FMT_FILES = $(shell git ls-files '*.c' '*.h' | grep -v '^vmlinux/')
fmt:
	$(Q)clang-format -i $(FMT_FILES)
fmt-check:
	$(Q)clang-format --dry-run --Werror $(FMT_FILES)

# format, layers, shellcheck, cppcheck and scan-build (scripts/lint.sh).
lint:
	$(Q)scripts/lint.sh $(BUILD)

# Where the unit, tmpfiles.d and completion go: what systemd's and
# bash-completion's pkg-config files say for this PREFIX, or the same paths
# below PREFIX when they are not installed. Each can be set on the command line.
PC_PREFIX = --define-variable=prefix=$(PREFIX) --define-variable=root_prefix=$(PREFIX) \
	--define-variable=datadir=$(PREFIX)/share
pc_var = $(or $(shell pkg-config $(PC_PREFIX) --variable=$(2) $(1) 2>/dev/null),$(3))
SBINDIR ?= $(PREFIX)/sbin
SYSCONFDIR ?= /etc
LOGDIR ?= /var/log/mguard
RUNDIR ?= /run/mguard
SYSTEMD_UNIT_DIR ?= $(call pc_var,systemd,systemdsystemunitdir,$(PREFIX)/lib/systemd/system)
TMPFILES_DIR ?= $(call pc_var,systemd,tmpfilesdir,$(PREFIX)/lib/tmpfiles.d)
BASH_COMPLETION_DIR ?= $(call pc_var,bash-completion,completionsdir,$(PREFIX)/share/bash-completion/completions)
LOGROTATE_DIR ?= $(SYSCONFDIR)/logrotate.d
SUBST = sed -e 's|@SBINDIR@|$(SBINDIR)|g' -e 's|@SYSCONFDIR@|$(SYSCONFDIR)|g' -e 's|@LOGDIR@|$(LOGDIR)|g' -e 's|@RUNDIR@|$(RUNDIR)|g'

install: $(BUILD)/mguard man
	install -D -m 0755 $(BUILD)/mguard $(DESTDIR)$(SBINDIR)/mguard
	install -d -m 0755 $(DESTDIR)$(SYSCONFDIR)/mguard
	for f in policies/default/*.yaml; do \
		[ -e $(DESTDIR)$(SYSCONFDIR)/mguard/$$(basename $$f) ] || \
		install -m 0644 $$f $(DESTDIR)$(SYSCONFDIR)/mguard/; \
	done
	install -D -m 0644 docs/man/mguard.8 $(DESTDIR)$(PREFIX)/share/man/man8/mguard.8
	install -D -m 0644 $(BUILD)/man/mguard-policy.5 $(DESTDIR)$(PREFIX)/share/man/man5/mguard-policy.5
	install -d $(DESTDIR)$(SYSTEMD_UNIT_DIR) $(DESTDIR)$(TMPFILES_DIR) $(DESTDIR)$(LOGROTATE_DIR)
	$(SUBST) scripts/systemd/mguard.service > $(DESTDIR)$(SYSTEMD_UNIT_DIR)/mguard.service
	$(SUBST) scripts/systemd/mguard.tmpfiles > $(DESTDIR)$(TMPFILES_DIR)/mguard.conf
	$(SUBST) scripts/systemd/mguard.logrotate > $(DESTDIR)$(LOGROTATE_DIR)/mguard
	chmod 0644 $(DESTDIR)$(SYSTEMD_UNIT_DIR)/mguard.service $(DESTDIR)$(TMPFILES_DIR)/mguard.conf \
		$(DESTDIR)$(LOGROTATE_DIR)/mguard
	install -D -m 0644 scripts/completion/mguard.bash $(DESTDIR)$(BASH_COMPLETION_DIR)/mguard

uninstall:
	rm -f $(DESTDIR)$(SBINDIR)/mguard $(DESTDIR)$(PREFIX)/share/man/man8/mguard.8 \
		$(DESTDIR)$(PREFIX)/share/man/man5/mguard-policy.5 \
		$(DESTDIR)$(SYSTEMD_UNIT_DIR)/mguard.service $(DESTDIR)$(TMPFILES_DIR)/mguard.conf \
		$(DESTDIR)$(LOGROTATE_DIR)/mguard $(DESTDIR)$(BASH_COMPLETION_DIR)/mguard
	@echo "policy files in $(DESTDIR)$(SYSCONFDIR)/mguard and events in $(LOGDIR) were left in place"

clean:
	rm -rf $(BUILD)

-include $(USR_OBJS:.o=.d) $(SAN_OBJS:.o=.d)
