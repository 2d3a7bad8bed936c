package cli

import (
	"bytes"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"gopkg.in/yaml.v3"

	"github.com/aerobackup/aerobackup/internal/config"
)

// The files under examples/ are schedule export's output for
// examples/aerobackup.yml; this test keeps them so and checks them with the
// tools that will read them.
const examplesDir = "../../examples"

var exportArgs = []string{"-c", examplesDir + "/aerobackup.yml", "schedule", "export",
	"--config-path", "/etc/aerobackup/aerobackup.yml",
	"--arg=--metrics-file=/var/lib/node_exporter/textfile_collector/aerobackup.prom"}

func TestExamplesConfigLoadsUnchanged(t *testing.T) {
	if _, err := config.Load(examplesDir + "/aerobackup.yml"); err != nil {
		t.Fatal(err)
	}
}

func TestExamplesMatchScheduleExport(t *testing.T) {
	cases := map[string][]string{
		"crontab":                 {"--format", "crontab"},
		"kubernetes/cronjob.yaml": {"--format", "kubernetes", "--k8s-namespace", "backup"},
		"kubernetes/sliced-cronjob.yaml": {"--format", "kubernetes",
			"--k8s-namespace", "backup", "--slices", "4"},
	}
	for file, args := range cases {
		code, out, errOut := run(t, nil, append(append([]string{}, exportArgs...), args...)...)
		if code != 0 {
			t.Fatalf("%s: exit %d: %s", file, code, errOut)
		}
		want, err := os.ReadFile(filepath.Join(examplesDir, file))
		if err != nil || out != string(want) {
			t.Errorf("examples/%s is not schedule export's output (%v); regenerate it with the command in examples/aerobackup.yml", file, err)
		}
	}
	dir := t.TempDir()
	if code, _, errOut := run(t, nil, append(append([]string{}, exportArgs...), "--format", "systemd", "--output-dir", dir)...); code != 0 {
		t.Fatalf("systemd: exit %d: %s", code, errOut)
	}
	got, _ := filepath.Glob(filepath.Join(dir, "*"))
	have, _ := filepath.Glob(filepath.Join(examplesDir, "systemd", "*"))
	if len(got) != len(have) || len(got) != 4 {
		t.Fatalf("systemd: export wrote %d files, examples/systemd holds %d, want 4", len(got), len(have))
	}
	for _, g := range got {
		a, _ := os.ReadFile(g)
		b, err := os.ReadFile(filepath.Join(examplesDir, "systemd", filepath.Base(g)))
		if err != nil || !bytes.Equal(a, b) {
			t.Errorf("examples/systemd/%s is not schedule export's output (%v)", filepath.Base(g), err)
		}
	}
}

func TestExamplesKubernetesParses(t *testing.T) {
	data, err := os.ReadFile(filepath.Join(examplesDir, "kubernetes", "cronjob.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	dec := yaml.NewDecoder(bytes.NewReader(data))
	n := 0
	for {
		var doc struct {
			APIVersion string `yaml:"apiVersion"`
			Kind       string
			Spec       struct {
				Schedule    string
				JobTemplate struct {
					Spec struct {
						Template struct {
							Spec struct {
								Containers []struct{ Args []string }
							}
						}
					}
				} `yaml:"jobTemplate"`
			}
		}
		if err := dec.Decode(&doc); err != nil {
			if err.Error() != "EOF" {
				t.Fatalf("document %d: %v", n+1, err)
			}
			break
		}
		n++
		args := doc.Spec.JobTemplate.Spec.Template.Spec.Containers[0].Args
		if doc.APIVersion != "batch/v1" || doc.Kind != "CronJob" || doc.Spec.Schedule == "" || len(args) < 5 || args[0] != "backup" {
			t.Errorf("document %d: %+v", n, doc)
		}
	}
	if n != 2 {
		t.Errorf("%d CronJobs, want 2 (full and incremental)", n)
	}
}

func TestExamplesSystemdVerify(t *testing.T) {
	sa, err := exec.LookPath("systemd-analyze")
	if err != nil {
		t.Skip("systemd-analyze not installed")
	}
	// verify wants ExecStart's binary to exist: point it at a real one.
	self, err := os.Executable()
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	units, _ := filepath.Glob(filepath.Join(examplesDir, "systemd", "*"))
	var paths []string
	for _, u := range units {
		b, err := os.ReadFile(u)
		if err != nil {
			t.Fatal(err)
		}
		b = []byte(strings.ReplaceAll(string(b), "ExecStart=/usr/local/bin/aerobackup ", "ExecStart="+self+" "))
		p := filepath.Join(dir, filepath.Base(u))
		if err := os.WriteFile(p, b, 0o644); err != nil {
			t.Fatal(err)
		}
		paths = append(paths, p)
	}
	cmd := exec.Command(sa, append([]string{"verify", "--man=no"}, paths...)...)
	cmd.Env = append(os.Environ(), "SYSTEMD_LOG_LEVEL=warning")
	out, err := cmd.CombinedOutput()
	if err != nil {
		t.Fatalf("systemd-analyze verify: %v\n%s", err, out)
	}
}
