# aerobackup — build, test and demo targets. `make help` lists them.
SHELL := /bin/bash
GO ?= go
BIN := bin
PKG := github.com/aerobackup/aerobackup
VERSION ?= $(shell git describe --tags --always --dirty 2>/dev/null || echo dev)
COMMIT ?= $(shell git rev-parse --short HEAD 2>/dev/null || echo none)
DATE ?= $(shell git log -1 --format=%cI 2>/dev/null || echo unknown)
# cloud.google.com/go/storage's documented opt-out of its gRPC transport, which
# aerobackup does not use (GCS goes through the JSON API): without it every run
# initialises gRPC xDS and Envoy packages, ~8 ms CPU and ~15 MiB RSS at start.
# .goreleaser.yaml passes the same tag.
BUILD_TAGS := disable_grpc_modules
LDFLAGS := -s -w -X $(PKG)/internal/cli.version=$(VERSION) -X $(PKG)/internal/cli.commit=$(COMMIT) -X $(PKG)/internal/cli.date=$(DATE)
FUZZTIME ?= 30s
# Date printed in the generated man pages: fixed, so they only change with the code.
DOCS_DATE ?= 2026-01-01
# goreleaser is built from source through the Go proxy and cached here.
AEROBACKUP_CACHE ?= $(HOME)/.cache/aerobackup
GORELEASER_VERSION ?= v2.16.0
GORELEASER ?= $(AEROBACKUP_CACHE)/bin/goreleaser
# promtool checks and unit-tests the example alert rules; built the same way,
# into a folder named for its version (Prometheus v3.x is module v0.3xx).
PROMTOOL_VERSION ?= v0.316.0
PROMTOOL ?= $(AEROBACKUP_CACHE)/promtool-$(PROMTOOL_VERSION)/promtool

# make image: the container image, NAME:TAG. The release publishes
# IMAGE_REPO (.goreleaser.yaml's kos); the tag is a release's version without
# its "v", else latest: the rule of schedule export's default --image.
IMAGE_REPO ?= ghcr.io/aerobackup/aerobackup
IMAGE_TAG ?= $(or $(shell printf '%s' '$(VERSION)' | sed -nE 's/^v?([0-9]+\.[0-9]+\.[0-9]+(-(alpha|beta|rc)(\.?[0-9]+)?)?)$$/\1/p'),latest)
IMAGE ?= $(IMAGE_REPO):$(IMAGE_TAG)
IMAGE_ARCH ?= $(shell $(GO) env GOARCH)
IMAGE_LAYOUT ?= $(BIN)/image
IMAGE_BIN ?= $(BIN)/linux_$(IMAGE_ARCH)/aerobackup
# The commit's time: the image's created time and its files' mtimes.
SOURCE_DATE_EPOCH ?= $(shell git log -1 --format=%ct 2>/dev/null || echo 0)

.PHONY: help build test test-race lint vet fmt-check bench demo fuzz clean docs docs-check release-check examples-check image image-archive promtool rules-check

help: ## list targets
	@grep -E '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | sed 's/:.*## /\t/' | expand -t 14

build: ## build bin/aerobackup and bin/aerospike-testserver
	$(GO) build -trimpath -tags '$(BUILD_TAGS)' -ldflags '$(LDFLAGS)' -o $(BIN)/aerobackup ./cmd/aerobackup
	$(GO) build -trimpath -o $(BIN)/aerospike-testserver ./cmd/aerospike-testserver

image: ## OCI image layout of aerobackup in IMAGE_LAYOUT (bin/image), tagged IMAGE's tag; needs umoci, no daemon
	CGO_ENABLED=0 GOOS=linux GOARCH=$(IMAGE_ARCH) $(GO) build -trimpath -tags '$(BUILD_TAGS)' -ldflags '$(LDFLAGS)' -o $(IMAGE_BIN) ./cmd/aerobackup
	IMAGE='$(IMAGE)' VERSION='$(VERSION)' REVISION='$(COMMIT)' SOURCE_DATE_EPOCH='$(SOURCE_DATE_EPOCH)' GOARCH='$(IMAGE_ARCH)' \
	  bash build/image.sh $(IMAGE_BIN) $(IMAGE_LAYOUT)

image-archive: image ## the image as an oci-archive, bin/aerobackup-image.tar (skopeo copy, podman load)
	tar --sort=name --mtime=@$(SOURCE_DATE_EPOCH) --owner=0 --group=0 --numeric-owner \
	  -C $(IMAGE_LAYOUT) -cf $(BIN)/aerobackup-image.tar .

lint: vet fmt-check ## go vet and gofmt

vet:
	$(GO) vet ./...

