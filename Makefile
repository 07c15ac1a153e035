# A thin front for CMake. `make` builds build/draftd; `make run` serves on
# http://127.0.0.1:8080 with the SQLite database draftd.db; `make test` runs the whole
# suite twice: a normal build, then one with AddressSanitizer and UndefinedBehaviorSanitizer.
# Every target first installs missing Debian packages (scripts/install-deps).

BUILD      ?= build
ASAN_BUILD ?= build-asan
JOBS       ?= $(shell nproc 2>/dev/null || echo 2)
CTEST      = ctest --output-on-failure --no-tests=error -j$(JOBS)

.PHONY: all deps run test test-plain test-asan bench clean

all: deps
	cmake -S . -B $(BUILD) -DCMAKE_BUILD_TYPE=RelWithDebInfo -DDRAFTD_TESTS=ON
	cmake --build $(BUILD) -j$(JOBS)

deps:
	@scripts/install-deps

run: all
	$(BUILD)/draftd migrate up
	$(BUILD)/draftd import --if-empty examples/prospects.csv
	exec $(BUILD)/draftd serve

test: test-plain test-asan

test-plain: all
	cd $(BUILD) && $(CTEST)

test-asan: deps
	CC=clang cmake -S . -B $(ASAN_BUILD) -DCMAKE_BUILD_TYPE=Debug -DDRAFTD_SANITIZE=ON -DDRAFTD_TESTS=ON
	cmake --build $(ASAN_BUILD) -j$(JOBS)
	cd $(ASAN_BUILD) && $(CTEST)

bench: deps
	@scripts/install-deps --bench
	bench/run.sh
	bench/pipeline.sh

clean:
	rm -rf $(BUILD) $(ASAN_BUILD)
