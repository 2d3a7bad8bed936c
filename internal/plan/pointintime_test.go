package plan

import (
	"errors"
	"strings"
	"testing"
	"time"

	as "github.com/aerospike/aerospike-client-go/v8"

	"github.com/aerobackup/aerobackup/internal/catalog"
	"github.com/aerobackup/aerobackup/internal/policy"
	"github.com/aerobackup/aerobackup/internal/restorejob"
)

func pitBase(t *testing.T) PointInTimeRequest {
	t.Helper()
	base, err := policy.NewRestore(policy.DefaultRestoreOptions())
	if err != nil {
		t.Fatal(err)
	}
	return PointInTimeRequest{Routine: "r", Storage: "local /b", At: time.UnixMilli(1000), Base: base}
}

// Each way of choosing the order, with the reason the plan gives.
func TestPointInTimeOrder(t *testing.T) {
	backups := []catalog.Backup{full(100, "test"), incr(200, 100, "test"),
		incr(300, 200, "test")}
	tests := []struct {
		name        string
		change      func(*PointInTimeRequest)
		empty       bool
		newestFirst bool
		reason      string
	}{
		{"an empty destination is filled newest first", nil, true, true, "destination namespace is empty"},
		{"a destination with records goes oldest first", nil, false, false, "destination namespace holds records"},
		{"--unique keeps the first write of each record", func(r *PointInTimeRequest) { r.Unique = true }, false, true, "--unique"},
		{"--disable-reordering", func(r *PointInTimeRequest) { r.DisableReordering = true }, true, false, "--disable-reordering"},
		{"--validate decodes in the order taken", func(r *PointInTimeRequest) { r.Validate = true }, true, false, "--validate"},
		{"selected records: newest first whatever the destination holds", func(r *PointInTimeRequest) { r.Records = true }, false, true,
			"selected records: each from the newest backup holding it"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			req := pitBase(t)
			if tt.change != nil {
				tt.change(&req)
			}
			p, err := PointInTime(req, backups, map[string]bool{"test": tt.empty})
			if err != nil {
				t.Fatal(err)
			}
			n := p.Namespaces[0]
			if n.NewestFirst != tt.newestFirst || n.Reason != tt.reason {
				t.Errorf("order newest-first=%v (%s), want %v (%s)", n.NewestFirst, n.Reason, tt.newestFirst, tt.reason)
			}
			if want := !req.Validate && !req.DisableReordering && !req.Unique && !req.Records; req.NeedsEmptiness() != want {
				t.Errorf("NeedsEmptiness() = %v, want %v", req.NeedsEmptiness(), want)
			}
		})
	}
}

// The steps' order and write policies: newest first all CREATE_ONLY;
// oldest first the full with the restore's policy, incrementals REPLACE
// without a generation check; incrementals never carry indexes or UDFs.
func TestPointInTimeSteps(t *testing.T) {
	backups := []catalog.Backup{full(100, "test"), incr(200, 100, "test"),
		incr(300, 200, "test")}
	f1, i2, i3 := backups[0].Key, backups[1].Key, backups[2].Key
	tests := []struct {
		name    string
		empty   bool
		order   []string
		actions []as.RecordExistsAction
		gens    []as.GenerationPolicy
	}{
		{name: "newest first", empty: true, order: []string{i3, i2, f1},
			actions: []as.RecordExistsAction{as.CREATE_ONLY, as.CREATE_ONLY, as.CREATE_ONLY},
			gens:    []as.GenerationPolicy{as.NONE, as.NONE, as.NONE}},
		{name: "chronological", order: []string{f1, i2, i3},
			actions: []as.RecordExistsAction{as.UPDATE, as.REPLACE, as.REPLACE},
			gens:    []as.GenerationPolicy{as.EXPECT_GEN_GT, as.NONE, as.NONE}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			req := pitBase(t)
			req.Map = map[string]string{"test": "bar"}
			p, err := PointInTime(req, backups, map[string]bool{"bar": tt.empty})
			if err != nil {
				t.Fatal(err)
			}
			steps := p.Namespaces[0].Steps
			if len(steps) != len(tt.order) {
				t.Fatalf("%d steps, want %d", len(steps), len(tt.order))
			}
			for i, s := range steps {
				if s.Label != tt.order[i] || s.Destination != "bar" || s.Source != "test" {
					t.Errorf("step %d = %s %s->%s, want %s test->bar", i, s.Label, s.Source, s.Destination, tt.order[i])
				}
				if s.Config.WritePolicy.RecordExistsAction != tt.actions[i] || s.Config.WritePolicy.GenerationPolicy != tt.gens[i] {
					t.Errorf("step %d (%s): policy %s", i, s.Label, policy.WriteMode(s.Config))
				}
				if incr := s.Label != f1; incr != (s.Config.NoIndexes && s.Config.NoUDFs) {
					t.Errorf("step %d (%s): NoIndexes=%v NoUDFs=%v", i, s.Label, s.Config.NoIndexes, s.Config.NoUDFs)
				}
			}
			if base := req.Base; base.WritePolicy.RecordExistsAction != as.UPDATE || base.NoIndexes {
				t.Errorf("base policy changed: %s", policy.WriteMode(base))
			}
			if got := p.Chains(); len(got) != 1 || got[0].Namespace != "bar" || len(got[0].Steps) != 3 {
				t.Errorf("Chains() = %+v", got)
			}
		})
	}
}

