package verify

import (
	"reflect"
	"strings"
	"testing"
)

func TestParseSubset(t *testing.T) {
	for in, want := range map[string]float64{"10%": 0.1, "100": 1, " 2.5 % ": 0.025, "0.5%": 0.005} {
		if got, err := ParseSubset(in); err != nil || got != want {
			t.Errorf("ParseSubset(%q) = %g, %v; want %g", in, got, err, want)
		}
	}
	for _, in := range []string{"", "0", "0%", "-5%", "101%", "ten%", "%"} {
		want := `--read-data-subset "` + in + `": want a percentage above 0 and up to 100, e.g. 10%`
		if _, err := ParseSubset(in); err == nil || err.Error() != want {
			t.Errorf("ParseSubset(%q): %v, want %q", in, err, want)
		}
	}
}

func TestKeepNamespaces(t *testing.T) {
	rs := []Result{{Key: "a", Namespace: "test"}, {Key: "a", Namespace: "bar"}, {Key: "b"}}
	if got := KeepNamespaces(rs, nil); !reflect.DeepEqual(got, rs) {
		t.Errorf("no namespaces given: %+v", got)
	}
	got := KeepNamespaces(rs, []string{"test"})
	if len(got) != 2 || got[0].Namespace != "test" || got[1].Key != "b" {
		t.Errorf("test only (and the run without a namespace): %+v", got)
	}
}

func TestSummarize(t *testing.T) {
	counts, err := Summarize(nil)
	if want := map[string]int{"ok": 0, "incomplete": 0, "corrupt": 0}; err != nil || !reflect.DeepEqual(counts, want) {
		t.Errorf("none: %v %v", counts, err)
	}
	counts, err = Summarize([]Result{{Status: OK}, {Status: OK}})
	if counts["ok"] != 2 || err != nil {
		t.Errorf("all ok: %v %v", counts, err)
	}
	counts, err = Summarize([]Result{{Status: OK}, {Status: Incomplete}, {Status: Corrupt}, {Status: Corrupt}})
	want := "verify: 3 of 4 backups not ok (1 incomplete, 2 corrupt)"
	if counts["corrupt"] != 2 || counts["incomplete"] != 1 || err == nil || err.Error() != want {
		t.Errorf("some not ok: %v %v, want %q", counts, err, want)
	}
}

func TestRequestApply(t *testing.T) {
	key := "nightly/backup/1763712000000"
	tests := []struct {
		name     string
		req      Request
		routine  string
		readData bool
		subset   float64
		key      bool
		err      string
	}{
		{name: "every routine", req: Request{Parallel: 4}},
		{name: "read data", req: Request{Routine: "r", ReadData: true, Parallel: 2}, routine: "r", readData: true},
		{name: "a subset reads data", req: Request{Subset: "10%", Parallel: 1}, readData: true, subset: 0.1},
		{name: "the backup names the routine", req: Request{Backup: key, Parallel: 1}, routine: "nightly", key: true},
		{name: "the backup agrees with --routine", req: Request{Backup: key, Routine: "nightly", Parallel: 1}, routine: "nightly", key: true},
		{name: "the backup of another routine", req: Request{Backup: key, Routine: "weekly", Parallel: 1},
			err: `--backup nightly/backup/1763712000000 belongs to routine "nightly", not --routine "weekly"`},
		{name: "a bad key", req: Request{Backup: "nightly", Parallel: 1}, err: `--backup "nightly": `},
		{name: "no parallel", req: Request{Parallel: 0}, err: "--parallel 0: want 1 or more"},
		{name: "a bad subset", req: Request{Subset: "0%", Parallel: 1}, err: `--read-data-subset "0%"`},
		{name: "a time range", req: Request{From: "1763712000000", To: "2025-11-22T00:00:00Z", Parallel: 1}},
		{name: "a bad --from", req: Request{From: "yesterday-ish", Parallel: 1}, err: `--from: `},
		{name: "--to before --from", req: Request{From: "1763712000000", To: "1763711000000", Parallel: 1}, err: `--to 1763711000000 is before --from 1763712000000`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var o Options
			routine, err := tt.req.Apply(&o)
			if tt.err != "" {
				if err == nil || !strings.HasPrefix(err.Error(), tt.err) {
					t.Fatalf("err = %v, want it to start %q", err, tt.err)
				}
				return
			}
			if err != nil || routine != tt.routine || o.ReadData != tt.readData || o.Subset != tt.subset ||
				(o.Key != nil) != tt.key || o.Parallel != tt.req.Parallel {
				t.Errorf("routine %q, options %+v, err %v", routine, o, err)
			}
			if tt.key && o.Key.Routine != "nightly" {
				t.Errorf("key %+v", o.Key)
			}
		})
	}
}
