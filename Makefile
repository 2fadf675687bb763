# apply-seccomp: an offline seccomp-BPF compiler (seccomp-gen, a host tool)
# and a tiny static loader (apply-seccomp, built for the target).
#
#   make                      build/seccomp-gen and build/apply-seccomp
#   make ARCH=aarch64         cross-build build/aarch64/apply-seccomp
#   make LIBC=musl            build/musl/apply-seccomp with musl-gcc
#   make test                 every test suite
#   make filters              regenerate filters/ from the policies
#   make check-filters        fail when filters/ differs from what seccomp-gen emits
#   make install PREFIX=/usr/local DESTDIR=

SHELL := /bin/bash
VERSION := $(shell cat VERSION)

PREFIX ?= /usr/local
BINDIR ?= $(PREFIX)/bin
DATADIR ?= $(PREFIX)/share
MANDIR ?= $(DATADIR)/man
DESTDIR ?=

HOST_ARCH := $(shell uname -m)
ARCH ?= $(HOST_ARCH)
LIBC ?= glibc
ifneq ($(ARCH),$(HOST_ARCH))
CROSS_COMPILE ?= $(ARCH)-linux-gnu-
endif

# The generator runs on the build host; the loader is built for the target.
HOSTCC ?= cc
ifeq ($(LIBC),musl)
CC := $(CROSS_COMPILE)musl-gcc
STATIC := -static
else
ifeq ($(origin CC),default)
CC := $(CROSS_COMPILE)gcc
endif
STATIC := -static-pie
endif
TARGET_ARCH := $(firstword $(subst -, ,$(shell $(CC) -dumpmachine)))

CFLAGS ?= -O2
LDFLAGS ?=
WARN := -Wall -Wextra -Werror -Wshadow -Wstrict-prototypes -Wformat=2
HARDEN := -fstack-protector-strong -D_FORTIFY_SOURCE=2 -fPIE
BASE_CFLAGS := -std=gnu11 $(WARN) $(HARDEN) -Igen -DVERSION='"$(VERSION)"'
HARDEN_LDFLAGS := -Wl,-z,relro,-z,now,-z,noexecstack

# SANITIZE=1: both tools with ASan and UBSan, the loader linked dynamically.
ifeq ($(SANITIZE),1)
SAN := -fsanitize=address,undefined -fno-omit-frame-pointer -fno-sanitize-recover=all
STATIC :=
STRIP :=
VARIANT := san
else
SAN :=
STRIP := -s
VARIANT :=
endif

B := build
ifneq ($(TARGET_ARCH),$(HOST_ARCH))
VARIANT := $(TARGET_ARCH)$(if $(VARIANT),-$(VARIANT))
endif
ifeq ($(LIBC),musl)
VARIANT := musl$(if $(VARIANT),-$(VARIANT))
endif
# Where the loader (and the target-side test programs) of this variant go.
LB := $(B)$(if $(VARIANT),/$(VARIANT))
# Where seccomp-gen and the host-side test programs go: a sanitized build
# must not overwrite (or be mistaken for) the plain one.
HB := $(B)$(if $(SAN),/san)
GEN_OBJ := $(B)/obj/host$(if $(SAN),-san)
LOADER_OBJ := $(B)/obj/target$(if $(VARIANT),-$(VARIANT))

