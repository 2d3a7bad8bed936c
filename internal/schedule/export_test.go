package schedule

import (
	"flag"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"gopkg.in/yaml.v3"
)

var update = flag.Bool("update", false, "rewrite the golden files under testdata/")

func golden(t *testing.T, name, got string) {
	t.Helper()
	path := filepath.Join("testdata", name)
	if *update {
		if err := os.WriteFile(path, []byte(got), 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (run go test -update to create it)", err)
	}
	if got != string(want) {
		t.Errorf("%s differs from the output (go test -update rewrites it):\n--- got\n%s", path, got)
	}
}

var (
	berlin = "Europe/Berlin"
	incr   = "0 0 0/2 * * ? *"
	jobs   = append(JobsFor("nightly", "0 30 1 * * ?", &incr, nil),
		JobsFor("weekly reports", "@weekly", nil, &berlin)...)
	opts = Options{Binary: "/usr/local/bin/aerobackup", ConfigPath: "/etc/aerobackup/aerobackup.yml",
		Image: "registry.example/aerobackup:1.0", Secret: "aerobackup-config", Namespace: "backup",
		Extra: []string{"--metrics-file=/var/lib/node_exporter/textfile/aerobackup.prom"}}
)

func TestSystemdGolden(t *testing.T) {
	files, err := Systemd(jobs, opts)
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, f := range files {
		names = append(names, f.Name)
		golden(t, "systemd/"+strings.ReplaceAll(f.Name, `\`, "_"), f.Content)
	}
	want := []string{
		"aerobackup-nightly-full.service", "aerobackup-nightly-full.timer",
		"aerobackup-nightly-incremental.service", "aerobackup-nightly-incremental.timer",
		`aerobackup-weekly\x20reports-full.service`, `aerobackup-weekly\x20reports-full.timer`,
	}
	if strings.Join(names, " ") != strings.Join(want, " ") {
		t.Errorf("files %q, want %q", names, want)
	}
}

func TestCrontabGolden(t *testing.T) {
	// CRON_TZ applies to every line below it: the zoned routine comes last
	// whatever the order of the jobs.
	s, err := Crontab(append([]Job{jobs[2]}, jobs[:2]...), opts)
	if err != nil {
		t.Fatal(err)
	}
	golden(t, "crontab.golden", s)
	if i, j := strings.Index(s, "CRON_TZ=Europe/Berlin"), strings.Index(s, "routine nightly"); i < j {
		t.Errorf("CRON_TZ before the host-zone lines:\n%s", s)
	}
}

func TestKubernetesGolden(t *testing.T) {
	s, err := Kubernetes(jobs, opts)
	if err != nil {
		t.Fatal(err)
	}
	golden(t, "kubernetes.golden", s)
	// Every document parses, is a CronJob and keeps the schedule and zone.
	dec := yaml.NewDecoder(strings.NewReader(s))
	var got []string
	for {
		var doc struct {
			Kind     string
			Metadata struct{ Name string }
			Spec     struct {
				Schedule string
				TimeZone string `yaml:"timeZone"`
			}
		}
		if err := dec.Decode(&doc); err != nil {
			break
		}
		if doc.Kind != "CronJob" {
			t.Errorf("kind %q", doc.Kind)
		}
		got = append(got, doc.Metadata.Name+"|"+doc.Spec.Schedule+"|"+doc.Spec.TimeZone)
	}
	want := "aerobackup-nightly-full|30 1 * * *| aerobackup-nightly-incremental|0 */2 * * *| aerobackup-weekly-reports-full|0 0 * * 0|Europe/Berlin"
	if strings.Join(got, " ") != want {
		t.Errorf("parsed %q, want %q", strings.Join(got, " "), want)
	}
}

func TestRefusalNamesTheRoutine(t *testing.T) {
	j := JobsFor("fine-grained", "30 0 2 * * ?", nil, nil)
	_, err := Crontab(j, opts)
	if err == nil || err.Error() != `routine "fine-grained", full backup: cron expression "30 0 2 * * ?": cron has no seconds field; it fires at second 0 only` {
		t.Errorf("crontab: %v", err)
	}
	_, err = Kubernetes(j, opts)
	if err == nil || !strings.Contains(err.Error(), "no seconds field") {
		t.Errorf("kubernetes: %v", err)
	}
	if _, err := Systemd(j, opts); err != nil {
		t.Errorf("systemd has seconds: %v", err)
	}
}

// Crontab lines are quiet (a successful run prints nothing), so cron
// mails only warnings and errors; systemd units keep the journal's
// output; a --quiet given in Extra is not repeated.
func TestCrontabLinesAreQuiet(t *testing.T) {
	s, err := Crontab(jobs, opts)
	if err != nil {
		t.Fatal(err)
	}
	for _, line := range strings.Split(strings.TrimSpace(s), "\n") {
		if strings.HasPrefix(line, "#") || strings.HasPrefix(line, "CRON_TZ=") {
			continue
		}
		if !strings.HasSuffix(line, " --quiet") {
			t.Errorf("crontab line is not quiet: %s", line)
		}
	}
	files, err := Systemd(jobs, opts)
	if err != nil {
		t.Fatal(err)
	}
	for _, f := range files {
		if strings.Contains(f.Content, "--quiet") || strings.Contains(f.Content, "/dev/null") {
			t.Errorf("%s silences the journal:\n%s", f.Name, f.Content)
		}
	}
	withQ := opts
	withQ.Extra = []string{"-q"}
	s, err = Crontab(jobs[:1], withQ)
	if err != nil {
		t.Fatal(err)
	}
	if line := strings.Split(strings.TrimSpace(s), "\n")[3]; strings.Contains(line, "--quiet") || !strings.HasSuffix(line, " -q") {
		t.Errorf("-q in Extra repeated or lost:\n%s", s)
	}
}
