# A thin layer over CMake, so that the quick start is two commands:
#   make demo   install dependencies, build, check the example locality and
#               filter a sample GP record for each of its three services
#   make test   build and run the whole test suite through CTest
#   make differential  the engines against each other, at ten times CTest's size
#   make test-asan  the same under AddressSanitizer + UndefinedBehaviorSanitizer
#               (tree build-asan/), and make test-tsan the runtime's tests under
#               ThreadSanitizer (tree build-tsan/): docs/sanitizers.md
BUILD ?= build
BUILD_TYPE ?= RelWithDebInfo
JOBS ?= $(shell nproc 2>/dev/null || echo 2)
CALDICOTT := $(BUILD)/bin/caldicott

.PHONY: all deps configure build demo test test-asan test-tsan bench differential format clean

all: build

deps:
	@scripts/install-deps

$(BUILD)/build.ninja:
	cmake -S . -B $(BUILD) -G Ninja -DCMAKE_BUILD_TYPE=$(BUILD_TYPE)

configure: deps $(BUILD)/build.ninja

build: configure
	cmake --build $(BUILD) -j $(JOBS)

demo: build
	@CALDICOTT=$(CALDICOTT) scripts/demo

test: build
	ctest --test-dir $(BUILD) --output-on-failure -j $(JOBS)

# Sanitizer builds (cmake/Sanitize.cmake, docs/sanitizers.md). Every finding
# fails: UBSan does not recover, and all three abort on their first report,
# so the process dies by SIGABRT, which no test's expected exit status (lit's
# %expect-exit, `not`) accepts. Only our binaries carry a sanitizer runtime;
# node, python and java ignore these variables and pass them on.
ASAN_BUILD ?= build-asan
TSAN_BUILD ?= build-tsan
ASAN_OPTS ?= abort_on_error=1:detect_leaks=1:check_initialization_order=1:detect_stack_use_after_return=1
UBSAN_OPTS ?= print_stacktrace=1:halt_on_error=1:abort_on_error=1
TSAN_OPTS ?= halt_on_error=1:abort_on_error=1:second_deadlock_stack=1:suppressions=$(CURDIR)/cmake/tsan.supp
ASAN_ENV := ASAN_OPTIONS=$(ASAN_OPTS) UBSAN_OPTIONS=$(UBSAN_OPTS)
TSAN_ENV := TSAN_OPTIONS=$(TSAN_OPTS)
# The sanitizer runtimes of g++ 12 predate kernels that randomise mmap with
# more than 28 bits (vm.mmap_rnd_bits, 32 on some recent distributions);
# there they fail at start-up. Run them without address randomisation then.
SAN_NORANDOM := $(shell test "$$(cat /proc/sys/vm/mmap_rnd_bits 2>/dev/null || echo 0)" -gt 28 \
                  && setarch $$(uname -m) -R true 2>/dev/null && echo setarch $$(uname -m) -R)

# -O1: instrumented code compiles in about two thirds of the time it takes
# at -O2 (fhir_test.cpp 47 s -> 31 s, check.cpp 40 s -> 28 s of CPU with
# ASan + UBSan), and that is most of the time test-asan takes.
# The trees are configured every time (a second once configured), so that
# they always have these settings.
SAN_CONFIGURE := cmake -S . -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo \
  -DCMAKE_CXX_FLAGS_RELWITHDEBINFO="-O1 -g -DNDEBUG" -DCMAKE_C_FLAGS_RELWITHDEBINFO="-O1 -g -DNDEBUG" \
  -DCALDICOTT_BUILD_BENCH=OFF

# Everything, and the whole CTest suite but one lit test: filter/official_
# examples runs the CLI some 400 times (44 Bundles, 3 services, 3 engines),
# three minutes under ASan for paths that the FHIR adapter's tests, the
# FHIRPath cross-check, the differential test and the other filter goldens
# already cover there (docs/sanitizers.md). ASAN_LIT_FILTER_OUT= runs it too.
ASAN_LIT_FILTER_OUT ?= filter/official_examples
test-asan: deps
	$(SAN_CONFIGURE) -B $(ASAN_BUILD) -DCALDICOTT_SANITIZE=address,undefined
	$(ASAN_ENV) $(SAN_NORANDOM) cmake --build $(ASAN_BUILD) -j $(JOBS)
	$(ASAN_ENV) LIT_FILTER_OUT='$(if $(ASAN_LIT_FILTER_OUT),$(ASAN_LIT_FILTER_OUT),^$$)' $(SAN_NORANDOM) \
	  ctest --test-dir $(ASAN_BUILD) --output-on-failure -j $(JOBS)

# The code that runs threads: the runtime's tests (the multi-thread decision
# tests for every backend and the JIT tiers' switch first, then all of them)
# and the RF2 importer's (it reads a release on two threads).
TSAN_THREAD_TESTS ?= *ManyThreads*:*Tiers*
test-tsan: deps
	$(SAN_CONFIGURE) -B $(TSAN_BUILD) -DCALDICOTT_SANITIZE=thread
	$(TSAN_ENV) $(SAN_NORANDOM) cmake --build $(TSAN_BUILD) -j $(JOBS) --target runtime_test rf2_test
	@$(SAN_NORANDOM) $(TSAN_BUILD)/bin/runtime_test --gtest_list_tests --gtest_filter='$(TSAN_THREAD_TESTS)' \
	  | grep -q '^  ' || { echo "test-tsan: no test of runtime_test matches $(TSAN_THREAD_TESTS)" >&2; exit 1; }
	cd $(TSAN_BUILD) && $(TSAN_ENV) CALDICOTT_SOURCE_DIR=$(CURDIR) $(SAN_NORANDOM) \
	  bin/runtime_test --gtest_filter='$(TSAN_THREAD_TESTS)' --gtest_repeat=5
	cd $(TSAN_BUILD) && $(TSAN_ENV) CALDICOTT_SOURCE_DIR=$(CURDIR) $(SAN_NORANDOM) bin/runtime_test
	cd $(TSAN_BUILD) && $(TSAN_ENV) CALDICOTT_SOURCE_DIR=$(CURDIR) $(SAN_NORANDOM) bin/rf2_test

bench: build
	$(BUILD)/bench/caldicott_bench
	$(BUILD)/bench/caldicott_schema_bench
	$(BUILD)/bench/caldicott_decide_bench --benchmark_min_time=1 --benchmark_repetitions=3 --benchmark_report_aggregates_only=true
	$(BUILD)/bench/caldicott_scale_bench --benchmark_repetitions=3 --benchmark_report_aggregates_only=true
	python3 bench/cedar/run.py $(BUILD)

# The differential test of the engines at ten times its CTest size: 20
# policies of 250 generated agreements, each decided over 400 generated
# entries by the interpreter, the JIT and an artefact (2 million decisions).
DIFFERENTIAL_POLICIES ?= 20
differential: build
	CALDICOTT_DIFFERENTIAL_POLICIES=$(DIFFERENTIAL_POLICIES) $(BUILD)/bin/differential_test

format:
	git ls-files '*.cpp' '*.h' | xargs clang-format -i

clean:
	rm -rf $(BUILD) $(ASAN_BUILD) $(TSAN_BUILD)
