# The commands of the README. Each installs what it needs on a fresh Debian machine.

SHELL := /bin/bash
SUDO := $(if $(filter 0,$(shell id -u)),,sudo)
APT_INSTALL := DEBIAN_FRONTEND=noninteractive $(SUDO) apt-get install -y -qq --no-install-recommends

.PHONY: test deps-test

## Every check CI runs: formatting, lints, unit tests, and the HTTP tests against a real
## PostgreSQL that the tests start themselves.
test: deps-test
	cargo fmt --check
	cargo clippy --all-targets -- -D warnings
	cargo test --all-targets

## PostgreSQL's server binaries (initdb, postgres), from Debian when they are missing.
deps-test:
	@command -v cargo >/dev/null || { echo "cargo not found: install Rust 1.95 (https://rustup.rs)"; exit 1; }
	@if command -v initdb >/dev/null || ls /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1; then :; else \
		echo "installing PostgreSQL from Debian"; \
		$(SUDO) apt-get update -qq && $(APT_INSTALL) postgresql; \
	fi
