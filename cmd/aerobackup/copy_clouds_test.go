package main

import (
	"path/filepath"
	"strings"
	"testing"

	"github.com/rogpeppe/go-internal/testscript"
)

// TestScriptsCopyClouds runs the scripts of testdata/script-clouds, which
// copy backups between storages of every kind, with the routine's own
// storage local and a fresh bucket (or container) on each emulator, named
// by S3_ENTRY, GCS_ENTRY, AZURE_ENTRY (storage entries) and S3_URL,
// GCS_URL, AZURE_URL (ad-hoc URLs). Without all three emulators it skips,
// or fails under AEROBACKUP_REQUIRE_EMULATORS=1.
func TestScriptsCopyClouds(t *testing.T) {
	var kinds []storageKind
	for _, kind := range []func(t *testing.T) (storageKind, bool){s3Kind, gcsKind, azureKind} {
		k, ok := kind(t)
		if !ok {
			return
		}
		kinds = append(kinds, k)
	}
	p := scriptParams(localStorage)
	p.Dir = filepath.Join("..", "..", "testdata", "script-clouds")
	p.UpdateScripts = false
	setup := p.Setup
	p.Setup = func(env *testscript.Env) error {
		if err := setup(env); err != nil {
			return err
		}
		for _, k := range kinds {
			if err := k.setup(env); err != nil {
				return err
			}
			up := strings.ToUpper(k.name)
			env.Setenv(up+"_ENTRY", k.entry(env))
			env.Setenv(up+"_URL", k.url(env))
		}
		return nil
	}
	testscript.Run(t, p)
}
