# A thin layer over CMake, so that the quick start is two commands:
#   make demo   install dependencies, build, check the example locality and
#               filter a sample GP record for each of its three services
#   make test   build and run the whole test suite through CTest
BUILD ?= build
BUILD_TYPE ?= RelWithDebInfo
JOBS ?= $(shell nproc 2>/dev/null || echo 2)
CALDICOTT := $(BUILD)/bin/caldicott

.PHONY: all deps configure build demo test bench format clean

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

bench: build
	$(BUILD)/bench/caldicott_bench
	$(BUILD)/bench/caldicott_schema_bench

format:
	git ls-files '*.cpp' '*.h' | xargs clang-format -i

clean:
	rm -rf $(BUILD)
