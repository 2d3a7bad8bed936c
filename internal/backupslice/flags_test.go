package backupslice

import (
	"errors"
	"testing"
)

func TestFlagsResolve(t *testing.T) {
	env := func(v string) func(string) string {
		return func(k string) string {
			if k == IndexEnv {
				return v
			}
			return ""
		}
	}
	for _, tt := range []struct {
		name   string
		f      Flags
		index  string // JOB_COMPLETION_INDEX
		spec   string // "" for an unsliced backup
		folder string
		err    string
	}{
		{name: "unsliced", f: Flags{}},
		{name: "run id", f: Flags{Slice: "1/4", RunID: "1763712000000"}, spec: "1/4", folder: "1763712000000"},
		{name: "run id with a suffix", f: Flags{Slice: "0/2", RunID: "1763712000000_nightly-1"}, spec: "0/2", folder: "1763712000000_nightly-1"},
		{name: "scheduled time, RFC 3339", f: Flags{Slice: "0/2", ScheduledTime: "2025-11-21T08:00:00Z"}, spec: "0/2", folder: "1763712000000"},
		{name: "scheduled time, a CronJob's Job name", f: Flags{Slices: 3, ScheduledTime: "nightly-29395200"}, index: "2",
			spec: "2/3", folder: "1763712000000"},
		{name: "bad slice", f: Flags{Slice: "4/4", RunID: "1"}, err: "--slice: "},
		{name: "index not set", f: Flags{Slices: 3, RunID: "1"},
			err: "--slices 3 takes the slice index from JOB_COMPLETION_INDEX, which is not set (run in a Kubernetes Indexed Job, or use --slice I/N)"},
		{name: "run id without a slice", f: Flags{RunID: "1"},
			err: "--run-id and --scheduled-time name the folder the slices of a run share: they go with --slice or --slices"},
		{name: "no shared folder", f: Flags{Slice: "0/2"},
			err: "--slice 0/2: the slices of a run share one run folder: give every slice the same --run-id or --scheduled-time"},
		{name: "run id not a folder name", f: Flags{Slice: "0/2", RunID: "nightly"},
			err: `--run-id "nightly": want a run folder name, <unix-millis>[_suffix] such as 1763712000000 (for a time, use --scheduled-time)`},
		{name: "run id unsafe in a path", f: Flags{Slice: "0/2", RunID: "1763712000000_a/b"}, err: `--run-id "1763712000000_a/b": want`},
		{name: "run id too many digits", f: Flags{Slice: "0/2", RunID: "1234567890123456789"}, err: `--run-id "1234567890123456789": want`},
		{name: "bad scheduled time", f: Flags{Slice: "0/2", ScheduledTime: "soon"}, err: `--scheduled-time "soon": want`},
	} {
		t.Run(tt.name, func(t *testing.T) {
			spec, folder, err := tt.f.Resolve(env(tt.index))
			if tt.err != "" {
				if err == nil || len(err.Error()) < len(tt.err) || err.Error()[:len(tt.err)] != tt.err {
					t.Fatalf("err %v, want %q...", err, tt.err)
				}
				if !errors.As(err, new(*FlagError)) {
					t.Errorf("err %T, want a *FlagError", err)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			got := ""
			if spec != nil {
				got = spec.String()
			}
			if got != tt.spec || folder != tt.folder {
				t.Errorf("got slice %q folder %q, want %q %q", got, folder, tt.spec, tt.folder)
			}
		})
	}
}