// A restore of selected records writes each record whole from the newest
// backup holding it: every step REPLACE without a generation check, or
// CREATE_ONLY with --unique, or UPDATE of the --bin-list bins alone.
func TestRecordWrite(t *testing.T) {
	for _, c := range []struct {
		name   string
		opts   func(*policy.RestoreOptions)
		action as.RecordExistsAction
	}{
		{"default", func(*policy.RestoreOptions) {}, as.REPLACE},
		{"--replace", func(o *policy.RestoreOptions) { o.Replace = true }, as.REPLACE},
		{"--unique", func(o *policy.RestoreOptions) { o.Unique = true }, as.CREATE_ONLY},
		{"--bin-list", func(o *policy.RestoreOptions) { o.BinList = []string{"v"} }, as.UPDATE},
	} {
		t.Run(c.name, func(t *testing.T) {
			o := policy.DefaultRestoreOptions()
			c.opts(&o)
			base, err := policy.NewRestore(o)
			if err != nil {
				t.Fatal(err)
			}
			req := PointInTimeRequest{Routine: "r", At: time.UnixMilli(1000), Base: base, Records: true, Unique: o.Unique}
			p, err := PointInTime(req, []catalog.Backup{full(100, "test"), incr(200, 100, "test")}, nil)
			if err != nil {
				t.Fatal(err)
			}
			steps := p.Namespaces[0].Steps
			if len(steps) != 2 || steps[0].Label != "r/incremental/200" {
				t.Fatalf("steps %+v, want the incremental first", steps)
			}
			for _, s := range steps {
				if wp := s.Config.WritePolicy; wp.RecordExistsAction != c.action || wp.GenerationPolicy != as.NONE {
					t.Errorf("%s: %s", s.Label, policy.WriteMode(s.Config))
				}
			}
			if got := RecordWrite(base).WritePolicy.RecordExistsAction; got != c.action {
				t.Errorf("RecordWrite: %v", got)
			}
		})
	}
}

// Which backups, per namespace, and the plan's recovery point: the
// earliest of the namespaces', so every namespace holds every change
// before it.
func TestPointInTimeChains(t *testing.T) {
	backups := []catalog.Backup{
		full(100, "test", "bar"),
		incr(200, 100, "test", "bar"),
		full(400, "test"),
		incr(500, 400, "bar"),
		incr(1200, 1100, "test", "bar"), // after the time
	}
	req := pitBase(t)
	p, err := PointInTime(req, backups, nil)
	if err != nil {
		t.Fatal(err)
	}
	got := map[string]string{}
	for _, n := range p.Namespaces {
		var keys []string
		for _, l := range n.Chain.Links {
			keys = append(keys, strings.TrimPrefix(l.Key, "r/"))
		}
		got[n.Chain.Namespace] = strings.Join(keys, " ")
	}
	want := map[string]string{
		"bar":  "backup/100 incremental/200 incremental/500",
		"test": "backup/400",
	}
	for ns, w := range want {
		if got[ns] != w {
			t.Errorf("namespace %s: chain %q, want %q", ns, got[ns], w)
		}
	}
	if p.Namespaces[0].Chain.Namespace != "bar" {
		t.Errorf("namespaces not in sorted order: first is %s", p.Namespaces[0].Chain.Namespace)
	}
	if !p.RecoveryPoint.Equal(time.UnixMilli(400)) {
		t.Errorf("recovery point %v, want the earlier of 500 and 400", p.RecoveryPoint.UnixMilli())
	}
	if s := p.Summary(); s != "bar: chronological; test: chronological" {
		t.Errorf("Summary() = %q", s)
	}
}

