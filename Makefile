# A thin front for CMake. `make` builds build/draftd; `make run` serves on
# http://127.0.0.1:8080 with the SQLite database draftd.db; `make test` runs the whole
# suite: the unit and integration tests on a normal build, the browser tests (Chromium,
# node --test) against that build, then the unit and integration tests again on a build
# with AddressSanitizer and UndefinedBehaviorSanitizer.
# Every target first installs missing Debian packages (scripts/install-deps).

BUILD      ?= build
ASAN_BUILD ?= build-asan
JOBS       ?= $(shell nproc 2>/dev/null || echo 2)
CTEST      = ctest --output-on-failure --no-tests=error -j$(JOBS)

.PHONY: all deps run test test-plain test-browser test-asan bench clean

all: deps
	cmake -S . -B $(BUILD) -DCMAKE_BUILD_TYPE=RelWithDebInfo -DDRAFTD_TESTS=ON
	cmake --build $(BUILD) -j$(JOBS)

deps:
	@scripts/install-deps

run: all
	$(BUILD)/draftd migrate up
	$(BUILD)/draftd import --if-empty examples/prospects.csv
	exec $(BUILD)/draftd serve

test: test-plain test-browser test-asan

test-plain: all
	cd $(BUILD) && $(CTEST)

# npm is used here only, to fetch the pinned playwright-core; never at run time.
test-browser: all
	@scripts/install-deps --browser
	cd tests/browser && npm ci --no-audit --no-fund --loglevel=error
	cd tests/browser && DRAFTD_BIN=$(CURDIR)/$(BUILD)/draftd \
	  SCREENSHOT_DIR=$(CURDIR)/$(BUILD)/screenshots node --test *.test.mjs

test-asan: deps
	CC=clang cmake -S . -B $(ASAN_BUILD) -DCMAKE_BUILD_TYPE=Debug -DDRAFTD_SANITIZE=ON -DDRAFTD_TESTS=ON
	cmake --build $(ASAN_BUILD) -j$(JOBS)
	cd $(ASAN_BUILD) && $(CTEST)

bench: deps
	@scripts/install-deps --bench
	bench/run.sh
	bench/pipeline.sh
	bench/web.sh

clean:
	rm -rf $(BUILD) $(ASAN_BUILD)
