# Front door: `make demo` runs the main job, `make test` builds and runs every test.
# Both install missing Debian packages first (scripts/install-deps.sh).
BUILD      ?= build
BUILD_SAN  ?= build-san
JOBS       ?= $(shell nproc)

.PHONY: all deps configure build demo bench whatifs cycle-reference test test-fast test-san clean format

all: build

deps:
	@./scripts/install-deps.sh

configure: deps
	@cmake -S . -B $(BUILD) -DCMAKE_BUILD_TYPE=RelWithDebInfo >/dev/null

build: configure
	@cmake --build $(BUILD) -j $(JOBS)

demo: build
	@./scripts/demo.sh $(BUILD)

# Simulation speed with the timing model on and off (figures in README.md).
bench: build
	@./scripts/bench.sh $(BUILD)

# The README's what-ifs (docs/whatifs/): sweeps of the real kernel's benchmark.
whatifs: build
	@./scripts/whatifs.sh $(BUILD)

# Rewrites traces/cycle_reference.json after a deliberate kernel or model change
# (the test "reference: ..." compares every run with it).
cycle-reference: build
	@python3 scripts/cycle_reference.py write $(BUILD)

# The full test run: the normal build, then the sanitizer build (ASan + UBSan).
test: build
	@cd $(BUILD) && ctest --output-on-failure -j $(JOBS)
	@$(MAKE) --no-print-directory test-san

test-fast: build
	@cd $(BUILD) && ctest --output-on-failure -j $(JOBS)

test-san: deps
	@cmake -S . -B $(BUILD_SAN) -DCMAKE_BUILD_TYPE=Debug -DL4SIM_SANITIZE=ON >/dev/null
	@cmake --build $(BUILD_SAN) -j $(JOBS)
	@cd $(BUILD_SAN) && L4SIM_FUZZ_SCALE=0.2 ctest --output-on-failure -j $(JOBS)

format:
	@clang-format -i $$(git ls-files '*.cpp' '*.hpp')

clean:
	rm -rf $(BUILD) $(BUILD_SAN)
