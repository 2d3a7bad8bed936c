package config

import (
	"bytes"
	"os"
	"testing"
	"time"

	"gopkg.in/yaml.v3"
)

const calendarExample = "../../testdata/config/calendar-retention.yml"

func TestCalendarRetention(t *testing.T) {
	cfg, err := Load(calendarExample)
	if err != nil {
		t.Fatal(err)
	}
	p := cfg.BackupPolicies["nightly-policy"]
	if p.Calendar == nil {
		t.Fatal("nightly-policy: no calendar retention decoded")
	}
	if got, want := p.Calendar.Counts(), [6]int{0, 0, 7, 4, 12, -1}; got != want {
		t.Errorf("counts %v, want %v", got, want)
	}
	at := time.Date(2026, 12, 3, 0, 0, 0, 0, time.UTC)
	if got := p.Calendar.Within.Before(at); !got.Equal(at.AddDate(0, 0, -2)) {
		t.Errorf("keep-within 2d before %v = %v", at, got)
	}
	// ABS's own retention stays as it was.
	if r := p.Retention; r == nil || *r.Full != 7 || *r.Incremental != 2 {
		t.Errorf("retention = %+v", r)
	}
	if cfg.BackupPolicies["hourly-policy"].Calendar != nil {
		t.Error("hourly-policy got calendar retention it does not set")
	}
}

// absConfig stands for ABS's config model: it knows ABS's sections and
// nothing of aerobackup's.
type absConfig struct {
	AerospikeClusters map[string]any `yaml:"aerospike-clusters"`
	Storage           map[string]any `yaml:"storage"`
	BackupPolicies    map[string]struct {
		Parallel  *int `yaml:"parallel"`
		Retention *struct {
			Full        *int `yaml:"full"`
			Incremental *int `yaml:"incremental"`
		} `yaml:"retention"`
	} `yaml:"backup-policies"`
	BackupRoutines map[string]any `yaml:"backup-routines"`
}

// TestCalendarFileLoadsInABS decodes the file as ABS's loaders do: ABS
// main decodes one document with yaml.v3's Decoder and KnownFields(true)
// (pkg/dto), ABS v2 calls yaml.Unmarshal; both read the first document
// only, so aerobackup's second document is never seen.
func TestCalendarFileLoadsInABS(t *testing.T) {
	data, err := os.ReadFile(calendarExample)
	if err != nil {
		t.Fatal(err)
	}
	for name, decode := range map[string]func(*absConfig) error{
		"Decoder.KnownFields": func(c *absConfig) error {
			dec := yaml.NewDecoder(bytes.NewReader(data))
			dec.KnownFields(true)
			return dec.Decode(c)
		},
		"Unmarshal": func(c *absConfig) error { return yaml.Unmarshal(data, c) },
	} {
		var c absConfig
		if err := decode(&c); err != nil {
			t.Errorf("%s: %v", name, err)
			continue
		}
		if r := c.BackupPolicies["nightly-policy"].Retention; r == nil || *r.Full != 7 || len(c.BackupRoutines) != 2 {
			t.Errorf("%s: decoded %+v", name, c)
		}
	}
	// The same settings inside ABS's own section would make ABS refuse
	// the file: that is why they live in the second document.
	inline := []byte("backup-policies:\n  p:\n    keep-daily: 7\n")
	dec := yaml.NewDecoder(bytes.NewReader(inline))
	dec.KnownFields(true)
	var c absConfig
	if err := dec.Decode(&c); err == nil {
		t.Error("ABS's strict decoding accepted keep-daily inside backup-policies")
	}
}

func TestCalendarSecondDocumentOptional(t *testing.T) {
	base := "aerospike-clusters:\n  c:\n    seed-nodes: [{host-name: h, port: 3000}]\nstorage:\n  s:\n    local-storage: {path: /b}\n" +
		"backup-policies:\n  p:\n    retention: {full: 2}\nbackup-routines:\n  r:\n    interval-cron: \"@daily\"\n" +
		"    source-cluster: c\n    storage: s\n    backup-policy: p\n    namespaces: [test]\n"
	for _, tail := range []string{"", "---\n", "---\n# nothing yet\n"} {
		cfg, err := Parse("f.yml", []byte(base+tail))
		if err != nil {
			t.Errorf("%q: %v", tail, err)
			continue
		}
		if cfg.BackupPolicies["p"].Calendar != nil {
			t.Errorf("%q: calendar retention from nowhere", tail)
		}
	}
}
