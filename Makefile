# wasmgate — the developer entry points. See README.md.
JOBS ?= $(shell nproc)

.PHONY: build test
build:
	cmake -S . -B build -DCMAKE_BUILD_TYPE=Release >/dev/null
	cmake --build build -j $(JOBS)

test: build
	cd build && ctest --output-on-failure -j $(JOBS)
