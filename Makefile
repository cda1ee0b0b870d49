# wasmgate — the developer entry points. See README.md.
#
#   make serve       install deps, build, build the examples, serve examples/ on 127.0.0.1:3000
#   make test        install deps (Debian packages, and the pinned npm tooling into
#                    tests/node_modules), build, run every test; then an ASan+UBSan Debug
#                    build in build-asan/ running the unit, spec, CLI, WASI, component,
#                    TOML and gateway tests
#   make build       Release (-O2) build in build/: build/wasmgate and build/wasmgate-serve
#   make examples    compile the example guests into examples/wasm/
#   make spec        run the WebAssembly spec suite ($(WG_CONFORMANCE_DIR)/spec)
#   make component-spec  run the Component Model suite ($(WG_CONFORMANCE_DIR)/component-model)
#   make wasi        run the WASI conformance programs ($(WG_CONFORMANCE_DIR)/wasi)
#   make bench       run the benchmarks: start-up (bench/startup.sh), engine (bench/run.sh)
#   make bench-startup  only the start-up benchmark (bench/startup.sh)
#   make bench-http  run the gateway benchmark with wrk (bench/http.sh)
#   make fuzz        run the fuzzer (fuzz/run.sh; FUZZ_SECONDS=N, default 600;
#                    FUZZ_TARGET=toml for the TOML parser, =component for components)
#   make clean       remove the build directories
SHELL := /bin/bash
JOBS ?= $(shell nproc)
BUILD_DIR ?= build
ASAN_DIR ?= build-asan
# The conformance data lives beside the repository (../shared/conformance);
# WG_CONFORMANCE_DIR in the environment or on the command line overrides it.
WG_CONFORMANCE_DIR ?= $(CURDIR)/../shared/conformance
override WG_CONFORMANCE_DIR := $(abspath $(WG_CONFORMANCE_DIR))
export WG_CONFORMANCE_DIR

# Seconds for `make fuzz` (empty: fuzz/run.sh's default).
FUZZ_SECONDS ?=

CMAKE_CONFIGURE = cmake -S . --log-level=WARNING
# A hung test fails by itself instead of eating the CI's time; a run that
# finds no test at all is a failure too.
CTEST = ctest --output-on-failure --no-tests=error --timeout 1500 -j $(JOBS)
# Under the sanitizers any report is a failure, with a stack to read.
SAN_ENV = ASAN_OPTIONS=detect_leaks=1:abort_on_error=0:strict_string_checks=1 \
          UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1

.PHONY: all help deps build build-asan test spec component-spec wasi bench bench-startup fuzz serve clean
all: build

help:
	@sed -n '3,17p' Makefile | sed 's/^# \{0,1\}//'

deps:
	@bash scripts/install-deps.sh

build:
	$(CMAKE_CONFIGURE) -B $(BUILD_DIR) -DCMAKE_BUILD_TYPE=Release -DWG_SANITIZE=OFF
	cmake --build $(BUILD_DIR) -j $(JOBS)

build-asan:
	$(CMAKE_CONFIGURE) -B $(ASAN_DIR) -DCMAKE_BUILD_TYPE=Debug -DWG_SANITIZE=ON
	cmake --build $(ASAN_DIR) -j $(JOBS)

# Both test runs always happen (a Release failure still gets its sanitizer
# run, for the diagnosis); the target fails if either failed.
test:
	@bash scripts/install-deps.sh
	@bash scripts/install-npm.sh
	@$(MAKE) --no-print-directory build
	@status=0; \
	echo "== ctest: Release build ($(BUILD_DIR)), all tests"; \
	$(CTEST) --test-dir $(BUILD_DIR) || status=1; \
	$(MAKE) --no-print-directory build-asan || exit 1; \
	echo "== ctest: ASan+UBSan Debug build ($(ASAN_DIR)), labels unit|spec|cli|wasi|component|gateway|toml"; \
	$(SAN_ENV) $(CTEST) --test-dir $(ASAN_DIR) -L '^(unit|spec|cli|wasi|component|gateway|toml)$$' || status=1; \
	if [ $$status -ne 0 ]; then echo "make test: FAILED (see the ctest output above)" >&2; fi; \
	exit $$status

spec:
	@bash scripts/install-deps.sh
	$(CMAKE_CONFIGURE) -B $(BUILD_DIR) -DCMAKE_BUILD_TYPE=Release -DWG_SANITIZE=OFF
	cmake --build $(BUILD_DIR) -j $(JOBS) --target wg_spec_runner
	@test -d "$(WG_CONFORMANCE_DIR)/spec" || { \
	    echo "make spec: no spec suite at $(WG_CONFORMANCE_DIR)/spec (set WG_CONFORMANCE_DIR)" >&2; exit 1; }
	$(BUILD_DIR)/tests/spec/wg_spec_runner --expected tests/spec/expected-failures.txt \
	    "$(WG_CONFORMANCE_DIR)/spec"

