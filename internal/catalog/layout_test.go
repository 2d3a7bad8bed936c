package catalog

import (
	"errors"
	"testing"
	"time"
)

func TestParseRunFolder(t *testing.T) {
	tests := []struct {
		name    string
		want    time.Time
		wantErr bool
	}{
		{"1763712000000", time.Date(2025, 11, 21, 8, 0, 0, 0, time.UTC), false},
		{"1763712000123_2025-11-21T08-00-00", time.Date(2025, 11, 21, 8, 0, 0, 123e6, time.UTC), false},
		{"1763712000000_21-Nov-2025-08-00-00", time.Date(2025, 11, 21, 8, 0, 0, 0, time.UTC), false},
		{"0", time.UnixMilli(0).UTC(), false},
		{"", time.Time{}, true},
		{"_suffix", time.Time{}, true},
		{"data", time.Time{}, true},
		{"12a4", time.Time{}, true},
		{"-1", time.Time{}, true},
		{"99999999999999999999", time.Time{}, true},
	}
	for _, tt := range tests {
		got, err := ParseRunFolder(tt.name)
		if (err != nil) != tt.wantErr {
			t.Errorf("ParseRunFolder(%q) error = %v, wantErr %v", tt.name, err, tt.wantErr)
			continue
		}
		if !got.Equal(tt.want) {
			t.Errorf("ParseRunFolder(%q) = %v, want %v", tt.name, got, tt.want)
		}
	}
}

func TestPaths(t *testing.T) {
	at := time.Date(2025, 11, 21, 9, 0, 0, 0, time.FixedZone("CET", 3600)) // 08:00 UTC
	run := RunDir("nightly", Full, at)
	checks := []struct{ got, want string }{
		{run, "nightly/backup/1763712000000"},
		{RunDir("nightly", Incremental, at.Add(1500*time.Microsecond)), "nightly/incremental/1763712000001"},
		{NamespaceDir(run, "test"), "nightly/backup/1763712000000/data/test"},
		{MetadataPath(NamespaceDir(run, "test")), "nightly/backup/1763712000000/data/test/metadata.yaml"},
		{ManifestPath(NamespaceDir(run, "test")), "nightly/backup/1763712000000/data/test/aerobackup.yaml"},
		{ConfigurationPath(run), "nightly/backup/1763712000000/configuration"},
		{ConfigurationFile(run, 2), "nightly/backup/1763712000000/configuration/aerospike_2.conf"},
	}
	for _, c := range checks {
		if c.got != c.want {
			t.Errorf("got %q, want %q", c.got, c.want)
		}
	}
}

func TestParseKey(t *testing.T) {
	at := time.UnixMilli(1763712000000).UTC()
	tests := []struct {
		in      string
		want    Key
		canon   string
		wantErr bool
	}{
		{in: "nightly/backup/1763712000000", want: Key{Routine: "nightly", Type: Full, Folder: "1763712000000", Time: at}, canon: "nightly/backup/1763712000000"},
		{in: "/nightly/incremental/1763712000000/", want: Key{Routine: "nightly", Type: Incremental, Folder: "1763712000000", Time: at}, canon: "nightly/incremental/1763712000000"},
		{in: "nightly/backup/1763712000000_2025-11-21T08-00-00", want: Key{Routine: "nightly", Type: Full, Folder: "1763712000000_2025-11-21T08-00-00", Time: at}, canon: "nightly/backup/1763712000000_2025-11-21T08-00-00"},
		// ABS's own per-namespace key.
		{in: "nightly/backup/1763712000000/data/test", want: Key{Routine: "nightly", Type: Full, Folder: "1763712000000", Time: at, Namespace: "test"}, canon: "nightly/backup/1763712000000"},
		// A routine literally named "data" is still a routine.
		{in: "data/backup/1763712000000", want: Key{Routine: "data", Type: Full, Folder: "1763712000000", Time: at}, canon: "data/backup/1763712000000"},
		{in: "", wantErr: true},
		{in: "backup/1763712000000", wantErr: true},
		{in: "nightly/full/1763712000000", wantErr: true},
		{in: "nightly/backup/latest", wantErr: true},
		{in: "../backup/1763712000000", wantErr: true},
		{in: "nightly//backup/1763712000000", wantErr: true},
		{in: "nightly/backup/1763712000000/data", wantErr: true},
	}
	for _, tt := range tests {
		got, err := ParseKey(tt.in)
		if tt.wantErr {
			if !errors.Is(err, ErrInvalidKey) {
				t.Errorf("ParseKey(%q) error = %v, want ErrInvalidKey", tt.in, err)
			}
			continue
		}
		if err != nil {
			t.Errorf("ParseKey(%q): %v", tt.in, err)
			continue
		}
		if got != tt.want {
			t.Errorf("ParseKey(%q) = %+v, want %+v", tt.in, got, tt.want)
		}
		if got.String() != tt.canon {
			t.Errorf("ParseKey(%q).String() = %q, want %q", tt.in, got.String(), tt.canon)
		}
	}
}

func TestParseType(t *testing.T) {
	for in, want := range map[string]Type{"full": Full, "FULL": Full, "incremental": Incremental, "incr": Incremental, "": AnyType, "any": AnyType} {
		if got, err := ParseType(in); err != nil || got != want {
			t.Errorf("ParseType(%q) = %q, %v; want %q", in, got, err, want)
		}
	}
	if _, err := ParseType("differential"); err == nil {
		t.Error("ParseType(differential) succeeded")
	}
}