SHARED_SRCS := gen/fail.c gen/arch.c gen/blob.c gen/verify.c
GEN_SRCS := $(filter-out $(SHARED_SRCS) gen/main.c,$(wildcard gen/*.c)) $(SHARED_SRCS)
LOADER_SRCS := $(wildcard loader/*.c) $(SHARED_SRCS)
GEN_OBJS := $(GEN_SRCS:%.c=$(GEN_OBJ)/%.o)
LOADER_OBJS := $(LOADER_SRCS:%.c=$(LOADER_OBJ)/%.o)

GEN := $(HB)/seccomp-gen
LOADER := $(LB)/apply-seccomp
BUILTIN_H := $(LOADER_OBJ)/builtin-filter.h

# The committed filters: each blob NAME and the policies compiled into it, in
# order (sandbox.bpf is unix-block and the namespace guard as one program).
FILTERS := unix-block namespaces sandbox observe
FILTER_SRC_unix-block := filters/unix-block.policy
FILTER_SRC_namespaces := filters/namespaces.policy
FILTER_SRC_sandbox := filters/unix-block.policy filters/namespaces.policy
FILTER_SRC_observe := filters/observe.policy
POLICIES := $(sort $(foreach f,$(FILTERS),$(FILTER_SRC_$(f))))
ARCHES := x86_64 aarch64
BLOBS := $(foreach a,$(ARCHES),$(foreach f,$(FILTERS),filters/$(a)/$(f).bpf))

.PHONY: all loader gen filters check-filters test install uninstall clean \
	test-gen test-loader test-escape test-observe test-srt test-aarch64 test-build bench bench-gen \
	bench-loader bench-observe fuzz lint valgrind test-hardening
.DELETE_ON_ERROR:

all: $(GEN) $(LOADER)
gen: $(GEN)
loader: $(LOADER)

$(GEN_OBJ)/%.o: %.c $(wildcard gen/*.h gen/*.inc) | $(GEN_OBJ)/gen
	$(HOSTCC) $(BASE_CFLAGS) $(SAN) $(CFLAGS) -c -o $@ $<

$(GEN): $(GEN_OBJ)/gen/main.o $(GEN_OBJS) | $(HB)
	$(HOSTCC) $(SAN) $(CFLAGS) -pie $(HARDEN_LDFLAGS) $(LDFLAGS) -o $@ $^

$(LOADER_OBJ)/%.o: %.c $(wildcard gen/*.h loader/*.h) $(BUILTIN_H) | $(LOADER_OBJ)/gen $(LOADER_OBJ)/loader
	$(CC) $(BASE_CFLAGS) -I$(LOADER_OBJ) $(SAN) $(CFLAGS) -c -o $@ $<

# --gc-sections leaves out the C library's code that nothing calls (8 kB).
$(LOADER): $(LOADER_OBJS) | $(LB)
	$(CC) $(SAN) $(CFLAGS) $(STATIC) $(STRIP) $(HARDEN_LDFLAGS) -Wl,--gc-sections $(LDFLAGS) -o $@ $^

# The blobs the loader embeds (one array per blob name and arch): the committed
# ones, so that a loader built anywhere carries exactly what SHA256SUMS names.
$(BUILTIN_H): $(GEN) $(BLOBS) | $(LOADER_OBJ)
	$(GEN) header -o $@ $(BLOBS)

$(sort $(B) $(LB) $(HB) $(GEN_OBJ)/gen $(LOADER_OBJ) $(LOADER_OBJ)/gen $(LOADER_OBJ)/loader):
	mkdir -p $@

# --- filters ---------------------------------------------------------------

filters: $(GEN)
	@for a in $(ARCHES); do mkdir -p filters/$$a || exit 1; done
	$(foreach a,$(ARCHES),$(foreach f,$(FILTERS),\
		$(GEN) compile --arch $(a) -o filters/$(a)/$(f).bpf $(FILTER_SRC_$(f)) &&)) true
	cd filters && sha256sum $(patsubst filters/%,%,$(BLOBS)) > SHA256SUMS.tmp && \
		mv SHA256SUMS.tmp SHA256SUMS

# Each committed blob against what seccomp-gen emits now (with a disasm diff
# when they differ), proven to implement its policies for every syscall
# (verify --policy), then SHA256SUMS.
check-filters: $(GEN)
	@rm -rf $(B)/check-filters && mkdir -p $(foreach a,$(ARCHES),$(B)/check-filters/$(a))
	@$(foreach a,$(ARCHES),$(foreach f,$(FILTERS),\
		$(GEN) compile --arch $(a) -o $(B)/check-filters/$(a)/$(f).bpf $(FILTER_SRC_$(f)) || exit 1; \
		if ! cmp -s $(B)/check-filters/$(a)/$(f).bpf filters/$(a)/$(f).bpf; then \
			echo "check-filters: filters/$(a)/$(f).bpf differs from what seccomp-gen emits from $(FILTER_SRC_$(f)):"; \
			diff <($(GEN) disasm filters/$(a)/$(f).bpf) <($(GEN) disasm $(B)/check-filters/$(a)/$(f).bpf); \
			exit 1; fi; \
		$(GEN) verify --policy $(FILTER_SRC_$(f)) filters/$(a)/$(f).bpf > /dev/null || \
			{ echo "check-filters: filters/$(a)/$(f).bpf does not implement $(FILTER_SRC_$(f))"; exit 1; };))
	@cd filters && sha256sum --quiet -c SHA256SUMS
	@[ "$$(wc -l < filters/SHA256SUMS)" -eq $(words $(BLOBS)) ] || \
		{ echo "check-filters: filters/SHA256SUMS does not list exactly the $(words $(BLOBS)) blobs"; exit 1; }
	@echo "check-filters: filters/ matches $(POLICIES), and each blob implements its policies"

# --- tests -----------------------------------------------------------------

TB := $(HB)/tests
GEN_TESTS := $(TB)/gen-semantics $(TB)/gen-oracle $(TB)/gen-kernel
GEN_TEST_CFLAGS := $(BASE_CFLAGS) -Itests/gen $(SAN) $(CFLAGS)

$(TB):
	mkdir -p $@

$(TB)/gen-semantics: tests/gen/semantics.c tests/gen/grid.c tests/gen/reference.c tests/gen/mutate.c \
		$(wildcard tests/gen/*.h) $(GEN_OBJS) | $(TB)
	$(HOSTCC) $(GEN_TEST_CFLAGS) -o $@ $(filter %.c %.o,$^)

$(TB)/gen-oracle: tests/gen/oracle.c tests/gen/grid.c tests/gen/libseccomp.c $(wildcard tests/gen/*.h) $(GEN_OBJS) | $(TB)
	$(HOSTCC) $(GEN_TEST_CFLAGS) -o $@ $(filter %.c %.o,$^) -lseccomp

$(TB)/gen-kernel: tests/gen/kernel.c $(GEN_OBJ)/gen/blob.o | $(TB)
	$(HOSTCC) $(GEN_TEST_CFLAGS) -o $@ $(filter %.c %.o,$^)

test-gen: $(GEN) $(GEN_TESTS)
	GEN=$(GEN) TB=$(TB) tests/gen/run.sh

# --- fuzzing (libFuzzer: clang and libclang-rt-14-dev) -------------------------
# `make fuzz FUZZ_SECONDS=N` runs each harness N seconds from its seed corpus in
# tests/fuzz/corpus/; a crash, a sanitizer report or a broken invariant fails.
FUZZ_CC ?= clang
FUZZ_SECONDS ?= 30
FUZZERS := policy verify sim
FUZZ_OBJ := $(B)/obj/fuzz
FB := $(B)/fuzz
FUZZ_CFLAGS := $(BASE_CFLAGS) -Itests/gen -Itests/fuzz -g -O1 -fno-omit-frame-pointer \
	-fsanitize=address,undefined -fno-sanitize-recover=all
FUZZ_OBJS := $(patsubst %.c,$(FUZZ_OBJ)/%.o,$(GEN_SRCS) tests/gen/grid.c tests/gen/reference.c \
	tests/gen/mutate.c tests/fuzz/fuzz.c)

$(FUZZ_OBJ)/%.o: %.c $(wildcard gen/*.h gen/*.inc tests/gen/*.h tests/fuzz/*.h)
	@mkdir -p $(@D)
	$(FUZZ_CC) $(FUZZ_CFLAGS) -fsanitize=fuzzer-no-link -c -o $@ $<

$(FB)/fuzz-%: $(FUZZ_OBJ)/tests/fuzz/%.o $(FUZZ_OBJS)
	@mkdir -p $(@D)
	$(FUZZ_CC) $(FUZZ_CFLAGS) -fsanitize=fuzzer -o $@ $^

# Made through pattern rules only, so make would delete them as intermediate.
.SECONDARY: $(FUZZ_OBJS) $(FUZZERS:%=$(FUZZ_OBJ)/tests/fuzz/%.o)

fuzz: $(FUZZERS:%=$(FB)/fuzz-%)
	FB=$(FB) tests/fuzz/run.sh $(FUZZ_SECONDS) $(FUZZERS)

# --- hardening: the kernel against sim, load and soak, valgrind, lint -----------
HARD_TESTS := $(TB)/hard-accept $(TB)/hard-programs $(TB)/hard-load
KERNEL_RUN := tests/hardening/kernel-run.c tests/hardening/kernel-run.h tests/gen/random.h

$(TB)/hard-accept: tests/hardening/accept.c $(KERNEL_RUN) $(GEN_OBJS) | $(TB)
	$(HOSTCC) $(GEN_TEST_CFLAGS) -Itests/hardening -o $@ $(filter %.c %.o,$^)

$(TB)/hard-programs: tests/hardening/programs.c $(KERNEL_RUN) $(GEN_OBJS) | $(TB)
	$(HOSTCC) $(GEN_TEST_CFLAGS) -Itests/hardening -o $@ $(filter %.c %.o,$^)

$(TB)/hard-load: tests/hardening/load.c tests/gen/random.h | $(TB)
	$(HOSTCC) $(GEN_TEST_CFLAGS) -o $@ $<

# cppcheck, clang-tidy (.clang-tidy) and gcc -fanalyzer on every C file.
lint: $(BUILTIN_H)
	scripts/lint.sh -I$(LOADER_OBJ)

# valgrind memcheck over every seccomp-gen command; it needs a plain build.
valgrind:
	$(MAKE) --no-print-directory SANITIZE= gen
	tests/hardening/valgrind.sh $(B)/seccomp-gen

# CI's share of fuzzing, per harness.
CI_FUZZ_SECONDS ?= 20
# Valgrind, fuzzing and lint do not depend on the build variant: a SANITIZE=1
# run leaves them to the plain one.
PLAIN := $(if $(SAN),,1)

test-hardening: $(GEN) $(LOADER) $(HARD_TESTS) $(if $(PLAIN),$(FUZZERS:%=$(FB)/fuzz-%) $(BUILTIN_H))
	GEN=$(GEN) LOADER=$(LOADER) TB=$(TB) FB=$(FB) FUZZ_SECONDS=$(CI_FUZZ_SECONDS) \
		PLAIN=$(PLAIN) LINT_INCLUDE=$(LOADER_OBJ) tests/hardening/run.sh

# --- benchmarks (figures side by side with a peer; not tests) ---------------

$(TB)/gen-bench: tests/bench/gen-bench.c tests/gen/grid.c tests/gen/reference.c tests/gen/libseccomp.c $(wildcard tests/gen/*.h) $(GEN_OBJS) | $(TB)
	$(HOSTCC) $(GEN_TEST_CFLAGS) -o $@ $(filter %.c %.o,$^) -lseccomp

# sandbox.bpf's two policies, then unix-block alone; the tables go to
# docs/benchmarks.md as they are printed.
bench-gen: $(TB)/gen-bench
	$(TB)/gen-bench tests/bench/syscall-mix-x86_64.txt $(FILTER_SRC_sandbox)
	$(TB)/gen-bench tests/bench/syscall-mix-x86_64.txt $(FILTER_SRC_unix-block)

# --- the loader's tests and benchmark ----------------------------------------
# probe: a test program for the target (static; the aarch64 guest runs it too).
# inject: a host-side fault injector for the fail-closed tests.
PROBE := $(LB)/tests/probe
INJECT := $(TB)/inject

$(PROBE): tests/probe.c
	@mkdir -p $(@D)
	$(CC) $(BASE_CFLAGS) $(CFLAGS) -static $(HARDEN_LDFLAGS) $(LDFLAGS) -o $@ $<

$(INJECT): tests/loader/inject.c | $(TB)
	$(HOSTCC) $(BASE_CFLAGS) $(SAN) $(CFLAGS) $(HARDEN_LDFLAGS) $(LDFLAGS) -o $@ $<

# musl-gcc searches no kernel headers: hand it the UAPI ones alone (linux/,
# asm/, asm-generic/), none of glibc's.
ifeq ($(LIBC),musl)
UAPI := $(B)/obj/uapi-$(TARGET_ARCH)
$(LOADER_OBJS) $(PROBE): BASE_CFLAGS += -isystem $(UAPI)
$(LOADER_OBJS) $(PROBE): | $(UAPI)
$(UAPI):
	mkdir -p $@
	ln -sfn /usr/include/linux /usr/include/asm-generic $@/
	ln -sfn /usr/include/$(TARGET_ARCH)-linux-gnu/asm $@/asm
endif

# Fault injection counts every syscall the loader makes, so it needs a static
# loader: with SANITIZE=1 it runs against the plain build, which it makes.
test-loader: all $(PROBE) $(INJECT)
	$(if $(SAN),$(MAKE) --no-print-directory SANITIZE= loader)
	LOADER=$(LOADER) LOADER_LIBC=$(LIBC) PROBE=$(PROBE) INJECT=$(INJECT) GEN=$(GEN) \
		FAULT_LOADER=$(if $(SAN),$(B)/apply-seccomp,$(LOADER)) tests/loader/run.sh

# Start-up cost of the glibc and musl builds against srt's own helper, plain
# exec, unshare(1) and bwrap, as root and as uid 65534, in one interleaved
# run; sizes; peak RSS; syscall counts. Both builds are made here, whatever
# LIBC says. A benchmark: it fails on a broken setup, never on figures.
LOADER_BENCH := $(TB)/loader-bench

$(LOADER_BENCH): tests/loader/bench.c | $(TB)
	$(HOSTCC) $(BASE_CFLAGS) $(CFLAGS) $(HARDEN_LDFLAGS) $(LDFLAGS) -o $@ $<

bench-loader: $(LOADER_BENCH)
	$(MAKE) --no-print-directory LIBC=glibc SANITIZE= loader
	$(MAKE) --no-print-directory LIBC=musl SANITIZE= loader
	LOADER=$(B)/apply-seccomp MUSL_LOADER=$(B)/musl/apply-seccomp BENCH=$(LOADER_BENCH) \
		scripts/bench-loader.sh

# --- the write observer (SRT_OBSERVE_SOCK) ----------------------------------------
# Its test programs are static and for the target, so the aarch64 guest runs them too.
OBSERVE_PROGS := $(LB)/tests/observe-calls $(LB)/tests/observe-listen $(LB)/tests/observe-reuse

$(LB)/tests/observe-%: tests/observe/%.c
	@mkdir -p $(@D)
	$(CC) $(BASE_CFLAGS) $(CFLAGS) -static $(HARDEN_LDFLAGS) $(LDFLAGS) -o $@ $< -lpthread

test-observe: all $(PROBE) $(INJECT) $(OBSERVE_PROGS)
	LOADER=$(LOADER) CALLS=$(LB)/tests/observe-calls LISTEN=$(LB)/tests/observe-listen \
		REUSE=$(LB)/tests/observe-reuse PROBE=$(PROBE) INJECT=$(INJECT) GEN=$(GEN) tests/observe/run.sh

# Cost of the observer on a write-heavy workload, against none and srt's own helper.
bench-observe: all $(OBSERVE_PROGS)
	LOADER=$(LOADER) CALLS=$(LB)/tests/observe-calls LISTEN=$(LB)/tests/observe-listen tests/observe/bench.sh

# --- aarch64 on a real kernel (qemu-system-aarch64, TCG) ----------------------
# Cross-builds the loader itself (make ARCH=aarch64); $(GEN) first, so that a
# parallel `make test` does not build seccomp-gen twice at once.
test-aarch64: $(GEN)
	scripts/test-aarch64.sh

# --- a real client: @anthropic-ai/sandbox-runtime's srt, every calling convention -
# Installs the pinned srt releases into build/srt/VERSION once (scripts/fetch-srt.sh:
# npm and the registry then); writes the comparison with srt's own helper to
# build/srt/comparison.md (the source of docs/srt.md).
SRT_OUTER := $(LB)/tests/srt-outer

$(SRT_OUTER): tests/srt/outer.c
	@mkdir -p $(@D)
	$(CC) $(BASE_CFLAGS) $(CFLAGS) -static $(HARDEN_LDFLAGS) $(LDFLAGS) -o $@ $<

# srt's own helper does not depend on the build variant: a SANITIZE=1 run
# leaves that column and the table to the plain one.
test-srt: all $(PROBE) $(SRT_OUTER)
	SRT_LOADER=$(abspath $(LOADER)) SRT_PROBE=$(abspath $(PROBE)) SRT_OUTER=$(abspath $(SRT_OUTER)) \
		SRT_HELPERS="ours$(if $(PLAIN), srt)" SRT_REPORT=$(abspath $(B))/srt/comparison.md tests/srt/run.sh

# --- the escape suite: a hostile command in every context ----------------------
# escape-attack and its helpers are static, libc only; the attacker also
# cross-builds for aarch64 (checked here, so that it keeps doing so).
ESCAPE_ATTACK_SRCS := $(addprefix tests/escape/,attack.c proof.c net.c userns.c mount.c \
	pid1.c fs.c keys.c tty.c walk.c outer.c)
EB := $(LB)/tests/escape
ESCAPE_TOOLS := $(addprefix $(EB)/escape-,attack suid session pty daemon)
ESCAPE_CFLAGS := -std=gnu11 $(WARN) $(CFLAGS) -static
ESCAPE_AARCH64 := $(B)/aarch64/tests/escape/escape-attack

$(EB)/escape-attack: $(ESCAPE_ATTACK_SRCS) tests/escape/attack.h
	@mkdir -p $(@D)
	$(CC) $(ESCAPE_CFLAGS) -o $@ $(ESCAPE_ATTACK_SRCS)

$(EB)/escape-%: tests/escape/%.c
	@mkdir -p $(@D)
	$(CC) $(ESCAPE_CFLAGS) -o $@ $<

# (With ARCH=aarch64 the rule above already makes it.)
ifneq ($(ESCAPE_AARCH64),$(EB)/escape-attack)
$(ESCAPE_AARCH64): $(ESCAPE_ATTACK_SRCS) tests/escape/attack.h
	@mkdir -p $(@D)
	aarch64-linux-gnu-gcc $(ESCAPE_CFLAGS) -o $@ $(ESCAPE_ATTACK_SRCS)
endif

test-escape: all $(ESCAPE_TOOLS) $(ESCAPE_AARCH64)
	LOADER=$(LOADER) EB=$(EB) tests/escape/run.sh

# --- all the suites ------------------------------------------------------------
# Each suite runs even when an earlier one failed; the summary names the failures.
TEST_SUITES := test-gen test-loader test-escape test-observe test-build test-srt test-aarch64 test-hardening

test:
	@failed=; for t in $(TEST_SUITES); do \
		echo "=== $$t"; $(MAKE) --no-print-directory $$t || failed="$$failed $$t"; done; \
	if [ -n "$$failed" ]; then echo "FAILED:$$failed"; exit 1; fi; \
	echo "all test suites passed: $(TEST_SUITES)"

test-build: all
	tests/build/run.sh

bench: bench-gen bench-loader bench-observe

# --- install -------------------------------------------------------------------

FILTERS_DIR := $(DATADIR)/apply-seccomp/filters
MANPAGES := loader/apply-seccomp.1 gen/seccomp-gen.1

install: all
	install -d $(DESTDIR)$(BINDIR) $(DESTDIR)$(MANDIR)/man1 \
		$(foreach a,$(ARCHES),$(DESTDIR)$(FILTERS_DIR)/$(a))
	install -m 0755 $(LOADER) $(GEN) $(DESTDIR)$(BINDIR)/
	install -m 0644 $(POLICIES) filters/SHA256SUMS $(DESTDIR)$(FILTERS_DIR)/
	$(foreach a,$(ARCHES),install -m 0644 $(filter filters/$(a)/%,$(BLOBS)) $(DESTDIR)$(FILTERS_DIR)/$(a)/ &&) true
	install -m 0644 $(MANPAGES) $(DESTDIR)$(MANDIR)/man1/

uninstall:
	rm -f $(DESTDIR)$(BINDIR)/apply-seccomp $(DESTDIR)$(BINDIR)/seccomp-gen \
		$(foreach p,$(POLICIES),$(DESTDIR)$(FILTERS_DIR)/$(notdir $(p))) $(DESTDIR)$(FILTERS_DIR)/SHA256SUMS \
		$(foreach b,$(BLOBS),$(DESTDIR)$(FILTERS_DIR)/$(patsubst filters/%,%,$(b))) \
		$(foreach p,$(MANPAGES),$(DESTDIR)$(MANDIR)/man1/$(notdir $(p)))
	rmdir $(foreach a,$(ARCHES),$(DESTDIR)$(FILTERS_DIR)/$(a)) $(DESTDIR)$(FILTERS_DIR) \
		$(DESTDIR)$(DATADIR)/apply-seccomp 2>/dev/null || true

clean:
	rm -rf $(B)
