# Brain: `make run` starts the daemon with its defaults, `make test` runs every suite.
# Both install what is missing first (Debian packages with apt-get when run as root,
# the Python client's requirements with pip).

SHELL        := /bin/bash
.SHELLFLAGS  := -eo pipefail -c
SWIFT        ?= swift
PYTHON       ?= python3
APT_PACKAGES := libprotobuf-c-dev protobuf-c-compiler protobuf-compiler valgrind pkg-config redis-server
DEBUG_BIN    := $(CURDIR)/.build/debug
RELEASE_BIN  := $(CURDIR)/.build/release

.PHONY: run test deps build release check-generated lint swift-test c-test python-test docs-test bench-build generate clean

run: deps release
	$(RELEASE_BIN)/brain serve

test: deps check-generated lint swift-test c-test python-test docs-test bench-build
	@echo "make test: every suite passed"

deps:
	@missing=""; for p in $(APT_PACKAGES); do dpkg -s $$p >/dev/null 2>&1 || missing="$$missing $$p"; done; \
	if [ -n "$$missing" ]; then \
		if [ "$$(id -u)" = 0 ]; then \
			echo "installing:$$missing"; \
			apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $$missing >/dev/null; \
		else \
			echo "missing Debian packages:$$missing -- run: sudo apt-get install -y$$missing" >&2; exit 1; \
		fi; \
	fi
	@$(PYTHON) -c "import google.protobuf, pytest, brain_client, brain_client.celery, celery, redis" 2>/dev/null || \
		$(PYTHON) -m pip install -q --disable-pip-version-check -e "./clients/python[test]"

generate:
	scripts/generate-proto

# The committed protobuf-c and Python code must match proto/.
check-generated:
	scripts/generate-proto --check
	$(PYTHON) conformance/make-golden.py --check

# swift-format (the toolchain's `swift format`) with the repository's .swift-format: any
# finding fails. `swift format format -i --recursive Sources Tests` fixes most of them.
lint:
	$(SWIFT) format lint --strict --recursive Sources Tests Benchmarks/Micro/Benchmarks

build:
	mkdir -p .build
	$(SWIFT) build --build-tests 2>&1 | tee .build/build-log.txt
	@! grep -E '^/.*/(Sources|Tests)/.*warning:' .build/build-log.txt || { echo "make: warnings in the project's code (above) fail the build" >&2; exit 1; }

release:
	$(SWIFT) build -c release --product brain
	$(SWIFT) build -c release --product brainctl

swift-test: build
	$(SWIFT) test --skip-build

c-test: build
	$(MAKE) -C clients/c test BRAIN_BIN=$(DEBUG_BIN)/brain
	$(MAKE) -C clients/c asan BRAIN_BIN=$(DEBUG_BIN)/brain

python-test: build
	cd clients/python && BRAIN_BIN=$(DEBUG_BIN)/brain $(PYTHON) -m pytest -q tests

# README.md's short session and agent snippets, run as written against a fresh brain.
docs-test: build
	$(MAKE) -s -C clients/c
	scripts/check-readme --bin $(DEBUG_BIN)

# The C benchmark drivers are only run by hand (Benchmarks/scripts/bench-vs-redis, bench-snapshot);
# building them here keeps them from rotting with the wire code they compile against.
bench-build:
	$(MAKE) -C Benchmarks/Load

clean:
	rm -rf .build clients/c/build Benchmarks/Load/build
