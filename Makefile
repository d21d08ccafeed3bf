# The Accord Conformance Kit. Two commands matter (see README.md):
#   make run    the main job: a full conformance run against the reference server
#   make test   the whole test suite, with throwaway PostgreSQL and Redis
# Both install the Debian packages they need first (apt-get; sudo when not root).

SHELL := /bin/bash
APT_PACKAGES := libpq-dev libhiredis-dev libcurl4-openssl-dev libyaml-dev zlib1g-dev python3-venv postgresql redis-server pkg-config libxml2-utils nginx tinyproxy openssl
SUDO := $(shell [ "$$(id -u)" = 0 ] || echo sudo)
SWIFT ?= swift
PORT ?= 8080

.PHONY: deps build release run baseline test serve try clean

## deps: install the system packages that are missing (nothing when all are there)
deps:
	@missing=""; for p in $(APT_PACKAGES); do \
	  dpkg-query -W -f='$${Status}' $$p 2>/dev/null | grep -q "install ok installed" || missing="$$missing $$p"; \
	done; \
	if [ -n "$$missing" ]; then \
	  echo "installing:$$missing"; \
	  $(SUDO) env DEBIAN_FRONTEND=noninteractive apt-get update -qq && \
	  $(SUDO) env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends $$missing && \
	  for service in nginx tinyproxy; do $(SUDO) service $$service stop >/dev/null 2>&1 || true; done; \
	fi

## build: debug build of everything
build: deps
	$(SWIFT) build

## release: optimized build of the accord command
release: deps
	$(SWIFT) build -c release --product accord

## run: the main job: boots throwaway PostgreSQL, Redis and the reference server (release
## build), checks the whole contract, loads each endpoint, writes reports/latest/, and exits
## 0 when everything held, 1 when a check or target failed.
run: release
	$$($(SWIFT) build -c release --show-bin-path)/accord run --profile quick

## baseline: the same with the vendor's load durations
baseline: release
	$$($(SWIFT) build -c release --show-bin-path)/accord run --profile baseline

## try: the reference server on the in-memory store, nothing else needed (Ctrl-C stops it)
try: release
	$$($(SWIFT) build -c release --show-bin-path)/accord serve --store memory --port $(PORT)

## serve: the reference server on PostgreSQL and Redis (DATABASE_URL, REDIS_URL)
serve: release
	$$($(SWIFT) build -c release --show-bin-path)/accord serve --port $(PORT)

## test: the whole suite; integration tests start their own PostgreSQL and Redis. PyPI's
## hdrhistogram (in .build-venv) reads our histogram encoding back in one of them. One test at a
## time (--no-parallel): the end-to-end suites load this 2-core machine at the vendor's rates,
## and the suites that judge latency (a stalling nginx, a slow ping) must not share it with them.
test: deps
	@[ -x .build-venv/bin/python ] && .build-venv/bin/python -c 'import hdrh' 2>/dev/null || \
	  { python3 -m venv .build-venv && .build-venv/bin/pip install -q hdrhistogram; } || \
	  echo "note: could not install PyPI's hdrhistogram; its interoperability test will be skipped"
	$(SWIFT) build --build-tests
	ACCORD_HDR_PYTHON=$$( .build-venv/bin/python -c 'import hdrh' 2>/dev/null && echo $(CURDIR)/.build-venv/bin/python ) $(SWIFT) test --skip-build --no-parallel

clean:
	rm -rf .build
