# cx: small tools that build a container by hand, one primitive each.
#
#   make            the tools, static against musl (LIBC=glibc: glibc's;
#                   SHARED=1: glibc, dynamically)
#   make check      every test: C unit tests, man page and module lints, bats
#   make demo       a container from the tools, on a busybox rootfs
#   make install    PREFIX=/usr/local DESTDIR=
#   make SANITIZE=1 check   the same tests under ASan and UBSan

VERSION  := 0.1.0
PREFIX   ?= /usr/local
BINDIR   ?= $(PREFIX)/bin
MANDIR   ?= $(PREFIX)/share/man
# bash-completion loads a command's completion from a file of its name.
COMPDIR  ?= $(PREFIX)/share/bash-completion/completions
BUILD    ?= build
CC       ?= cc

# Every tools/cx-*.c is a tool, every common/*.c part of libcx.a, every
# tests/test-*.c a unit test.
TOOLS    := $(sort $(basename $(notdir $(wildcard tools/cx-*.c))))
COMMON   := $(sort $(basename $(notdir $(wildcard common/*.c))))
TESTS    := $(sort $(basename $(notdir $(wildcard tests/test-*.c))))

# Each tool links only the libraries it uses.
LIBS_cx-unshare := -lpopt
LIBS_cx-chroot  := -lpopt
LIBS_cx-nsenter := -lpopt
LIBS_cx-bind    := -lpopt
LIBS_cx-cgroup  := -lpopt
LIBS_cx-caps    := -lpopt -lcap
# JSON through jansson (config.json; an image's index and manifests in
# cx-overlay), linux.seccomp through libseccomp (see
# common/oci.c and common/oci-seccomp.c).
LIBS_cx-oci     := -lpopt -ljansson -lseccomp
# libarchive, and nettle for the blobs' digests.  Statically, its pax
# writer pulls in the table of every format, xar's libxml2 and ICU with
# it; --gc-sections drops what is never called.
ifeq ($(filter 1,$(SHARED) $(SANITIZE)),)
ARCHIVE_LIBS := -Wl,--gc-sections $(shell pkg-config --static --libs libarchive libxml-2.0 nettle) -lstdc++
else
ARCHIVE_LIBS := $(shell pkg-config --libs libarchive nettle)
endif
LIBS_cx-overlay := -lpopt -ljansson $(ARCHIVE_LIBS)

# The scenario tests' helpers are built by the host's compiler whatever
# LIBC is: they use no cx code and stand for any program.
HELPER_CC := $(CC)

WARN     := -Wall -Wextra -Werror
HARDEN   := -fstack-protector-strong -D_FORTIFY_SOURCE=2 -fPIE
CFLAGS   ?= -O2 -g
ALL_CFLAGS := -std=gnu11 -D_GNU_SOURCE $(CFLAGS) $(WARN) -Icommon -DCX_VERSION='"$(VERSION)"'
LINKMODE := -static-pie

ifeq ($(SANITIZE),1)
# The sanitizers need the dynamic loader: sanitized builds are shared.
SHARED   := 1
ALL_CFLAGS += -O1 -fno-omit-frame-pointer -fsanitize=address,undefined \
	      -fno-sanitize-recover=all
LDSAN    := -fsanitize=address,undefined
BUILD    := build/sanitize
else
ALL_CFLAGS += $(HARDEN)
endif
ifeq ($(SHARED),1)
LINKMODE := -pie
endif
# PIE=0: a static program at a fixed address, no ASLR, no start-up
# relocation (make bench weighs the two).
ifeq ($(PIE),0)
ifeq ($(SHARED),1)
$(error PIE=0 is for static programs: not with SHARED=1 or SANITIZE=1)
endif
LINKMODE := -static -no-pie
endif
ALL_LDFLAGS := $(LINKMODE) -Wl,-z,relro,-z,now $(LDSAN) $(LDFLAGS)

# LIBC=musl, the default: the tools linked statically against musl
# (musl-tools), whose start-up costs a twelfth of static glibc's here
# (make bench), with the libraries they use built once from Debian's
# own sources by mk/musl-deps.sh into MUSL_DEPS, which later builds
# share.  LIBC=glibc builds into build/glibc unless BUILD is given.
# The unit tests (cmocka: in BUILD/glibc), the fuzzers and the
# sanitizer builds (in folders of their own) are glibc's whatever LIBC
# is.
ifneq ($(filter 1,$(SHARED) $(SANITIZE)),)
LIBC      ?= glibc
endif
LIBC      ?= musl
MUSL_DEPS ?= build/musl-deps
ifeq ($(LIBC),musl)
ifneq ($(filter 1,$(SHARED) $(SANITIZE)),)
$(error SHARED=1 and SANITIZE=1 need LIBC=glibc: musl's programs are static, the sanitizers glibc's)
endif
MUSL     := $(abspath $(MUSL_DEPS))
CC       := gcc -specs $(MUSL)/musl.specs -isystem $(MUSL)/kh
ALL_CFLAGS  += -I$(MUSL)/prefix/include -ffunction-sections -fdata-sections
ALL_LDFLAGS += -L$(MUSL)/prefix/lib -Wl,--gc-sections
# common/alloc.c takes malloc's names (it says why), linked as an
# object, not from libcx.a, so that a library's malloc finds it too.
ALL_CFLAGS  += -DCX_OWN_MALLOC
OWN_MALLOC  = $(BUILD)/common/alloc.o
ARCHIVE_LIBS := -larchive -lzstd -lz -lnettle
LIBS_cx-overlay := -lpopt -ljansson $(ARCHIVE_LIBS)
# What must be glibc's goes to a glibc build folder of its own.
GLIBC_MAKE = $(MAKE) --no-print-directory LIBC=glibc BUILD=$(BUILD)/glibc
else ifeq ($(LIBC),glibc)
ifeq ($(origin BUILD)$(BUILD),filebuild)
BUILD    := build/glibc
endif
else
$(error LIBC=$(LIBC): musl or glibc)
endif

# A build folder remembers the compiler and flags it was built with
# (BUILD/.flags, rewritten when they change): LIBC=, SHARED= or new
# CFLAGS over an earlier build make every object again.
FLAGS_NOW := $(CC) $(ALL_CFLAGS) $(ALL_LDFLAGS)
ifneq ($(FLAGS_NOW),$(file <$(BUILD)/.flags))
$(shell mkdir -p $(BUILD))
$(file >$(BUILD)/.flags,$(FLAGS_NOW))
endif

OBJS     := $(COMMON:%=$(BUILD)/common/%.o)
BINS     := $(TOOLS:%=$(BUILD)/%)

all: $(BINS)

# V=1 shows the commands.
Q        := $(if $(V),,@)

# Each object depends on the headers it includes, as the compiler lists
# them (-MMD) in a .d file beside it; -MP keeps a removed header from
# breaking the build.
DEPFLAGS := -MMD -MP

$(BUILD)/common/%.o: common/%.c $(BUILD)/.flags | $(BUILD)/common
	@$(if $(Q),echo "  CC      $@")
	$(Q)$(CC) $(ALL_CFLAGS) $(DEPFLAGS) -c -o $@ $<

$(BUILD)/tools/%.o: tools/%.c $(BUILD)/.flags | $(BUILD)/tools
	@$(if $(Q),echo "  CC      $@")
	$(Q)$(CC) $(ALL_CFLAGS) $(DEPFLAGS) -c -o $@ $<

-include $(OBJS:.o=.d) $(TOOLS:%=$(BUILD)/tools/%.d)

ifeq ($(LIBC),musl)
$(OBJS) $(TOOLS:%=$(BUILD)/tools/%.o): | $(MUSL_DEPS)/prefix/.done
$(BINS): $(MUSL_DEPS)/prefix/.done
$(MUSL_DEPS)/prefix/.done: mk/musl-deps.sh
	sh mk/musl-deps.sh $(MUSL_DEPS)
endif

$(BUILD)/libcx.a: $(OBJS)
	$(Q)rm -f $@ && ar rcs $@ $^

$(BUILD)/cx-%: $(BUILD)/tools/cx-%.o $(BUILD)/libcx.a $(BUILD)/.flags
	@$(if $(Q),echo "  LD      $@")
	$(Q)$(CC) $(ALL_CFLAGS) $(ALL_LDFLAGS) -o $@ $< $(OWN_MALLOC) $(BUILD)/libcx.a $(LIBS_cx-$*)

$(BUILD)/common $(BUILD)/tools $(BUILD)/tests:
	mkdir -p $@

# Unit tests: cmocka, dynamic (cmocka ships no static library); each
# with the libraries of the modules it tests.
LIBS_test-oci := -ljansson -lseccomp
$(BUILD)/tests/%: tests/%.c $(BUILD)/libcx.a | $(BUILD)/tests
	@$(if $(Q),echo "  CC      $@")
	$(Q)$(CC) $(ALL_CFLAGS) $(DEPFLAGS) -pie -Wl,-z,relro,-z,now $(LDSAN) -o $@ $< \
		$(BUILD)/libcx.a -lcmocka -lpopt $(LIBS_$*)

-include $(TESTS:%=$(BUILD)/tests/%.d)

# Helpers the scenario tests run (an escape attempt, a seccomp wrapper).
# Static and never sanitized: they run inside the busybox rootfs.
HELPER_CFLAGS := -std=gnu11 -D_GNU_SOURCE -O2 $(WARN)
$(BUILD)/tests/helper-%: tests/helper-%.c | $(BUILD)/tests
	@$(if $(Q),echo "  CC      $@")
	$(Q)$(HELPER_CC) $(HELPER_CFLAGS) -static-pie -o $@ $<

HELPERS  := $(patsubst tests/%.c,$(BUILD)/tests/%,$(wildcard tests/helper-*.c))

$(BUILD)/rootfs/bin/busybox: bats/fixtures/mkrootfs.sh
	sh bats/fixtures/mkrootfs.sh $(BUILD)/rootfs

rootfs: $(BUILD)/rootfs/bin/busybox

deps:
	sh .ci/deps.sh

ifeq ($(LIBC),musl)
unit:
	$(GLIBC_MAKE) unit
else
unit: $(TESTS:%=$(BUILD)/tests/%)
	sh tests/run-unit.sh $(TESTS:%=$(BUILD)/tests/%)
endif

lint-man:
	sh tests/lint-man.sh $(BUILD) $(TOOLS)

# common/ by concern: a module named for a tool (common/TOOL*.c) ends
# up in that tool alone, any other in two tools or more (from nm).
lint-modules: all
	bash tests/lint-modules.sh $(BUILD)

# In the scenarios, LeakSanitizer cannot stop the world: the tools make
# themselves non-dumpable (no ptrace), and many run in a new pid
# namespace.  The unit tests keep leak detection.
bats: all rootfs $(HELPERS)
	CX_BUILD=$(abspath $(BUILD)) CX_ROOTFS=$(abspath $(BUILD)/rootfs) \
		ASAN_OPTIONS=detect_leaks=0 UBSAN_OPTIONS=print_stacktrace=1 \
		sh tests/run-bats.sh

# make check-cgroup-v2: every bats file again, in a guest that boots
# Debian 12's own kernel with cgroup v2 only (qemu, TCG;
# tests/cgroup-v2-lane.sh): the suite's run on another kernel and on a
# v2-only host.  The kernel is fetched once into QEMU_KERNEL, for every
# BUILD.  CGROUP_V2_BATS="bats/FILE..." runs fewer files.
CGROUP_V2_BATS ?= $(sort $(wildcard bats/*.bats))
QEMU_KERNEL    ?= build/qemu-kernel

helpers: $(HELPERS)

check-cgroup-v2: all rootfs $(HELPERS)
	bash tests/cgroup-v2-lane.sh $(abspath $(BUILD)) $(abspath $(QEMU_KERNEL)) \
		$(CGROUP_V2_BATS)

# The unit tests and the scenarios again, with the tools, libcx and the
# tests built with ASan and UBSan (SANITIZE=1) in a build folder of
# their own; first a proof that what is tested is the sanitized build.
SANITIZE_MAKE = $(MAKE) --no-print-directory SANITIZE=1 LIBC=glibc \
		BUILD=$(BUILD)/sanitize CX_SUITE=$@

sanitize-unit sanitize-bats:
	$(SANITIZE_MAKE) all
	@readelf -d $(BUILD)/sanitize/cx-unshare | grep -q 'libasan' || \
		{ echo "$@: $(BUILD)/sanitize/cx-unshare is not built with ASan"; exit 1; }
	$(SANITIZE_MAKE) $(@:sanitize-%=%)

# The scenarios again with the tools linked against glibc (LIBC=glibc),
# so that the build distributions may choose does not rot.
glibc-bats:
	$(MAKE) --no-print-directory LIBC=glibc BUILD=$(BUILD)/glibc CX_SUITE=$@ bats

# Both install what is missing first: they are the README's two commands.
check: deps
	$(MAKE) --no-print-directory all
	sh tests/check.sh $(MAKE) SANITIZE=$(SANITIZE) BUILD=$(BUILD)

demo: deps
	$(MAKE) --no-print-directory all rootfs
	sh examples/container.sh --build $(BUILD)

# make bench: one container job timed six ways against the floor
# (bench/run.sh; BENCH_PAIRS=30), the price of one link of a chain
# linked four ways, and each tool's start-up as built here, without PIE
# (PIE=0, in BUILD/nopie) and against glibc (in BUILD/glibc).  The
# helpers are static, and never sanitized: they are what is measured.
BENCH_BINS := $(addprefix $(BUILD)/bench/,timeit link link-nopie link-glibc floor oci-run)

$(BUILD)/bench/%: bench/%.c $(BUILD)/.flags | $(BUILD)/bench
	$(CC) -std=gnu11 -D_GNU_SOURCE -O2 $(WARN) $(HARDEN) -static-pie \
		-Wl,-z,relro,-z,now -o $@ $<

# One link, as this build links (above), without PIE, and with glibc.
$(BUILD)/bench/link-nopie: bench/link.c $(BUILD)/.flags | $(BUILD)/bench
	$(CC) -std=gnu11 -D_GNU_SOURCE -O2 $(WARN) -static -no-pie -o $@ $<

$(BUILD)/bench/link-glibc: bench/link.c | $(BUILD)/bench
	$(HELPER_CC) -std=gnu11 -D_GNU_SOURCE -O2 $(WARN) $(HARDEN) -static-pie \
		-Wl,-z,relro,-z,now -o $@ $<

# bare: a link without a C library (x86-64 only; skipped elsewhere).
$(BUILD)/bench/bare: bench/bare.c | $(BUILD)/bench
	$(CC) -O2 $(WARN) -static -nostdlib -fno-stack-protector -fno-pie \
		-no-pie -o $@ $< || { rm -f $@; echo "bench: no bare link here"; }

$(BUILD)/bench $(BUILD)/fuzz/common:
	mkdir -p $@

ifeq ($(LIBC),musl)
BENCH_GLIBC := $(BUILD)/glibc
else
BENCH_GLIBC := $(BUILD)
endif
bench: all rootfs $(BENCH_BINS) $(BUILD)/bench/bare
	$(MAKE) --no-print-directory -s BUILD=$(BUILD)/nopie PIE=0 all
	$(MAKE) --no-print-directory -s LIBC=glibc BUILD=$(BENCH_GLIBC) all
	BENCH_NOPIE=$(BUILD)/nopie BENCH_GLIBC=$(BENCH_GLIBC) sh bench/run.sh $(BUILD)

# make fuzz: each tests/fuzz/fuzz-NAME.c is a libFuzzer target, built
# with clang over the common/ sources, run FUZZ_SECONDS (60) from the
# seeds in tests/fuzz/corpus-NAME/.  A new target is a new file; one
# that needs more than FUZZ_LIBS gets a FUZZ_LIBS_fuzz-NAME line.
FUZZ_CC      ?= clang
FUZZ_SECONDS ?= 60
FUZZERS      := $(sort $(basename $(notdir $(wildcard tests/fuzz/fuzz-*.c))))
FUZZ_CFLAGS  := -std=gnu11 -D_GNU_SOURCE -g -O1 -fno-omit-frame-pointer \
		$(WARN) -Icommon -DCX_VERSION='"$(VERSION)"' \
		-fsanitize=address,undefined -fno-sanitize-recover=all
FUZZ_LIBS    := -Wl,--as-needed -lpopt -lcap
# The option parser exits on a usage error: the target catches exit().
FUZZ_LIBS_fuzz-opt := -Wl,--wrap=exit

$(BUILD)/fuzz/common/%.o: common/%.c common/*.h | $(BUILD)/fuzz/common
	$(FUZZ_CC) $(FUZZ_CFLAGS) -fsanitize=fuzzer-no-link -c -o $@ $<

$(BUILD)/fuzz/libcx.a: $(COMMON:%=$(BUILD)/fuzz/common/%.o)
	rm -f $@ && ar rcs $@ $^

$(BUILD)/fuzz/fuzz-%: tests/fuzz/fuzz-%.c tests/fuzz/fuzz.h $(BUILD)/fuzz/libcx.a
	$(FUZZ_CC) $(FUZZ_CFLAGS) -fsanitize=fuzzer -o $@ $< \
		$(BUILD)/fuzz/libcx.a $(FUZZ_LIBS_fuzz-$*) $(FUZZ_LIBS)

fuzz: $(FUZZERS:%=$(BUILD)/fuzz/%)
	sh tests/fuzz/run.sh $(BUILD)/fuzz $(FUZZ_SECONDS) $(FUZZERS)

fuzz-short:
	$(MAKE) --no-print-directory fuzz FUZZ_SECONDS=10

# Stripped: half of each tool or more is its debugging information
# (INSTALL_STRIP= keeps it).
INSTALL_STRIP ?= -s
install: all
	install -d $(DESTDIR)$(BINDIR) $(DESTDIR)$(MANDIR)/man1 $(DESTDIR)$(MANDIR)/man7
	install -m 755 $(INSTALL_STRIP) $(BINS) $(DESTDIR)$(BINDIR)
	install -m 644 $(wildcard man/*.1) $(DESTDIR)$(MANDIR)/man1
	install -m 644 $(wildcard man/*.7) $(DESTDIR)$(MANDIR)/man7
	install -d $(DESTDIR)$(COMPDIR)
	install -m 644 completion/cx.bash $(DESTDIR)$(COMPDIR)/cx-unshare
	for t in $(filter-out cx-unshare,$(TOOLS)); do \
		ln -sf cx-unshare $(DESTDIR)$(COMPDIR)/$$t || exit 1; done

# clean keeps the musl libraries (MUSL_DEPS): building them needs the
# network; distclean removes them too.
clean:
	find build -mindepth 1 -maxdepth 1 ! -path $(MUSL_DEPS) -exec rm -rf {} + 2>/dev/null || true

distclean:
	rm -rf build

.PHONY: all rootfs helpers deps unit lint-man lint-modules bats glibc-bats sanitize-unit sanitize-bats check-cgroup-v2 check demo bench fuzz fuzz-short install clean distclean
.SECONDARY:
