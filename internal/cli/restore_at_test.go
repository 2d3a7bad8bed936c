package cli

import (
	"testing"
	"time"

	as "github.com/aerospike/aerospike-client-go/v8"

	"github.com/aerobackup/aerobackup/internal/catalog"
	"github.com/aerobackup/aerobackup/internal/policy"
)

func TestChainSteps(t *testing.T) {
	base, err := policy.NewRestore(policy.DefaultRestoreOptions())
	if err != nil {
		t.Fatal(err)
	}
	plan := catalog.Plan{Namespace: "test", Steps: []catalog.Step{
		{Key: "r/backup/1", Type: catalog.Full, Namespace: "test", Dir: "r/backup/1/data/test"},
		{Key: "r/incremental/2", Type: catalog.Incremental, Namespace: "test", Dir: "r/incremental/2/data/test"},
		{Key: "r/incremental/3", Type: catalog.Incremental, Namespace: "test", Dir: "r/incremental/3/data/test"},
	}, RecoveryPoint: time.UnixMilli(3)}
	tests := []struct {
		name      string
		reordered bool
		order     []string
		actions   []as.RecordExistsAction
		gens      []as.GenerationPolicy
	}{
		{name: "newest first", reordered: true,
			order:   []string{"r/incremental/3", "r/incremental/2", "r/backup/1"},
			actions: []as.RecordExistsAction{as.CREATE_ONLY, as.CREATE_ONLY, as.CREATE_ONLY},
			gens:    []as.GenerationPolicy{as.NONE, as.NONE, as.NONE}},
		{name: "chronological",
			order:   []string{"r/backup/1", "r/incremental/2", "r/incremental/3"},
			actions: []as.RecordExistsAction{as.UPDATE, as.REPLACE, as.REPLACE},
			gens:    []as.GenerationPolicy{as.EXPECT_GEN_GT, as.NONE, as.NONE}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			steps := chainSteps(&nsPlan{plan: plan, destination: "bar", reordered: tt.reordered}, base)
			for i, s := range steps {
				if s.Label != tt.order[i] || s.Destination != "bar" || s.Source != "test" {
					t.Errorf("step %d = %s %s->%s, want %s test->bar", i, s.Label, s.Source, s.Destination, tt.order[i])
				}
				if s.Config.WritePolicy.RecordExistsAction != tt.actions[i] || s.Config.WritePolicy.GenerationPolicy != tt.gens[i] {
					t.Errorf("step %d (%s): policy %s", i, s.Label, policy.WriteMode(s.Config))
				}
				if incr := s.Label != "r/backup/1"; incr != (s.Config.NoIndexes && s.Config.NoUDFs) {
					t.Errorf("step %d (%s): NoIndexes=%v NoUDFs=%v", i, s.Label, s.Config.NoIndexes, s.Config.NoUDFs)
				}
			}
			// The base configuration is never changed.
			if base.WritePolicy.RecordExistsAction != as.UPDATE || base.NoIndexes {
				t.Errorf("base policy changed: %s", policy.WriteMode(base))
			}
		})
	}
}
