# SPDX-License-Identifier: GPL-2.0-or-later
# rescue: plain GNU make.  Sources are found by wildcard so a new module is a
# new file, not a Makefile edit:
#   rescue/*.c hive/*.c  -> build/librescue.a (the core: no curses, no main)
#   ui/*.c               -> linked only into the rescue binary
#   rescue/main.c rescue/cli-*.c -> the `rescue` command line (the only code that prints)
#   tests/unit/test-*.c  -> one test binary per area, linked with librescue.a
#   tests/e2e/t*.sh      -> end-to-end tests of the CLI
# SANITIZE=address,undefined builds everything into build-asan/.

CC      ?= cc
PKG_CORE := hivex yara libntfs-3g nettle blkid
PKG_UI   := ncursesw
SANITIZE ?=

ifeq ($(SANITIZE),)
BUILD   ?= build
SANFLAGS :=
else
BUILD   ?= build-asan
SANFLAGS := -fsanitize=$(SANITIZE) -fno-omit-frame-pointer -fno-sanitize-recover=all
endif

OPT     ?= -O2 -g
# -Wno-format-truncation: snprintf into fixed fields truncates on purpose
# (names from a hostile disk); every such copy is bounded, and gcc's guess
# at the longest input is noise that would hide real warnings.
CFLAGS  += -std=gnu11 $(OPT) -Wall -Wextra -Werror -Wno-format-truncation -I. $(SANFLAGS) \
           $(shell pkg-config --cflags $(PKG_CORE) $(PKG_UI) 2>/dev/null)
LDFLAGS += $(SANFLAGS)
LIBS_CORE := $(shell pkg-config --libs $(PKG_CORE) 2>/dev/null) -lpthread
LIBS_UI   := $(shell pkg-config --libs $(PKG_UI) 2>/dev/null)

