package cli

import (
	"math"
	"testing"

	"github.com/aerobackup/aerobackup/internal/config"
	"github.com/aerobackup/aerobackup/internal/outcome"
)

func TestRetentionCounts(t *testing.T) {
	n := func(v int) *int { return &v }
	tests := []struct {
		name             string
		policy           *config.RetentionPolicy
		flagFull         int
		flagIncr         int
		fullSet, incrSet bool
		wantFull         int
		wantIncr         int
		usage            bool
	}{
		{name: "no policy, no flags", usage: true},
		{name: "empty retention", policy: &config.RetentionPolicy{}, usage: true},
		{name: "policy", policy: &config.RetentionPolicy{Full: n(3), Incremental: n(1)}, wantFull: 3, wantIncr: 1},
		{name: "policy full only keeps incrementals of kept fulls", policy: &config.RetentionPolicy{Full: n(3)}, wantFull: 3, wantIncr: 3},
		{name: "policy incremental only keeps every full", policy: &config.RetentionPolicy{Incremental: n(0)}, wantFull: math.MaxInt, wantIncr: 0},
		{name: "flags override", policy: &config.RetentionPolicy{Full: n(3), Incremental: n(1)}, flagFull: 5, flagIncr: 2, fullSet: true, incrSet: true, wantFull: 5, wantIncr: 2},
		{name: "flags without policy", flagFull: 2, fullSet: true, wantFull: 2, wantIncr: 2},
		{name: "zero fulls refused", flagFull: 0, fullSet: true, usage: true},
		{name: "negative incrementals refused", flagFull: 1, fullSet: true, flagIncr: -1, incrSet: true, usage: true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			full, incr, err := retentionCounts("r", tt.policy, tt.flagFull, tt.flagIncr, tt.fullSet, tt.incrSet)
			if tt.usage {
				if outcome.ExitCode(err) != outcome.ExitUsage {
					t.Fatalf("err = %v, want a usage error", err)
				}
				return
			}
			if err != nil || full != tt.wantFull || incr != tt.wantIncr {
				t.Errorf("= %d, %d, %v; want %d, %d", full, incr, err, tt.wantFull, tt.wantIncr)
			}
		})
	}
}
