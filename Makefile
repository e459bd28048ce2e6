# SPDX-License-Identifier: GPL-2.0
# memsnoop: build in the upstream libbpf shape. Intermediates go to .output/,
# the binary to ./memsnoop. V=1 shows commands, STATIC=1 links one
# self-contained binary, SAN=1 builds with ASan/UBSan into .output-san/
# (its own objects: never a mix of plain and instrumented ones).

HOST_ARCH := $(shell uname -m | sed 's/x86_64/x86/' | sed 's/aarch64/arm64/')
ARCH := $(HOST_ARCH)
# Cross build, e.g. make ARCH=arm64 STATIC=1 on x86: Debian's cross compiler
# and the target's multiarch -dev packages (scripts/deps.sh arm64), objects
# in .output-ARCH, the binary .output-ARCH/memsnoop.
ifneq ($(ARCH),$(HOST_ARCH))
TRIPLET_arm64 := aarch64-linux-gnu
TRIPLET_x86 := x86_64-linux-gnu
TRIPLET := $(TRIPLET_$(ARCH))
ifeq ($(TRIPLET),)
$(error unknown ARCH=$(ARCH): memsnoop builds for x86 and arm64)
endif
CC := $(TRIPLET)-gcc
PKG_CONFIG := PKG_CONFIG_LIBDIR=/usr/lib/$(TRIPLET)/pkgconfig:/usr/share/pkgconfig pkg-config
OUTPUT ?= .output-$(ARCH)
BIN ?= $(OUTPUT)/memsnoop
endif

ifeq ($(SAN),1)
OUTPUT ?= .output-san
BIN ?= $(OUTPUT)/memsnoop
endif
OUTPUT ?= .output
CLANG ?= clang
BPFTOOL ?= $(shell command -v bpftool || echo /usr/sbin/bpftool)
CC ?= gcc
PKG_CONFIG ?= pkg-config
VMLINUX := vmlinux/$(ARCH)/vmlinux.h
PREFIX ?= /usr/local
VERSION := 0.1.0

LIBS_PC := libbpf libdw libelf zlib libzstd ncursesw
ifeq ($(STATIC),1)
PC_FLAGS := --static
LDFLAGS += -static
# libmicrohttpd links gnutls, which Debian ships no static p11-kit for: no --metrics
CFLAGS_METRICS := -DMEMSNOOP_NO_METRICS
else
LIBS_PC += libmicrohttpd
endif
PKG_CFLAGS = $(shell $(PKG_CONFIG) --cflags $(LIBS_PC) 2>/dev/null)
PKG_LIBS = $(shell $(PKG_CONFIG) $(PC_FLAGS) --libs $(LIBS_PC) 2>/dev/null)

WARN := -Wall -Wextra -Werror -Wno-unused-parameter -Wno-missing-field-initializers
CFLAGS ?= -O2 -g
CFLAGS += $(WARN) -std=gnu11 -D_GNU_SOURCE -DMEMSNOOP_VERSION='"$(VERSION)"' $(CFLAGS_METRICS)
INCLUDES := -I$(OUTPUT) -Iinclude -Iuser $(PKG_CFLAGS)
ifeq ($(SAN),1)
CFLAGS += -fsanitize=address,undefined -fno-omit-frame-pointer -fno-sanitize-recover=all
LDFLAGS += -fsanitize=address,undefined
endif
BPF_CFLAGS := -g -O2 -Wall -Werror -target bpf -D__TARGET_ARCH_$(ARCH) \
	-I$(OUTPUT) -Iinclude -Ivmlinux/$(ARCH)

