package metrics

import (
	"slices"
	"strings"
	"testing"
	"time"

	dto "github.com/prometheus/client_model/go"
)

// every run the renderer knows, so that every family is written at least
// once.
func everyRun() []Run {
	var runs []Run
	for _, o := range []Outcome{Running, Success, Failure, Partial, Canceled, Skip} {
		for _, typ := range []string{Full, Incremental} {
			r := backupRun("nightly", typ, o, time.Minute)
			r.FullInterval, r.IncrInterval = 24*time.Hour, time.Hour
			runs = append(runs, r)
		}
		runs = append(runs, restoreRun("nightly", o, time.Minute), restoreRun("", o, time.Minute))
	}
	return runs
}

// TestFamiliesAreWhatIsWritten: Families lists exactly the families the
// renderer writes, with the label names its series carry, so dashboards
// and alert rules checked against it are checked against the output.
func TestFamiliesAreWhatIsWritten(t *testing.T) {
	var out []byte
	for _, r := range everyRun() {
		var err error
		if out, err = Render(out, r); err != nil {
			t.Fatal(err)
		}
	}
	written := families(t, out)
	listed := map[string]Family{}
	for _, f := range Families() {
		listed[f.Name] = f
		if _, ok := written[f.Name]; !ok {
			t.Errorf("%s is listed but no run writes it", f.Name)
		}
	}
	for name, mf := range written {
		f, ok := listed[name]
		if !ok {
			t.Errorf("%s is written but Families leaves it out", name)
			continue
		}
		if got := strings.ToLower(mf.GetType().String()); got != f.Type || mf.GetHelp() != f.Help {
			t.Errorf("%s: written as %s %q, listed as %s %q", name, got, mf.GetHelp(), f.Type, f.Help)
		}
		for _, m := range mf.Metric {
			var names []string
			for _, l := range m.GetLabel() {
				names = append(names, l.GetName())
			}
			want := slices.Sorted(slices.Values(f.Labels))
			if !slices.Equal(names, want) {
				t.Errorf("%s: a series has the labels %v, Families says %v", name, names, want)
			}
		}
	}
}

func TestFamilySamples(t *testing.T) {
	for _, f := range Families() {
		got := f.Samples()
		switch f.Name {
		case backupDuration:
			if !slices.Equal(got, []string{backupDuration + "_bucket", backupDuration + "_sum", backupDuration + "_count"}) {
				t.Errorf("%s samples %v", f.Name, got)
			}
		case backupEvents:
			if !slices.Equal(got, []string{backupEvents}) {
				t.Errorf("%s samples %v", f.Name, got)
			}
		}
	}
}

func TestBackupInterval(t *testing.T) {
	interval := func(fams map[string]*dto.MetricFamily, typ string) (float64, bool) {
		for _, m := range fams[backupInterval].GetMetric() {
			if labelValue(m, "routine") == "nightly" && labelValue(m, "type") == typ {
				return m.GetGauge().GetValue(), true
			}
		}
		return 0, false
	}
	with := func(r Run, full, incr time.Duration) Run {
		r.FullInterval, r.IncrInterval = full, incr
		return r
	}
	steps := []struct {
		name       string
		run        Run
		full, incr float64 // -1: no series
	}{
		{"a success writes both schedules", with(backupRun("nightly", Full, Success, time.Minute), 24*time.Hour, 6*time.Hour), 86400, 21600},
		{"so does a skipped incremental", with(backupRun("nightly", Incremental, Skip, 0), 24*time.Hour, 6*time.Hour), 86400, 21600},
		{"a changed schedule replaces the value", with(backupRun("nightly", Full, Failure, time.Minute), 7*24*time.Hour, 6*time.Hour), 604800, 21600},
		{"a schedule removed removes the series", with(backupRun("nightly", Full, Running, 0), 7*24*time.Hour, 0), 604800, -1},
		{"a restore leaves them", restoreRun("nightly", Success, time.Minute), 604800, -1},
		{"no schedule at all: none", backupRun("nightly", Full, Success, time.Minute), -1, -1},
	}
	var out []byte
	for _, st := range steps {
		var err error
		if out, err = Render(out, st.run); err != nil {
			t.Fatal(err)
		}
		fams := families(t, out)
		for _, c := range []struct {
			typ  string
			want float64
		}{{Full, st.full}, {Incremental, st.incr}} {
			got, ok := interval(fams, c.typ)
			if ok != (c.want >= 0) || (ok && got != c.want) {
				t.Errorf("%s: %s interval = %v (present %v), want %v", st.name, c.typ, got, ok, c.want)
			}
		}
	}
	if _, ok := families(t, out)[backupInterval]; ok {
		t.Error("the family outlives its last series")
	}
}

// TestFailureAndSkipState: the gauges an alert reads without increase():
// the last failure's time, and the skips in a row.
func TestFailureAndSkipState(t *testing.T) {
	at := func(r Run, minutes int) Run {
		r.Finished = t0.Add(time.Duration(minutes) * time.Minute)
		return r
	}
	unix := func(minutes int) float64 { return float64(t0.Add(time.Duration(minutes) * time.Minute).Unix()) }
	gauge := func(fams map[string]*dto.MetricFamily, name string, kv ...string) float64 {
		if _, ok := fams[name]; !ok {
			return -1
		}
		return find(t, fams, name, kv...).GetGauge().GetValue()
	}
	full := []string{"routine", "nightly", "type", Full}
	steps := []struct {
		name          string
		run           Run
		skips, failed float64 // -1: no series
		restoreFailed float64
	}{
		{"a skip", at(backupRun("nightly", Full, Skip, 0), 1), 1, -1, -1},
		{"another", at(backupRun("nightly", Full, Skip, 0), 2), 2, -1, -1},
		{"an incremental's skip counts apart", at(backupRun("nightly", Incremental, Skip, 0), 3), 2, -1, -1},
		{"a failure ends the streak and is timed", at(backupRun("nightly", Full, Failure, 0), 4), 0, unix(4), -1},
		{"a skip again", at(backupRun("nightly", Full, Skip, 0), 5), 1, unix(4), -1},
		{"a success keeps the failure's time", at(backupRun("nightly", Full, Success, 0), 6), 0, unix(4), -1},
		{"a partial is a failure", at(backupRun("nightly", Full, Partial, 0), 7), 0, unix(7), -1},
		{"a cancel is not", at(backupRun("nightly", Full, Canceled, 0), 8), 0, unix(7), -1},
		{"a restore that succeeds writes no failure", at(restoreRun("nightly", Success, 0), 9), 0, unix(7), -1},
		{"one that fails does", at(restoreRun("nightly", Failure, 0), 10), 0, unix(7), unix(10)},
		{"and a partial one", at(restoreRun("nightly", Partial, 0), 11), 0, unix(7), unix(11)},
	}
	var out []byte
	for _, st := range steps {
		var err error
		if out, err = Render(out, st.run); err != nil {
			t.Fatal(err)
		}
		fams := families(t, out)
		if got := gauge(fams, backupSkips, full...); got != st.skips {
			t.Errorf("%s: consecutive skips %v, want %v", st.name, got, st.skips)
		}
		if got := gauge(fams, lastFailedTS, full...); got != st.failed {
			t.Errorf("%s: last failed backup %v, want %v", st.name, got, st.failed)
		}
		if got := gauge(fams, lastFailedRestoreTS, "routine", "nightly"); got != st.restoreFailed {
			t.Errorf("%s: last failed restore %v, want %v", st.name, got, st.restoreFailed)
		}
	}
}
