package cli

import (
	"bytes"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	as "github.com/aerospike/aerospike-client-go/v8"
	"gopkg.in/yaml.v3"

	"github.com/aerobackup/aerobackup/internal/aerospiketest"
	"github.com/aerobackup/aerobackup/internal/backupslice"
	"github.com/aerobackup/aerobackup/internal/report"
)

// indexedJob is the part of an Indexed Job's spec the sliced examples rely on.
type indexedJob struct {
	CompletionMode string `yaml:"completionMode"`
	Completions    int
	Parallelism    int
	Template       struct {
		Spec struct {
			RestartPolicy string `yaml:"restartPolicy"`
			Containers    []struct {
				Args []string
				Env  []struct {
					Name      string
					ValueFrom struct {
						FieldRef struct {
							FieldPath string `yaml:"fieldPath"`
						} `yaml:"fieldRef"`
					} `yaml:"valueFrom"`
				}
			}
		}
	}
}

func readManifest(t *testing.T, name string, into any) {
	t.Helper()
	data, err := os.ReadFile(filepath.Join(examplesDir, "kubernetes", name))
	if err != nil {
		t.Fatal(err)
	}
	dec := yaml.NewDecoder(bytes.NewReader(data))
	dec.KnownFields(false)
	if err := dec.Decode(into); err != nil {
		t.Fatalf("%s: %v", name, err)
	}
}

// checkIndexedJob checks that the Job runs one pod per slice and returns
// the container's args.
func checkIndexedJob(t *testing.T, name string, j indexedJob) []string {
	t.Helper()
	if j.CompletionMode != "Indexed" || j.Completions < 2 || j.Parallelism < 1 || j.Template.Spec.RestartPolicy != "Never" ||
		len(j.Template.Spec.Containers) != 1 {
		t.Fatalf("%s: not an Indexed Job with one container: %+v", name, j)
	}
	args := j.Template.Spec.Containers[0].Args
	n := -1
	for i, a := range args {
		if a == "--slices" && i+1 < len(args) {
			n, _ = strconv.Atoi(args[i+1])
		}
	}
	if n != j.Completions {
		t.Fatalf("%s: --slices %d but completions %d: they must be equal", name, n, j.Completions)
	}
	return args
}

// TestExamplesKubernetesSliced checks the sliced examples' shape and then
// runs each pod's arguments, as Kubernetes would (JOB_COMPLETION_INDEX set,
// $(JOB_NAME) expanded), against the test cluster: together the pods take
// one complete backup.
func TestExamplesKubernetesSliced(t *testing.T) {
	var cron struct {
		Kind string
		Spec struct {
			JobTemplate struct {
				Spec indexedJob
			} `yaml:"jobTemplate"`
		}
	}
	readManifest(t, "sliced-cronjob.yaml", &cron)
	if cron.Kind != "CronJob" {
		t.Fatalf("sliced-cronjob.yaml: kind %q", cron.Kind)
	}
	cronArgs := checkIndexedJob(t, "sliced-cronjob.yaml", cron.Spec.JobTemplate.Spec)
	// The first document is the full backup's CronJob.
	env := cron.Spec.JobTemplate.Spec.Template.Spec.Containers[0].Env
	if len(env) != 1 || env[0].Name != "JOB_NAME" || env[0].ValueFrom.FieldRef.FieldPath != "metadata.labels['batch.kubernetes.io/job-name']" {
		t.Fatalf("sliced-cronjob.yaml: JOB_NAME must come from the job-name label: %+v", env)
	}
	var job struct {
		Kind string
		Spec indexedJob
	}
	readManifest(t, "sliced-job.yaml", &job)
	if job.Kind != "Job" {
		t.Fatalf("sliced-job.yaml: kind %q", job.Kind)
	}
	jobArgs := checkIndexedJob(t, "sliced-job.yaml", job.Spec)

	host, port, _ := aerospiketest.TestCluster(t)
	client, err := as.NewClient(host, port)
	if err != nil {
		t.Fatal(err)
	}
	defer client.Close()
	if err := client.Truncate(nil, "test", "", nil); err != nil {
		t.Fatal(err)
	}
	time.Sleep(100 * time.Millisecond) // a real server truncates asynchronously
	if err := aerospiketest.SeedClient(client, "test", 1000, 7); err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	cfg := filepath.Join(dir, "aerobackup.yml")
	if err := os.WriteFile(cfg, []byte(fmt.Sprintf(`aerospike-clusters:
  prod:
    seed-nodes:
      - host-name: %s
        port: %d
storage:
  local:
    local-storage:
      path: %s
backup-policies:
  nightly:
    parallel: 2
backup-routines:
  prod:
    interval-cron: "0 0 2 * * ?"
    source-cluster: prod
    storage: local
    backup-policy: nightly
    namespaces: [test]
`, host, port, filepath.Join(dir, "backups"))), 0o644); err != nil {
		t.Fatal(err)
	}

	// The CronJob's Job is named after its scheduled minute; the plain Job
	// uses the run ID written in the manifest.
	jobName := fmt.Sprintf("aerobackup-prod-sliced-%d", time.Now().Unix()/60)
	for _, tc := range []struct {
		name  string
		args  []string
		pods  int
		runID string
	}{
		{"sliced-cronjob.yaml", cronArgs, cron.Spec.JobTemplate.Spec.Completions, ""},
		{"sliced-job.yaml", jobArgs, job.Spec.Completions, "1763712000000"},
	} {
		var key string
		for i := 0; i < tc.pods; i++ {
			args := make([]string, 0, len(tc.args)+1)
			for _, a := range tc.args {
				a = strings.ReplaceAll(a, "$(JOB_NAME)", jobName)
				if a == "/etc/aerobackup/aerobackup.yml" {
					a = cfg
				}
				if strings.HasPrefix(a, "--metrics-file=") {
					a = "--metrics-file=" + filepath.Join(dir, "aerobackup.prom")
				}
				args = append(args, a)
			}
			code, out, errOut := run(t, map[string]string{backupslice.IndexEnv: strconv.Itoa(i)}, args...)
			if code != 0 {
				t.Fatalf("%s: pod %d: exit %d: %s", tc.name, i, code, errOut)
			}
			if key != "" && strings.TrimSpace(out) != key {
				t.Fatalf("%s: pod %d wrote run %q, pod 0 wrote %q", tc.name, i, strings.TrimSpace(out), key)
			}
			key = strings.TrimSpace(out)
		}
		if tc.runID != "" && !strings.HasSuffix(key, "/"+tc.runID) {
			t.Errorf("%s: run %q, want folder %s", tc.name, key, tc.runID)
		}
		code, out, errOut := run(t, nil, "-c", cfg, "list", "--json")
		if code != 0 {
			t.Fatalf("list: %s", errOut)
		}
		var doc report.List
		if err := json.Unmarshal([]byte(out), &doc); err != nil {
			t.Fatal(err)
		}
		found := false
		for _, b := range doc.Backups {
			if b.Backup == key {
				found = true
				if b.RecordCount != 1000 {
					t.Errorf("%s: run %s holds %d records, want 1000", tc.name, key, b.RecordCount)
				}
			}
		}
		if !found || len(doc.Incomplete) != 0 {
			t.Errorf("%s: run %s not listed as one complete backup: %s", tc.name, key, out)
		}
	}
}
