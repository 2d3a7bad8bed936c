package main

import (
	"os"
	"os/exec"
	"strings"
	"testing"
)

// grpcOptOut is cloud.google.com/go/storage's build tag that leaves out its
// gRPC transport (aerobackup uses the JSON API): the released and the
// make-built binaries carry it, so a run does not initialise gRPC xDS and
// Envoy packages it never uses.
const grpcOptOut = "disable_grpc_modules"

func TestReleaseBuildsLeaveOutGRPC(t *testing.T) {
	for _, f := range []string{"../../Makefile", "../../.goreleaser.yaml"} {
		b, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		if !strings.Contains(string(b), grpcOptOut) {
			t.Errorf("%s does not build with -tags %s", f, grpcOptOut)
		}
	}
	goBin, err := exec.LookPath("go")
	if err != nil {
		t.Skip("no go command to list the dependencies:", err)
	}
	out, err := exec.Command(goBin, "list", "-deps", "-tags", grpcOptOut, ".").Output()
	if err != nil {
		t.Fatalf("go list: %v", err)
	}
	for _, pkg := range strings.Fields(string(out)) {
		if strings.HasPrefix(pkg, "google.golang.org/grpc/xds") || strings.HasPrefix(pkg, "github.com/envoyproxy/") {
			t.Errorf("with -tags %s aerobackup still links %s", grpcOptOut, pkg)
		}
	}
}