CLI_SRC  := rescue/main.c $(wildcard rescue/cli-*.c)
CORE_SRC := $(filter-out $(CLI_SRC),$(wildcard rescue/*.c hive/*.c))
UI_SRC   := $(wildcard ui/*.c)
TEST_SRC := $(wildcard tests/unit/test-*.c)

CORE_OBJ := $(CORE_SRC:%.c=$(BUILD)/obj/%.o)
CLI_OBJ  := $(CLI_SRC:%.c=$(BUILD)/obj/%.o)
UI_OBJ   := $(UI_SRC:%.c=$(BUILD)/obj/%.o)
TEST_BIN := $(TEST_SRC:tests/unit/%.c=$(BUILD)/tests/%)

.PHONY: screenshots all deps check check-unit check-e2e check-qemu check-ui bench iso demo demo-tree testdisk fuzz clean rules

all: $(BUILD)/rescue $(BUILD)/rules/compiled.yarc $(BUILD)/rules/hashes.sha256 $(BUILD)/rules/c2-hosts.txt

$(BUILD)/librescue.a: $(CORE_OBJ)
	ar rcs $@ $^

$(BUILD)/rescue: $(CLI_OBJ) $(UI_OBJ) $(BUILD)/librescue.a
	$(CC) $(LDFLAGS) -o $@ $^ $(LIBS_UI) $(LIBS_CORE)

# Libraries a unit test needs beyond the core's: tools we did not write that
# check our code (wimlib compresses what rescue/wof.c decodes).
TEST_LIBS_test-wof := -lwim
$(BUILD)/tests/test-wof: tests/fixtures/wofpack.h

$(BUILD)/tests/%: tests/unit/%.c tests/unit/check.h $(BUILD)/librescue.a
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS) $(LDFLAGS) -o $@ $< $(BUILD)/librescue.a $(LIBS_CORE) $(TEST_LIBS_$*)

$(BUILD)/obj/%.o: %.c $(wildcard rescue/*.h hive/*.h ui/*.h)
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS) -c -o $@ $<

# Rules are compiled at build time: a broken rule fails the build.  The
# externals are the ones the scanner defines for every file (rescue/scan.h).
# compiled.yarc.sum, its SHA-256, is checked when it is loaded: most damage
# leaves a file libyara loads without a word (rescue/yarc.h).
YARA_EXTERNALS := -d filepath= -d filename=
$(BUILD)/rules/compiled.yarc: $(wildcard rules/*.yar)
	@mkdir -p $(dir $@)
	yarac $(YARA_EXTERNALS) $(sort $(wildcard rules/*.yar)) $@
	sha256sum $@ | cut -c 1-64 >$@.sum

# The hash list: every rules/*.sha256 checked ("sha256 name [size]") and joined.
$(BUILD)/rules/hashes.sha256: $(wildcard rules/*.sha256)
	@mkdir -p $(dir $@)
	awk '/^[ \t]*(#|$$)/ { next } \
	     NF < 2 || NF > 3 || $$1 !~ /^[0-9a-fA-F]+$$/ || length($$1) != 64 || (NF == 3 && $$3 !~ /^[0-9]+$$/) { \
		printf "%s:%d: want \"sha256 name [size]\"\n", FILENAME, FNR > "/dev/stderr"; bad = 1 } \
	     { $$1 = tolower($$1); print } END { exit bad }' $(sort $(wildcard rules/*.sha256)) >$@.tmp
	mv $@.tmp $@

# Data files are found next to the binary (rescue/datapath.h).
$(BUILD)/rules/%.txt: rules/%.txt
	@mkdir -p $(dir $@)
	cp $< $@

rules: $(BUILD)/rules/compiled.yarc $(BUILD)/rules/hashes.sha256 $(BUILD)/rules/c2-hosts.txt

deps:
	sh tests/deps.sh

# The boot image (initramfs/, iso/): always from the normal build of rescue.
# initramfs/build.sh downloads Debian's signed kernel once into build/cache.
$(BUILD)/boot/initrd.zst: $(BUILD)/rescue $(BUILD)/rules/compiled.yarc $(BUILD)/rules/hashes.sha256 \
		$(BUILD)/rules/c2-hosts.txt $(wildcard initramfs/*)
	sh initramfs/build.sh $(BUILD)

$(BUILD)/rescue.iso: $(BUILD)/boot/initrd.zst $(wildcard iso/*)
	sh iso/build.sh $(BUILD)

iso: deps
	$(MAKE) SANITIZE= build/rescue.iso

# QEMU boot tests of the ISO (TCG): tests/qemu/t*.sh.
check-qemu: iso
	sh tests/run.sh qemu

# `make check` runs every test: unit tests in the normal and the sanitizer
# build, the end-to-end tests against the sanitizer build of the binary.
check: deps
	$(MAKE) all $(TEST_BIN)
	$(MAKE) SANITIZE=address,undefined all tests-asan
	if command -v $(FUZZ_CC) >/dev/null; then $(MAKE) build-fuzz/fuzz-regflog; fi
	$(MAKE) SANITIZE= build/rescue.iso
	sh tests/run.sh

tests-asan: $(TEST_BIN)

# Test disk images (raw, sparse, <= 512 MiB each; root: loop devices, FUSE).
IMAGE_VARIANTS := win10-gpt win7-mbr xp-mbr dual-mbr clean hibernated dirty dirty-hives bitlocker
IMAGE_INPUTS   := tests/images/build.sh tests/fixtures/mktree.sh $(wildcard tests/fixtures/*.reg tests/samples/*.sh)

testdisk: $(IMAGE_VARIANTS:%=build/images/%.img)

build/images/%.img: $(IMAGE_INPUTS)
	@mkdir -p $(dir $@)
	sh tests/images/build.sh $* $@

check-unit: all $(TEST_BIN)
	sh tests/run.sh unit

check-e2e: all
	sh tests/run.sh e2e

# libFuzzer target for the base block and transaction log parser: built with
# clang (coverage + address/undefined sanitizers) from the parser's own
# sources, run for FUZZ_SECONDS with a seed corpus made from shared/data.
FUZZ_CC      ?= clang
FUZZ_SECONDS ?= 60
FUZZ_SRC     := tests/fuzz/fuzz-regflog.c hive/regflog.c hive/regf.c rescue/error.c

build-fuzz/fuzz-regflog: $(FUZZ_SRC) hive/regflog.h hive/regf.h rescue/error.h
	@mkdir -p $(dir $@)
	$(FUZZ_CC) -std=gnu11 -g -O1 -I. -fsanitize=fuzzer,address,undefined \
		-fno-sanitize-recover=all -o $@ $(FUZZ_SRC)

fuzz: build-fuzz/fuzz-regflog
	sh tests/fuzz/run.sh $(FUZZ_SECONDS)

# The main job.  For now: rescue on a Windows tree built from the real hives.
# The README's main command: the boot image on an infected PC in QEMU
# (unattended, the console streamed, then the verdict and the report).
demo: iso
	$(MAKE) all
	sh tests/qemu/demo.sh

# The same story without QEMU: rescue's commands on a Windows tree.
demo-tree: deps all
	sh tests/demo-tree.sh

# Benchmarks (times and sizes; tests never time things; not part of make check):
# scan throughput against the yara CLI (issue 5; BENCH_MB=2000 by default, see
# tests/bench/scan-bench.sh), then the boot image (tests/bench/boot.sh).
bench: all
	sh tests/bench/scan-bench.sh
	$(MAKE) iso
	sh tests/bench/boot.sh

clean:
	rm -rf build build-asan build-fuzz

# The README's pictures of `rescue ui` (docs/screenshots/*.png), rendered
# from tmux captures; not part of `make check`.
screenshots: all
	sh tests/ui/screenshots.sh docs/screenshots
