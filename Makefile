# ccphone: `make run` starts the phone on the simulated board; `make test`
# runs the whole suite. Both install what they need (.ci/deps).

GO       ?= go
STATE    ?= $(CURDIR)/.state
PANEL    ?= 127.0.0.1:8080
CONFIG   ?= provisioning/examples/sim.cfg
FUZZTIME ?= 20s
VERSION  ?= $(shell git describe --tags --always --dirty 2>/dev/null || echo dev)
LDFLAGS  := -X main.version=$(VERSION)

# Packages whose tests run on armv7 under qemu-arm-static: everything
# pure Go that does not start browsers or other programs.
ARM_PKGS := ./hal/... ./ui/... ./provisioning/... ./board/cc800/... ./media/...

.PHONY: run demo demo-call bench-call firmware-nocgo test test-unit test-arm bench fuzz lint firmware build clean

run:
	@.ci/deps run
	$(GO) run -ldflags '$(LDFLAGS)' ./cmd/ccphoned --board sim --config $(CONFIG) --state $(STATE) --panel $(PANEL)

# The phone with a local registrar and a customer phone (baresip) to call.
demo:
	@.ci/deps demo
	PANEL=$(PANEL) .ci/demo

demo-call:
	@.ci/demo-call

# The same 60 s G.711 call with ccphoned and then baresip as the callee:
# CPU, context switches and peak RSS side by side (BENCH_SECONDS=60).
bench-call:
	@.ci/deps demo
	.ci/bench-call

build:
	$(GO) build -ldflags '$(LDFLAGS)' -o build/ccphoned ./cmd/ccphoned

test:
	@.ci/deps test
	$(MAKE) lint
	$(MAKE) test-unit
	$(MAKE) test-arm

test-unit:
	$(GO) test -race -count=1 ./...

# The unit tests again, built for armv7 and run under qemu.
test-arm:
	CGO_ENABLED=0 GOARCH=arm GOARM=7 $(GO) test -count=1 -short -exec qemu-arm-static $(ARM_PKGS)

bench:
	$(GO) test -run '^$$' -bench . -benchmem ./...

# Each fuzz target for FUZZTIME.
fuzz:
	@for pkg in $$($(GO) list ./...); do \
		for f in $$($(GO) test -list '^Fuzz' $$pkg | grep '^Fuzz'); do \
			echo "fuzz $$pkg $$f"; \
			$(GO) test -run '^$$' -fuzz "^$$f$$" -fuzztime $(FUZZTIME) $$pkg || exit 1; \
		done; \
	done

lint:
	@out=$$(gofmt -l $$(git ls-files '*.go')); if [ -n "$$out" ]; then echo "gofmt needed:"; echo "$$out"; exit 1; fi
	$(GO) vet ./...

# The firmware: a stripped armv7 binary with PortAudio (cgo, cross-built
# with Debian's armhf toolchain; the board image ships libportaudio2).
firmware:
	@.ci/deps firmware
	CGO_ENABLED=1 GOARCH=arm GOARM=7 CC=arm-linux-gnueabihf-gcc PKG_CONFIG=arm-linux-gnueabihf-pkg-config \
		$(GO) build -trimpath -ldflags '-s -w $(LDFLAGS)' -tags nosim -o build/ccphoned-armv7 ./cmd/ccphoned
	CGO_ENABLED=0 GOARCH=arm GOARM=7 $(GO) build -trimpath -ldflags '-s -w' -o build/ccboot-armv7 ./cmd/ccboot
	@ls -l build/ccphoned-armv7 build/ccboot-armv7 | awk '{printf "%s: %.2f MB\n", $$9, $$5/1e6}'

# The same without audio: pure Go, no toolchain needed.
firmware-nocgo:
	CGO_ENABLED=0 GOARCH=arm GOARM=7 $(GO) build -trimpath -ldflags '-s -w $(LDFLAGS)' -tags nosim -o build/ccphoned-armv7-nocgo ./cmd/ccphoned
	@ls -l build/ccphoned-armv7-nocgo | awk '{printf "build/ccphoned-armv7-nocgo: %.2f MB\n", $$5/1e6}'

clean:
	rm -rf build .state
