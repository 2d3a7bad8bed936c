package schedule

import (
	"errors"
	"reflect"
	"testing"

	"github.com/aerobackup/aerobackup/internal/config"
)

func TestCheckFormat(t *testing.T) {
	for _, c := range []struct {
		format string
		slices int
		want   string
		err    string
	}{
		{"systemd", 0, "systemd", ""},
		{"CronTab", 0, "crontab", ""},
		{"Kubernetes", 4, "kubernetes", ""},
		{"kubernetes", 4096, "kubernetes", ""},
		{"launchd", 0, "", `--format "launchd": want systemd, crontab or kubernetes`},
		{"crontab", 4, "", "--slices goes with --format kubernetes: only an Indexed Job gives every slice its index and a shared run name"},
		{"kubernetes", 1, "", "--slices 1: want 2..4096"},
		{"kubernetes", 4097, "", "--slices 4097: want 2..4096"},
		{"kubernetes", -2, "", "--slices -2: want 2..4096"},
	} {
		got, err := CheckFormat(c.format, c.slices)
		if got != c.want || (err == nil) != (c.err == "") || (err != nil && err.Error() != c.err) {
			t.Errorf("CheckFormat(%q, %d) = %q, %v; want %q, %q", c.format, c.slices, got, err, c.want, c.err)
		}
	}
}

func TestRoutinesOf(t *testing.T) {
	cfg, err := config.Parse("s.yml", []byte(`aerospike-clusters:
  c: {seed-nodes: [{host-name: h, port: 3000}]}
storage:
  s: {local-storage: {path: /b}}
backup-routines:
  nightly: {interval-cron: "0 0 2 * * ?", incr-interval-cron: "0 0 * * * ?", schedule-timezone: Europe/Paris, source-cluster: c, storage: s, namespaces: []}
  off: {interval-cron: "@daily", disabled: true, source-cluster: c, storage: s, namespaces: []}
`))
	if err != nil {
		t.Fatal(err)
	}
	incr, tz := "0 0 * * * ?", "Europe/Paris"
	nightly := Routine{Name: "nightly", IntervalCron: "0 0 2 * * ?", IncrIntervalCron: &incr, Timezone: &tz}
	got, err := RoutinesOf(cfg, "")
	if want := []Routine{nightly, {Name: "off", IntervalCron: "@daily", Disabled: true}}; err != nil || !reflect.DeepEqual(got, want) {
		t.Errorf("every routine:\n got %+v %v\nwant %+v", got, err, want)
	}
	if got, err := RoutinesOf(cfg, "nightly"); err != nil || !reflect.DeepEqual(got, []Routine{nightly}) {
		t.Errorf("nightly only: %+v %v", got, err)
	}
	var lookup *config.LookupError
	if _, err := RoutinesOf(cfg, "weekly"); !errors.As(err, &lookup) {
		t.Errorf("an unknown routine: %v, want the config's lookup error", err)
	}
}
