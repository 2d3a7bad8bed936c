package schedule

import (
	"bytes"
	"errors"
	"log/slog"
	"path/filepath"
	"reflect"
	"strings"
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

// Export leaves out (and logs) a disabled routine unless it is named,
// refuses a config with nothing to export or an expression the scheduler
// cannot represent, and has the jobs read the config's absolute path.
func TestExport(t *testing.T) {
	cfg, err := config.Parse("s.yml", []byte(`aerospike-clusters:
  c: {seed-nodes: [{host-name: h, port: 3000}]}
storage:
  s: {local-storage: {path: /b}}
backup-routines:
  nightly: {interval-cron: "0 0 2 * * ?", source-cluster: c, storage: s, namespaces: []}
  off: {interval-cron: "0 30 3 * * ?", disabled: true, source-cluster: c, storage: s, namespaces: []}
  secs: {interval-cron: "30 0 2 * * ?", disabled: true, source-cluster: c, storage: s, namespaces: []}
`))
	if err != nil {
		t.Fatal(err)
	}
	abs, err := filepath.Abs("s.yml")
	if err != nil {
		t.Fatal(err)
	}
	var logs bytes.Buffer
	log := slog.New(slog.NewTextHandler(&logs, nil))
	o := Options{Binary: "/bin/aerobackup"}
	for _, tt := range []struct {
		name, only, format, want, err string
		opt                           Options
	}{
		{name: "enabled only", format: "crontab", want: "0 2 * * * /bin/aerobackup backup --config " + abs + " --routine nightly --quiet\n"},
		{name: "a disabled one named", only: "off", format: "crontab", want: "30 3 * * * /bin/aerobackup backup --config " + abs + " --routine off --quiet\n"},
		{name: "the path the job sees", only: "off", format: "crontab", opt: Options{Binary: "/bin/aerobackup", ConfigPath: "/etc/a.yml"},
			want: "30 3 * * * /bin/aerobackup backup --config /etc/a.yml --routine off --quiet\n"},
		{name: "seconds in cron", only: "secs", format: "crontab", err: `routine "secs", full backup: cron expression "30 0 2 * * ?": cron has no seconds field`},
	} {
		t.Run(tt.name, func(t *testing.T) {
			opt := o
			if tt.opt.Binary != "" {
				opt = tt.opt
			}
			files, err := Export(cfg, "s.yml", tt.format, tt.only, opt, log)
			if tt.err != "" {
				var refused *RefusedError
				if !errors.As(err, &refused) || !strings.Contains(err.Error(), tt.err) {
					t.Fatalf("err %v, want a refusal saying %q", err, tt.err)
				}
				return
			}
			if err != nil || len(files) != 1 || !strings.Contains(files[0].Content, tt.want) {
				t.Fatalf("files %+v, err %v; want %q", files, err, tt.want)
			}
		})
	}
	if !strings.Contains(logs.String(), `msg="leaving out a disabled routine" routine=off`) {
		t.Errorf("the disabled routine left out is not logged: %q", logs.String())
	}
	none, err := config.Parse("n.yml", []byte(`aerospike-clusters:
  c: {seed-nodes: [{host-name: h, port: 3000}]}
storage:
  s: {local-storage: {path: /b}}
backup-routines:
  off: {interval-cron: "@daily", disabled: true, source-cluster: c, storage: s, namespaces: []}
`))
	if err != nil {
		t.Fatal(err)
	}
	var refused *RefusedError
	if _, err := Export(none, "n.yml", "systemd", "", o, log); !errors.As(err, &refused) || err.Error() != "no enabled routine to export" {
		t.Errorf("nothing enabled: %v, want a refusal", err)
	}
}
