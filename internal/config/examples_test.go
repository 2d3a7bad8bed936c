package config

import (
	"path/filepath"
	"testing"
)

// TestExamplesLoad loads every example config under testdata/config
// unchanged: files written for ABS must be accepted as they are.
func TestExamplesLoad(t *testing.T) {
	files, err := filepath.Glob("../../testdata/config/*.yml")
	if err != nil {
		t.Fatal(err)
	}
	if len(files) < 6 {
		t.Fatalf("expected at least 6 example configs, found %d", len(files))
	}
	for _, f := range files {
		t.Run(filepath.Base(f), func(t *testing.T) {
			cfg, err := Load(f)
			if err != nil {
				t.Fatalf("Load: %v", err)
			}
			if len(cfg.BackupRoutines) == 0 {
				t.Fatal("no routines decoded")
			}
			for _, name := range cfg.RoutineNames() {
				r := cfg.BackupRoutines[name]
				if r.Cluster() == nil || r.Storage() == nil || r.Policy() == nil {
					t.Errorf("routine %s: references not resolved", name)
				}
			}
		})
	}
}
