# idpsim — the README's two commands are `make run` and `make test`.
# Both install the system packages the build needs first (as root, on Debian), then build.

SHELL := /bin/bash
APT_PACKAGES := libxmlsec1-dev libxmlsec1-openssl libxml2-dev libssl-dev pkg-config libclang-dev xmlsec1 openssl apache2 libapache2-mod-auth-mellon libapache2-mod-auth-openidc curl iproute2 chromium chromium-driver jq
LISTEN ?= 127.0.0.1:8080

.PHONY: run serve test deps lint unit bench fmt

## Install the Debian packages the xmlsec bindings (dsig, samael), the xmlsec1 cross-checks, the black-box
## SPs (Apache) and browser mode (chromium, chromium-driver) need.
deps:
	@missing=""; for p in $(APT_PACKAGES); do \
	  dpkg-query -W -f='$${Status}' $$p 2>/dev/null | grep -q "install ok installed" || missing="$$missing $$p"; \
	done; \
	if [ -n "$$missing" ]; then \
	  echo "installing:$$missing"; \
	  if [ "$$(id -u)" != 0 ]; then SUDO=sudo; fi; \
	  $$SUDO apt-get update -qq && DEBIAN_FRONTEND=noninteractive $$SUDO apt-get install -y -qq $$missing; \
	fi

## The main job: every scenario against the embedded reference SP; reports in reports/out.
run: deps
	cargo run --release -p harness --bin idpsim -- run --report reports/out

## The mock Okta, Entra and Google IdPs on $(LISTEN), for pointing a local app at.
serve: deps
	cargo run --release -p harness --bin idpsim -- serve --listen $(LISTEN)

## fmt, clippy -D warnings, then every test in the workspace.
test: deps lint unit

lint:
	cargo fmt --all --check
	cargo clippy --workspace --all-targets -- -D warnings

unit:
	cargo test --workspace

fmt:
	cargo fmt --all

## Signing throughput on one core beside openssl's raw RSA-2048 rate.
bench: deps
	openssl speed -seconds 3 rsa2048 2>/dev/null | tail -2
	taskset -c 0 cargo bench -p protocols --bench signing