# The BPF parts, compiled apart and linked into one object: one skeleton.
# memsnoop.bpf.c, which defines the maps and globals, goes first: libbpf
# 1.1's linker lays out the sections wrong when an extern comes first.
BPF_SRCS := bpf/memsnoop.bpf.c $(filter-out bpf/memsnoop.bpf.c,$(wildcard bpf/*.bpf.c))
BPF_PARTS := $(patsubst bpf/%.bpf.c,$(OUTPUT)/bpf/%.bpf.o,$(BPF_SRCS))
BPF_OBJS := $(OUTPUT)/memsnoop.bpf.o
SKELS := $(OUTPUT)/memsnoop.skel.h
USER_SRCS := $(shell find user -name '*.c' | sort)
USER_OBJS := $(patsubst %.c,$(OUTPUT)/%.o,$(USER_SRCS))
LIB_OBJS := $(filter-out $(OUTPUT)/user/main.o,$(USER_OBJS))
UNIT_SRCS := $(wildcard tests/unit/*_test.c)
UNIT_BINS := $(patsubst %.c,$(OUTPUT)/%,$(UNIT_SRCS))
WORKLOAD_SRCS := $(wildcard tests/workloads/*.c)
WORKLOAD_BINS := $(patsubst %.c,$(OUTPUT)/%,$(WORKLOAD_SRCS)) $(OUTPUT)/tests/workloads/callers_fp

ifeq ($(V),1)
Q =
msg =
else
Q = @
msg = @printf '  %-8s %s\n' "$(1)" "$(2)";
endif

.DELETE_ON_ERROR:
# kept: live.o depends on the skeleton, and make must not rebuild it every time
.SECONDARY: $(BPF_PARTS) $(BPF_OBJS) $(SKELS)
.PHONY: all clean install deps run test test-kernels check-tests format format-check vmlinux

BIN ?= memsnoop

all: $(BIN)

$(BIN): $(USER_OBJS)
	$(call msg,LINK,$@)
	$(Q)$(CC) $(LDFLAGS) $^ $(PKG_LIBS) -lm -o $@

$(BPF_PARTS): $(OUTPUT)/bpf/%.bpf.o: bpf/%.bpf.c $(wildcard include/*.h bpf/*.h) $(VMLINUX)
	$(call msg,BPF,$@)
	$(Q)mkdir -p $(@D)
	$(Q)$(CLANG) $(BPF_CFLAGS) -c $< -o $@

$(BPF_OBJS): $(BPF_PARTS)
	$(call msg,BPF-LINK,$@)
	$(Q)$(BPFTOOL) gen object $@ $^

$(OUTPUT)/%.skel.h: $(OUTPUT)/%.bpf.o
	$(call msg,GEN-SKEL,$@)
	$(Q)$(BPFTOOL) gen skeleton $< > $@

$(OUTPUT)/%.o: %.c $(wildcard include/*.h) | $(SKELS)
	$(call msg,CC,$@)
	$(Q)mkdir -p $(@D)
	$(Q)$(CC) $(CFLAGS) $(INCLUDES) -MMD -MP -c $< -o $@

$(OUTPUT)/tests/unit/%: tests/unit/%.c $(LIB_OBJS)
	$(call msg,TEST,$@)
	$(Q)mkdir -p $(@D)
	$(Q)$(CC) $(CFLAGS) $(INCLUDES) -Itests/unit $< $(LIB_OBJS) $(LDFLAGS) $(PKG_LIBS) -lm -o $@

# callers: built as distributions build, for the stack tests (no frame pointers)
WL_OPT := -O1
$(OUTPUT)/tests/workloads/callers: WL_OPT := -O2 -fomit-frame-pointer
$(OUTPUT)/tests/workloads/descend: WL_OPT := -O2 -fomit-frame-pointer
# callers_fp: the same, with frame pointers (the stacks the chain gives whole)
$(OUTPUT)/tests/workloads/callers_fp: tests/workloads/callers.c
	$(call msg,WORKLOAD,$@)
	$(Q)$(CC) -O2 -fno-omit-frame-pointer -g -Wall -Werror -D_GNU_SOURCE -Iinclude $< -o $@
$(OUTPUT)/tests/workloads/%: tests/workloads/%.c
	$(call msg,WORKLOAD,$@)
	$(Q)mkdir -p $(@D)
	$(Q)$(CC) $(WL_OPT) -g -Wall -Werror -D_GNU_SOURCE -Iinclude $< -pthread -ldl -o $@

$(OUTPUT):
	$(Q)mkdir -p $@

check-tests: memsnoop $(UNIT_BINS) $(WORKLOAD_BINS)

# Build-time packages: installed with apt-get when missing (needs root);
# with ARCH=arm64 the cross build's too.
deps:
	$(Q)scripts/deps.sh $(filter-out $(HOST_ARCH),$(ARCH))

run: deps
	$(Q)$(MAKE) --no-print-directory memsnoop
	./memsnoop $(ARGS)

test: deps
	$(Q)$(MAKE) --no-print-directory check-tests
	$(Q)tests/run

# The benchmark against the untraced workload and the peers (bench/README.md).
.PHONY: bench
bench: deps $(BIN)
	$(Q)bench/setup.sh
	$(Q)$(MAKE) --no-print-directory -C bench
	$(Q)bench/run -o bench/results/latest.md $(BENCH_ARGS)

# How fast a 20 MB system-wide recording becomes a report, and how big the page is.
.PHONY: report-perf
report-perf: deps $(BIN) check-tests
	$(Q)bench/report_perf.sh $(REPORT_MB)

# Debian 12's 6.1 kernel, x86 and arm64, under qemu runs the static binary
# (tests/kernels/README.md).
test-kernels: deps
	$(Q)tests/kernels/test_kernel_61.sh
	$(Q)tests/kernels/test_kernel_arm64.sh

# the systemd unit (memsnoop.service) where systemd looks for local units
SYSTEMD_UNIT_DIR ?= $(PREFIX)/lib/systemd/system

install: memsnoop
	install -D -m 0755 memsnoop $(DESTDIR)$(PREFIX)/sbin/memsnoop
	install -D -m 0644 memsnoop.8 $(DESTDIR)$(PREFIX)/share/man/man8/memsnoop.8
	install -d $(DESTDIR)$(SYSTEMD_UNIT_DIR)
	sed 's|@SBINDIR@|$(PREFIX)/sbin|' memsnoop.service > $(DESTDIR)$(SYSTEMD_UNIT_DIR)/memsnoop.service
	chmod 0644 $(DESTDIR)$(SYSTEMD_UNIT_DIR)/memsnoop.service

format:
	$(Q)git ls-files '*.c' '*.h' | grep -v '^vmlinux/' | xargs clang-format -i

format-check:
	$(Q)git ls-files '*.c' '*.h' | grep -v '^vmlinux/' | xargs clang-format --dry-run --Werror

vmlinux:
	$(Q)scripts/gen-vmlinux.sh

# Two fuzzers under libFuzzer with ASan/UBSan: the trace reader over raw
# bytes, and the whole replay pipeline over records (tests/fuzz/).
FUZZ_CC ?= clang
FUZZ_SECONDS ?= 60
FUZZ_SAN := -g -O1 -fsanitize=address,undefined -fno-sanitize-recover=all \
	-DFUZZING_BUILD_MODE_UNSAFE_FOR_PRODUCTION -std=gnu11 -D_GNU_SOURCE $(WARN) \
	-DMEMSNOOP_VERSION='"$(VERSION)"'
FUZZ_FLAGS := $(FUZZ_SAN) -fsanitize=fuzzer
TRACE_SRCS := $(wildcard user/trace/*.c) user/util/outfile.c
FUZZ_OBJS := $(patsubst $(OUTPUT)/%,$(OUTPUT)/fuzz/obj/%,$(LIB_OBJS))
FUZZERS := $(OUTPUT)/fuzz/trace_fuzz $(OUTPUT)/fuzz/pipeline_fuzz

.PHONY: fuzz fuzzers fuzz-corpus
$(OUTPUT)/fuzz/trace_fuzz: tests/fuzz/trace_fuzz.c $(TRACE_SRCS) $(wildcard user/trace/*.h include/*.h)
	$(call msg,FUZZ,$@)
	$(Q)mkdir -p $(@D)
	$(Q)$(FUZZ_CC) $(FUZZ_FLAGS) -Iinclude -Iuser tests/fuzz/trace_fuzz.c $(TRACE_SRCS) -lzstd -lz -o $@

$(OUTPUT)/fuzz/obj/%.o: %.c $(wildcard include/*.h) | $(SKELS)
	$(call msg,FUZZ-CC,$@)
	$(Q)mkdir -p $(@D)
	$(Q)$(FUZZ_CC) $(FUZZ_SAN) -fsanitize=fuzzer-no-link $(INCLUDES) -MMD -MP -c $< -o $@

$(OUTPUT)/fuzz/pipeline_fuzz: tests/fuzz/pipeline_fuzz.c tests/fuzz/records.h $(FUZZ_OBJS)
	$(call msg,FUZZ,$@)
	$(Q)$(FUZZ_CC) $(FUZZ_FLAGS) $(INCLUDES) $< $(FUZZ_OBJS) $(PKG_LIBS) -lm -o $@

fuzzers: $(FUZZERS)

fuzz: $(FUZZERS)
	$(Q)mkdir -p $(OUTPUT)/fuzz/corpus $(OUTPUT)/fuzz/pipeline-corpus
	$(Q)$(OUTPUT)/fuzz/trace_fuzz -runs=1 $(filter-out %.md,$(wildcard tests/fuzz/corpus/* tests/fuzz/crashers/*))
	$(Q)$(OUTPUT)/fuzz/pipeline_fuzz -runs=1 $(filter-out %.md,$(wildcard tests/fuzz/records/*))
	$(Q)$(OUTPUT)/fuzz/trace_fuzz -max_total_time=$(FUZZ_SECONDS) -timeout=10 -rss_limit_mb=2048 \
		-artifact_prefix=$(OUTPUT)/fuzz/ $(OUTPUT)/fuzz/corpus tests/fuzz/corpus
	$(Q)$(OUTPUT)/fuzz/pipeline_fuzz -max_total_time=$(FUZZ_SECONDS) -timeout=10 \
		-rss_limit_mb=2048 -max_len=65536 -artifact_prefix=$(OUTPUT)/fuzz/ \
		$(OUTPUT)/fuzz/pipeline-corpus tests/fuzz/records

# regenerate the committed seed traces (optional)
fuzz-corpus: $(OUTPUT)/fuzz/gen_corpus
	$(Q)$< tests/fuzz/corpus

# also writes the crafted traces of tests/security (gen_corpus --hostile)
$(OUTPUT)/fuzz/gen_corpus: tests/fuzz/gen_corpus.c tests/fuzz/records.h $(TRACE_SRCS) \
			   $(wildcard user/trace/*.h include/*.h)
	$(call msg,CC,$@)
	$(Q)mkdir -p $(@D)
	$(Q)$(CC) $(CFLAGS) -Iinclude -Iuser $< $(TRACE_SRCS) -lzstd -lz -o $@

clean:
	$(call msg,CLEAN)
	$(Q)rm -rf $(OUTPUT) .output-san .output-arm64 memsnoop

-include $(patsubst %.o,%.d,$(USER_OBJS)) $(wildcard $(OUTPUT)/fuzz/obj/user/*.d $(OUTPUT)/fuzz/obj/user/*/*.d)