fmt-check:
	@out=$$(gofmt -l $$(git ls-files '*.go' 2>/dev/null || find . -name '*.go')); \
	if [ -n "$$out" ]; then echo "gofmt would change:"; echo "$$out"; exit 1; fi

test: lint docs-check rules-check ## lint, docs drift check, alert rules, then every test (end-to-end scripts included) and short fuzz runs
	$(GO) test -count=1 -timeout 25m ./...

# CI runs it after test, as its own step; the race detector makes the
# end-to-end scripts several times slower, hence the same long timeout.
# A race-built process sleeps GORACE's atexit_sleep_ms (1 s by default)
# before it exits, so that reports other threads are still printing get
# out; the scripts start about a thousand aerobackup processes, each of
# which reports a race when it happens, so the wait goes (a caller's
# GORACE comes after, and wins).
test-race: ## every test again under the race detector (go test -race)
	GORACE="atexit_sleep_ms=0 $$GORACE" $(GO) test -race -count=1 -timeout 25m ./...

BENCH_FLAGS ?=
bench: build ## aerobackup against backup-go alone on the test server (or AEROBACKUP_TEST_AEROSPIKE); BENCH_FLAGS=-h lists options
	$(GO) build -trimpath -o $(BIN)/aerobackup-bench ./cmd/aerobackup-bench
	$(BIN)/aerobackup-bench -cli $(BIN)/aerobackup -testserver $(BIN)/aerospike-testserver $(BENCH_FLAGS)

fuzz: ## run each fuzz target for FUZZTIME
	@for pkg in $$($(GO) list ./...); do \
	  for f in $$($(GO) test -list '^Fuzz' $$pkg 2>/dev/null | grep '^Fuzz'); do \
	    echo "== $$pkg $$f"; $(GO) test -run '^$$' -fuzz "^$$f$$" -fuzztime $(FUZZTIME) $$pkg || exit 1; \
	  done; \
	done

demo: build ## a real backup, list and restore against the project's test server
	@bash testdata/demo/demo.sh $(BIN)

docs: ## regenerate man/ and completions/ from the command tree (commit the result)
	rm -f man/aerobackup*.1 completions/aerobackup.*
	$(GO) run ./cmd/aerobackup-docs -man man -completions completions -date $(DOCS_DATE)

docs-check: ## fail when man/ or completions/ differ from what make docs writes
	@tmp=$$(mktemp -d); trap 'rm -rf "$$tmp"' EXIT; \
	$(GO) run ./cmd/aerobackup-docs -man "$$tmp/man" -completions "$$tmp/completions" -date $(DOCS_DATE) || exit 1; \
	if ! diff -r man "$$tmp/man" >/dev/null || ! diff -r completions "$$tmp/completions" >/dev/null; then \
	  diff -ru man "$$tmp/man" | head -40; diff -ru completions "$$tmp/completions" | head -40; \
	  echo "docs-check: man/ or completions/ are out of date: run 'make docs' and commit them"; exit 1; \
	fi

$(GORELEASER):
	@mkdir -p $(dir $@)
	cd $$(mktemp -d) && GOBIN=$(dir $@) GOFLAGS= $(GO) install github.com/goreleaser/goreleaser/v2@$(GORELEASER_VERSION)

$(PROMTOOL):
	@mkdir -p $(dir $@)
	cd $$(mktemp -d) && GOBIN=$(dir $@) GOFLAGS= $(GO) install github.com/prometheus/prometheus/cmd/promtool@$(PROMTOOL_VERSION)

promtool: $(PROMTOOL) ## build promtool (PROMTOOL_VERSION) into the cache, once: a few minutes

# Without promtool (neither cached nor on PATH) the check is skipped, saying
# so, unless AEROBACKUP_REQUIRE_PROMTOOL is set, as CI sets it.
rules-check: ## promtool check rules and test rules on examples/prometheus/
	@p=$(PROMTOOL); [ -x "$$p" ] || p=$$(command -v promtool) || p=; \
	if [ -z "$$p" ]; then \
	  if [ -n "$$AEROBACKUP_REQUIRE_PROMTOOL" ]; then echo "rules-check: promtool not found: run 'make promtool'"; exit 1; fi; \
	  echo "rules-check: SKIPPED: promtool not found ('make promtool' builds it into $(dir $(PROMTOOL)))"; exit 0; \
	fi; \
	"$$p" check rules examples/prometheus/aerobackup-rules.yaml && \
	"$$p" test rules examples/prometheus/aerobackup-rules.test.yaml

release-check: $(GORELEASER) ## goreleaser check, then a snapshot build of every archive and package into dist/
	$(GORELEASER) check
	$(GORELEASER) release --snapshot --clean --skip=publish,sign,ko

clean: ## remove build output
	rm -rf $(BIN)
