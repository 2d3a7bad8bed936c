package report

import (
	"bytes"
	"encoding/json"
	"testing"
	"time"

	"github.com/aerobackup/aerobackup/internal/catalog"
)

var t0 = time.Date(2026, 11, 21, 10, 0, 0, 0, time.UTC)

func nsBackup(routine string, typ catalog.Type, at time.Time, records, bytes uint64, namespaces ...string) catalog.Backup {
	key := routine + "/" + map[catalog.Type]string{catalog.Full: "backup", catalog.Incremental: "incremental"}[typ] +
		"/" + at.Format("150405")
	b := catalog.Backup{Routine: routine, Type: typ, Time: at, Key: key}
	for _, ns := range namespaces {
		b.Namespaces = append(b.Namespaces, catalog.NamespaceBackup{Namespace: ns, Dir: key + "/data/" + ns,
			Metadata: catalog.Metadata{Created: at, Finished: at.Add(1500 * time.Millisecond), Namespace: ns,
				RecordCount: records, ByteCount: bytes, Compression: "NONE", Encryption: "NONE"}})
	}
	return b
}

// Add makes a row per namespace (only of those asked for) and keeps the
// incomplete runs with their attempts; Sort orders the rows of several
// storages by time, routine and namespace.
func TestListAddSort(t *testing.T) {
	d := NewList()
	d.Add(catalog.Listing{
		Backups: []catalog.Backup{nsBackup("b", catalog.Full, t0, 5, 100, "test", "bar")},
		Incomplete: []catalog.Incomplete{{Routine: "b", Type: catalog.Full, Time: t0.Add(time.Hour), Path: "b/backup/x",
			Reason: "no metadata.yaml", Resume: &catalog.ResumeMarker{Attempts: 2}}},
	}, "local", []string{"test", "bar"})
	d.Add(catalog.Listing{Backups: []catalog.Backup{
		nsBackup("a", catalog.Incremental, t0.Add(time.Minute), 1, 10, "test", "skipped"),
		nsBackup("a", catalog.Full, t0, 7, 70, "test"),
	}}, "s3", []string{"test", "bar"})
	d.Sort()
	var got []string
	for _, r := range d.Backups {
		got = append(got, r.Storage+" "+r.Key)
	}
	want := []string{"s3 a/backup/100000/data/test", "local b/backup/100000/data/bar", "local b/backup/100000/data/test",
		"s3 a/incremental/100100/data/test"}
	if len(got) != len(want) {
		t.Fatalf("rows %q, want %q", got, want)
	}
	for i := range want {
		if got[i] != want[i] {
			t.Errorf("row %d: %q, want %q", i, got[i], want[i])
		}
	}
	if r := d.Backups[0]; r.Backup != "a/backup/100000" || r.RecordCount != 7 || r.Type != "full" || r.Compression != "NONE" {
		t.Errorf("row 0: %+v", r)
	}
	if len(d.Incomplete) != 1 || d.Incomplete[0].Attempts != 2 || d.Incomplete[0].Storage != "local" {
		t.Errorf("incomplete %+v", d.Incomplete)
	}
}

func TestListHuman(t *testing.T) {
	full := nsBackup("nightly", catalog.Full, t0, 1200, 3<<20, "test")
	tests := []struct {
		name           string
		listing        catalog.Listing
		stdout, stderr string
	}{
		{"empty", catalog.Listing{}, "", "no backups found\n"},
		{"backups", catalog.Listing{Backups: []catalog.Backup{full}},
			"CREATED               TYPE  ROUTINE  NAMESPACE  RECORDS  SIZE     DURATION  KEY\n" +
				"2026-11-21T10:00:00Z  full  nightly  test       1200     3.0 MiB  1.5s      nightly/backup/100000\n", ""},
		{"incomplete only", catalog.Listing{Incomplete: []catalog.Incomplete{
			{Routine: "nightly", Type: catalog.Incremental, Path: "nightly/incremental/x", Reason: "no metadata.yaml"},
			{Routine: "nightly", Type: catalog.Full, Time: t0, Path: "nightly/backup/1", Reason: "slice 2 of 2 missing"}}},
			"\nincomplete (not backups; never restored or built on):\n" +
				"STARTED               TYPE         ROUTINE  PATH                   REASON\n" +
				"-                     incremental  nightly  nightly/incremental/x  no metadata.yaml\n" +
				"2026-11-21T10:00:00Z  full         nightly  nightly/backup/1       slice 2 of 2 missing\n",
			"no backups found\n"},
	}
	for _, tt := range tests {
		d := NewList()
		d.Add(tt.listing, "local", nil)
		var out, errOut bytes.Buffer
		if err := d.Human(&out, &errOut); err != nil {
			t.Fatal(err)
		}
		if out.String() != tt.stdout || errOut.String() != tt.stderr {
			t.Errorf("%s: stdout\n%s\nstderr %q, want\n%s\nstderr %q", tt.name, out.String(), errOut.String(), tt.stdout, tt.stderr)
		}
	}
}

// No backups is [] in the document, and no incomplete runs leave the key out.
func TestListJSON(t *testing.T) {
	b, err := json.Marshal(NewList())
	if err != nil {
		t.Fatal(err)
	}
	if want := `{"type":"list","backups":[]}`; string(b) != want {
		t.Errorf("json %s, want %s", b, want)
	}
}

func TestHumanBytes(t *testing.T) {
	for n, want := range map[uint64]string{0: "0 B", 1023: "1023 B", 1024: "1.0 KiB", 1536: "1.5 KiB",
		5 << 30: "5.0 GiB", 1 << 60: "1.0 EiB"} {
		if got := humanBytes(n); got != want {
			t.Errorf("humanBytes(%d) = %q, want %q", n, got, want)
		}
	}
}

// A pinned backup's rows carry the pin; the PINNED column shows only when
// a row is pinned, and a pin of a backup not listed is ignored.
func TestListPins(t *testing.T) {
	pinned := nsBackup("a", catalog.Full, t0, 1, 1, "test")
	other := nsBackup("a", catalog.Incremental, t0.Add(time.Minute), 1, 1, "test")
	d := NewList()
	d.Add(catalog.Listing{Backups: []catalog.Backup{pinned, other}, Pins: map[string]catalog.Pin{
		pinned.Key:   {Key: pinned.Key, Reason: "legal hold", PinnedBy: "ops@h"},
		"a/backup/9": {Key: "a/backup/9"},
	}}, "local", nil)
	var out, errOut bytes.Buffer
	if err := d.Human(&out, &errOut); err != nil {
		t.Fatal(err)
	}
	lines := bytes.Split(bytes.TrimSpace(out.Bytes()), []byte("\n"))
	if len(lines) != 3 || !bytes.HasSuffix(lines[0], []byte(" PINNED")) ||
		!bytes.HasSuffix(lines[1], []byte("pinned: legal hold")) || !bytes.HasSuffix(lines[2], []byte(" -")) {
		t.Errorf("table:\n%s", out.String())
	}
	b, err := json.Marshal(d)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Contains(b, []byte(`"pinned":{"key":"a/backup/100000","reason":"legal hold",`)) || bytes.Count(b, []byte(`"pinned"`)) != 1 {
		t.Errorf("json %s", b)
	}
	d = NewList()
	d.Add(catalog.Listing{Backups: []catalog.Backup{other}}, "local", nil)
	out.Reset()
	if err := d.Human(&out, &errOut); err != nil || bytes.Contains(out.Bytes(), []byte("PINNED")) {
		t.Errorf("no pins, yet:\n%s", out.String())
	}
}
