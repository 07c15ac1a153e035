# A thin front for CMake. `make` builds build/draftd; `make run` serves on
# http://127.0.0.1:8080 with the SQLite database draftd.db; `make test` runs the whole
# suite: the unit and integration tests on a normal build, the browser tests (Chromium,
# node --test) against that build, then all of them again on a build with
# AddressSanitizer and UndefinedBehaviorSanitizer.
# Every target first installs missing Debian packages (scripts/install-deps).

BUILD      ?= build
ASAN_BUILD ?= build-asan
JOBS       ?= $(shell nproc 2>/dev/null || echo 2)
CTEST      = ctest --output-on-failure --no-tests=error -j$(JOBS)
# As tests/CMakeLists.txt sets them for CTest: a sanitizer report fails the run.
SANITIZER_ENV = ASAN_OPTIONS=abort_on_error=0:halt_on_error=1:detect_leaks=1:exitcode=86 \
  UBSAN_OPTIONS=halt_on_error=1:print_stacktrace=1:exitcode=87 LSAN_OPTIONS=exitcode=86

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

# The browser tests against the draftd of build directory $(1); screenshots go beside it.
# npm is used here only, to fetch the pinned playwright-core; never at run time.
define browser_tests
	@scripts/install-deps --browser
	cd tests/browser && npm ci --no-audit --no-fund --loglevel=error
	cd tests/browser && DRAFTD_BIN=$(CURDIR)/$(1)/draftd \
	  SCREENSHOT_DIR=$(CURDIR)/$(1)/screenshots $(SANITIZER_ENV) node --test *.test.mjs
endef

test-browser: all
	$(call browser_tests,$(BUILD))

test-asan: deps
	CC=clang cmake -S . -B $(ASAN_BUILD) -DCMAKE_BUILD_TYPE=Debug -DDRAFTD_SANITIZE=ON -DDRAFTD_TESTS=ON
	cmake --build $(ASAN_BUILD) -j$(JOBS)
	cd $(ASAN_BUILD) && $(CTEST)
	$(call browser_tests,$(ASAN_BUILD))

bench: deps
	@scripts/install-deps --bench
	bench/run.sh
	bench/pipeline.sh
	bench/web.sh

clean:
	rm -rf $(BUILD) $(ASAN_BUILD)