// The namespaces a plan covers: --namespace, else the routine's, else
// every namespace with backups.
func TestPointInTimeNamespaces(t *testing.T) {
	backups := []catalog.Backup{full(100, "test", "bar")}
	tests := []struct {
		flag, routine []string
		want          string
	}{
		{nil, nil, "bar test"},
		{nil, []string{"test"}, "test"},
		{[]string{"bar"}, []string{"test"}, "bar"},
	}
	for _, tt := range tests {
		req := pitBase(t)
		req.Namespaces, req.RoutineNamespaces = tt.flag, tt.routine
		if got := strings.Join(req.ChainNamespaces(backups), " "); got != tt.want {
			t.Errorf("--namespace %v, routine %v: %q, want %q", tt.flag, tt.routine, got, tt.want)
		}
	}
}

// What cannot be planned is a usage error naming what is missing.
func TestPointInTimeRefuses(t *testing.T) {
	backups := []catalog.Backup{full(500, "test"), full(100, "bar")}
	tests := []struct {
		name    string
		backups []catalog.Backup
		change  func(*PointInTimeRequest)
		want    string
	}{
		{"no backups", nil, nil, `routine "r" has no backups in local /b`},
		{"a map from a namespace without backups", backups,
			func(r *PointInTimeRequest) { r.Map = map[string]string{"nope": "x"} },
			`--namespace-map nope=...: routine "r" has no backups of namespace "nope"`},
		{"no full at or before the time", backups,
			func(r *PointInTimeRequest) { r.At = time.UnixMilli(200) },
			`routine "r": no full backup of namespace(s) test at or before 1970-01-01T00:00:00.2Z (see 'aerobackup list -r r')`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			req := pitBase(t)
			if tt.change != nil {
				tt.change(&req)
			}
			_, err := PointInTime(req, tt.backups, nil)
			if err == nil || err.Error() != tt.want || !errors.As(err, new(*RefusedError)) {
				t.Errorf("err = %v (%T), want a refusal %q", err, err, tt.want)
			}
		})
	}
}

func TestPointInTimeDestinations(t *testing.T) {
	p := &PointInTimePlan{Namespaces: []*RestoreNamespace{{Destination: "copy"}, {Destination: "bar"}}}
	if got := p.Destinations(); strings.Join(got, ",") != "copy,bar" {
		t.Errorf("got %q, want copy, bar in the plan's order", got)
	}
}

// Newest-first chains share one budget for the digests of the records
// they write; chronological ones, and a request without memory for it,
// send every version.
func TestPointInTimeSupersededBudget(t *testing.T) {
	backups := []catalog.Backup{full(100, "test", "bar"), incr(200, 100, "test", "bar")}
	for _, tt := range []struct {
		name    string
		mib     int
		empty   map[string]bool
		want    map[string]bool // namespace: has a budget
		digests int64
	}{
		{"both newest first", 1, map[string]bool{"test": true, "bar": true}, map[string]bool{"test": true, "bar": true}, 1 << 20 / restorejob.DigestBytes},
		{"one holds records", 2, map[string]bool{"test": true}, map[string]bool{"test": true, "bar": false}, 2 << 20 / restorejob.DigestBytes},
		{"no memory", 0, map[string]bool{"test": true, "bar": true}, map[string]bool{"test": false, "bar": false}, 0},
	} {
		t.Run(tt.name, func(t *testing.T) {
			req := pitBase(t)
			req.SupersededMiB = tt.mib
			p, err := PointInTime(req, backups, tt.empty)
			if err != nil {
				t.Fatal(err)
			}
			var shared *restorejob.DigestBudget
			for _, c := range p.Chains() {
				if (c.Superseded != nil) != tt.want[c.Namespace] {
					t.Errorf("%s: budget %v, want one: %v", c.Namespace, c.Superseded, tt.want[c.Namespace])
				}
				if c.Superseded == nil {
					continue
				}
				if c.Superseded.Digests() != tt.digests {
					t.Errorf("%s: %d digests, want %d", c.Namespace, c.Superseded.Digests(), tt.digests)
				}
				if shared != nil && shared != c.Superseded {
					t.Error("the chains do not share one budget")
				}
				shared = c.Superseded
			}
		})
	}
}
