package config

import (
	"os"
	"path/filepath"
	"reflect"
	"testing"
)

const choicesYAML = `aerospike-clusters:
  prod:
    seed-nodes:
      - {host-name: db1, port: 3000}
      - {host-name: db2, port: 3001}
  staging:
    seed-nodes:
      - {host-name: db3, port: 3100}
storage:
  local:
    local-storage: {path: /var/backups}
  cloud:
    s3-storage: {bucket: bkt, path: /aerospike/, s3-region: eu-west-1}
  gcs:
    gcp-storage: {bucket-name: gb}
  blob:
    azure-storage: {container-name: ctr, path: p, endpoint: "http://127.0.0.1:10000"}
backup-routines:
  nightly: {interval-cron: "@daily", source-cluster: prod, storage: local, namespaces: [test]}
  hourly: {interval-cron: "@hourly", source-cluster: staging, storage: cloud, namespaces: [test]}
`

func TestChoices(t *testing.T) {
	cfg, err := Parse("c.yml", []byte(choicesYAML))
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name string
		got  []Choice
		want []Choice
	}{
		{"routines", cfg.RoutineChoices(""), []Choice{
			{"hourly", "staging to cloud, @hourly"}, {"nightly", "prod to local, @daily"}}},
		{"routines by prefix", cfg.RoutineChoices("n"), []Choice{{"nightly", "prod to local, @daily"}}},
		{"routines none", cfg.RoutineChoices("x"), nil},
		{"clusters", cfg.ClusterChoices(""), []Choice{{"prod", "db1:3000,db2:3001"}, {"staging", "db3:3100"}}},
		{"clusters by prefix", cfg.ClusterChoices("st"), []Choice{{"staging", "db3:3100"}}},
		{"storage as URLs, sorted", cfg.StorageChoices(""), []Choice{
			{"/var/backups", "storage local"}, {"azblob://ctr/p", "storage blob"},
			{"gs://gb", "storage gcs"}, {"s3://bkt/aerospike", "storage cloud"}}},
		{"storage by URL prefix", cfg.StorageChoices("s3"), []Choice{{"s3://bkt/aerospike", "storage cloud"}}},
	}
	for _, tt := range tests {
		if !reflect.DeepEqual(tt.got, tt.want) {
			t.Errorf("%s: %q, want %q", tt.name, tt.got, tt.want)
		}
	}
	if u := (&Storage{}).URL(); u != "" {
		t.Errorf("storage of no kind: URL %q, want none", u)
	}
}

func TestRoutinesByStorage(t *testing.T) {
	cfg, err := Parse("c.yml", []byte(choicesYAML+`  weekly: {interval-cron: "@weekly", source-cluster: prod, storage: local, namespaces: [test]}
`))
	if err != nil {
		t.Fatal(err)
	}
	want := []StorageRoutines{{"cloud", []string{"hourly"}}, {"local", []string{"nightly", "weekly"}}}
	if got := cfg.RoutinesByStorage(); !reflect.DeepEqual(got, want) {
		t.Errorf("got %+v, want %+v", got, want)
	}
	if got := (&Config{}).RoutinesByStorage(); len(got) != 0 {
		t.Errorf("no routines: %+v", got)
	}
}

// A config offers its choices when it loads; a missing or broken one
// offers nothing, without an error.
func TestOffered(t *testing.T) {
	dir := t.TempDir()
	good, bad := filepath.Join(dir, "good.yml"), filepath.Join(dir, "bad.yml")
	if err := os.WriteFile(good, []byte(choicesYAML), 0o600); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(bad, []byte("backup-routines: [\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	if cfg := Offered(good); cfg == nil || len(cfg.RoutineChoices("")) != 2 {
		t.Errorf("a config that loads: %v", cfg)
	}
	for _, f := range []string{bad, filepath.Join(dir, "missing.yml")} {
		if cfg := Offered(f); cfg != nil {
			t.Errorf("%s: %v, want nil", f, cfg)
		}
	}
}