component-spec:
	@bash scripts/install-deps.sh
	$(CMAKE_CONFIGURE) -B $(BUILD_DIR) -DCMAKE_BUILD_TYPE=Release -DWG_SANITIZE=OFF
	cmake --build $(BUILD_DIR) -j $(JOBS) --target wg_component_runner
	@test -d "$(WG_CONFORMANCE_DIR)/component-model" || { \
	    echo "make component-spec: no Component Model suite at $(WG_CONFORMANCE_DIR)/component-model (set WG_CONFORMANCE_DIR)" >&2; exit 1; }
	$(BUILD_DIR)/tests/component/wg_component_runner --expected tests/component/expected-failures.txt \
	    "$(WG_CONFORMANCE_DIR)/component-model"

wasi:
	@bash scripts/install-deps.sh
	$(CMAKE_CONFIGURE) -B $(BUILD_DIR) -DCMAKE_BUILD_TYPE=Release -DWG_SANITIZE=OFF
	cmake --build $(BUILD_DIR) -j $(JOBS) --target wasmgate wg_wasi_runner
	$(BUILD_DIR)/tests/wasi/wg_wasi_runner --wasmgate $(BUILD_DIR)/wasmgate "$(WG_CONFORMANCE_DIR)/wasi"

# The start-up benchmark first (seconds), then the workloads (minutes); both
# always run, and the target fails if either failed.
bench:
	@bash scripts/install-deps.sh
	@$(MAKE) --no-print-directory build
	@status=0; \
	WASMGATE=$${WASMGATE:-$(abspath $(BUILD_DIR))/wasmgate} bash bench/startup.sh || status=1; \
	WASMGATE=$${WASMGATE:-$(abspath $(BUILD_DIR))/wasmgate} bash bench/run.sh || status=1; \
	exit $$status

bench-startup:
	@bash scripts/install-deps.sh
	@$(MAKE) --no-print-directory build
	WASMGATE=$${WASMGATE:-$(abspath $(BUILD_DIR))/wasmgate} bash bench/startup.sh

fuzz:
	@bash scripts/install-deps.sh
	@test -f fuzz/run.sh || { echo "make fuzz: fuzz/run.sh does not exist yet" >&2; exit 1; }
	bash fuzz/run.sh $(FUZZ_SECONDS)

# The example app (examples/): its guests compiled into examples/wasm/, which
# examples/modules.toml and examples/spin.toml refer to. A guest is rebuilt when
# its source is newer than its .wasm.
EXAMPLES_CLANG ?= clang-19
SERVE_LISTEN ?= 127.0.0.1:3000
.PHONY: examples serve bench-http
examples:
	@command -v $(EXAMPLES_CLANG) >/dev/null 2>&1 || { \
	    echo "make examples: $(EXAMPLES_CLANG) not found (make deps installs clang-19, lld-19, wasi-libc)" >&2; exit 1; }
	@mkdir -p examples/wasm
	@for src in examples/guests/*.c; do \
	    out=examples/wasm/$$(basename "$$src" .c).wasm; \
	    if [ ! -f "$$out" ] || [ "$$src" -nt "$$out" ]; then \
	        echo "$(EXAMPLES_CLANG) --target=wasm32-wasi -O2 $$src -o $$out"; \
	        $(EXAMPLES_CLANG) --target=wasm32-wasi -O2 -Wall -Wextra -Werror -o "$$out" "$$src" || exit 1; \
	    fi; \
	done

# Serves the example app on $(SERVE_LISTEN) until Ctrl-C (graceful stop).
serve:
	@bash scripts/install-deps.sh
	@$(MAKE) --no-print-directory build
	@$(MAKE) --no-print-directory examples
	exec $(BUILD_DIR)/wasmgate serve --listen $(SERVE_LISTEN) examples/modules.toml

# HTTP throughput/latency of the example app's /hello against the built-in
# health endpoint, with wrk (bench/http.sh).
bench-http:
	@bash scripts/install-deps.sh
	@$(MAKE) --no-print-directory build
	@$(MAKE) --no-print-directory examples
	WASMGATE=$${WASMGATE:-$(abspath $(BUILD_DIR))/wasmgate} bash bench/http.sh

clean:
	rm -rf $(BUILD_DIR) $(ASAN_DIR)
