package cli

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestScheduleExport(t *testing.T) {
	cfg, _ := writeCompletionConfig(t)
	code, out, errOut := run(t, nil, "-c", cfg, "schedule", "export", "--format", "crontab")
	if code != 0 {
		t.Fatalf("exit %d: %s", code, errOut)
	}
	for _, want := range []string{"0 * * * * /usr/local/bin/aerobackup backup --config " + cfg + " --routine hourly --quiet\n",
		"0 0 * * * /usr/local/bin/aerobackup backup --config " + cfg + " --routine nightly --quiet\n"} {
		if !strings.Contains(out, want) {
			t.Errorf("crontab lacks %q:\n%s", want, out)
		}
	}

	dir := t.TempDir()
	code, _, errOut = run(t, nil, "-c", cfg, "schedule", "export", "--format", "systemd", "-r", "nightly", "--output-dir", dir)
	if code != 0 {
		t.Fatalf("systemd: exit %d: %s", code, errOut)
	}
	timer, err := os.ReadFile(filepath.Join(dir, "aerobackup-nightly-full.timer"))
	if err != nil || !strings.Contains(string(timer), "OnCalendar=*-*-* 00:00:00\n") {
		t.Errorf("timer: %v\n%s", err, timer)
	}
	if !strings.Contains(errOut, "wrote") || !strings.Contains(errOut, "aerobackup-nightly-full.timer") {
		t.Errorf("the files written are not named: %q", errOut)
	}
	code, out, errOut = run(t, nil, "-c", cfg, "schedule", "export", "--format", "systemd", "-r", "nightly", "--output-dir", dir, "--quiet")
	if code != 0 || out != "" || errOut != "" {
		t.Errorf("quiet export to a folder: exit %d, printed %q and %q; want nothing", code, out, errOut)
	}

	if code, _, errOut = run(t, nil, "-c", cfg, "schedule", "export", "--format", "launchd"); code != 2 ||
		!strings.Contains(errOut, `--format "launchd"`) {
		t.Errorf("bad format: exit %d, %s", code, errOut)
	}
}

func TestScheduleExportRefusesInexactCron(t *testing.T) {
	dir := t.TempDir()
	cfg := filepath.Join(dir, "aerobackup.yml")
	body := `aerospike-clusters:
  c:
    seed-nodes: [{host-name: h, port: 3000}]
storage:
  s:
    local-storage: {path: /tmp/x}
backup-routines:
  fine:
    interval-cron: "30 0 2 * * ?"
    source-cluster: c
    storage: s
    namespaces: [test]
`
	if err := os.WriteFile(cfg, []byte(body), 0o600); err != nil {
		t.Fatal(err)
	}
	code, out, errOut := run(t, nil, "-c", cfg, "schedule", "export", "--format", "kubernetes")
	if code != 2 || out != "" || !strings.Contains(errOut, `routine "fine", full backup: cron expression "30 0 2 * * ?": cron has no seconds field`) {
		t.Errorf("exit %d, stdout %q, stderr %s", code, out, errOut)
	}
	if code, out, _ := run(t, nil, "-c", cfg, "schedule", "export", "--format", "systemd"); code != 0 ||
		!strings.Contains(out, "OnCalendar=*-*-* 02:00:30\n") {
		t.Errorf("systemd: exit %d\n%s", code, out)
	}
}
