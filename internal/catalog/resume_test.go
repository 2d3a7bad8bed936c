package catalog

import (
	"context"
	"testing"
	"time"

	"github.com/aerobackup/aerobackup/internal/storage"
)

// putResumable writes an interrupted resumable run: data files and a
// marker, no metadata.yaml; done namespaces carry pending metadata.
func putResumable(t *testing.T, s storage.Store, routine string, typ Type, at time.Time, status ResumeStatus, namespaces, done []string) string {
	t.Helper()
	ctx := context.Background()
	run := RunDir(routine, typ, at)
	m := &ResumeMarker{Routine: routine, Type: typ, Created: at, Status: status, Attempts: 1,
		Compression: CompressionNone, Encryption: EncryptionNone}
	for _, ns := range namespaces {
		m.Namespaces = append(m.Namespaces, ResumeNamespace{Name: ns})
		if err := s.WriteFile(ctx, NamespaceDir(run, ns)+"/0_"+ns+"_1.asb", []byte("Version 3.1\n")); err != nil {
			t.Fatal(err)
		}
	}
	for _, ns := range done {
		if err := s.WriteFile(ctx, PendingMetadataPath(NamespaceDir(run, ns)), []byte("namespace: "+ns+"\n")); err != nil {
			t.Fatal(err)
		}
	}
	if err := s.WriteFile(ctx, ResumePath(run), mustYAML(t, m)); err != nil {
		t.Fatal(err)
	}
	return run
}

func mustYAML(t *testing.T, m *ResumeMarker) []byte {
	t.Helper()
	s := newStore(t)
	if err := WriteResumeMarker(context.Background(), s, "x", m); err != nil {
		t.Fatal(err)
	}
	data, err := s.ReadFile(context.Background(), ResumePath("x"))
	if err != nil {
		t.Fatal(err)
	}
	return data
}

func TestScanResumable(t *testing.T) {
	ctx := context.Background()
	s := newStore(t)
	putRun(t, s, "nightly", Full, ms(1000), time.Time{}, "test")
	run := putResumable(t, s, "nightly", Full, ms(2000), ResumeInterrupted, []string{"bar", "test"}, []string{"bar"})
	l, err := Scan(ctx, s, Filter{})
	if err != nil {
		t.Fatal(err)
	}
	// Not a backup, not even the namespace that is done: the run lists as
	// one backup only once it is finished.
	if got := keys(l.Backups); len(got) != 1 || got[0] != "nightly/backup/1000" {
		t.Fatalf("backups = %v", got)
	}
	if len(l.Incomplete) != 2 {
		t.Fatalf("incomplete = %+v", l.Incomplete)
	}
	for _, inc := range l.Incomplete {
		if inc.Reason != ResumableReason || inc.Run != run || inc.Resume == nil || inc.Resume.Attempts != 1 {
			t.Errorf("incomplete %+v", inc)
		}
	}
	// Every incremental base comes from the complete full only.
	if base, ok := IncrementalBase(l.Backups, "bar"); ok {
		t.Errorf("bar has an incremental base %v from an unfinished run", base)
	}

	r, ok := FindResumable(l, "nightly", Full)
	if !ok || r.Key != run {
		t.Fatalf("FindResumable = %+v, %v", r, ok)
	}
	if _, ok := FindResumable(l, "nightly", Incremental); ok {
		t.Error("an incremental resumable run found where there is none")
	}
}

func TestFindResumableNewerThanBackups(t *testing.T) {
	ctx := context.Background()
	s := newStore(t)
	putResumable(t, s, "nightly", Full, ms(1000), ResumeInterrupted, []string{"test"}, nil)
	putRun(t, s, "nightly", Incremental, ms(1500), ms(500), "test")
	newer := putResumable(t, s, "nightly", Full, ms(3000), ResumeRunning, []string{"test"}, nil)
	putResumable(t, s, "nightly", Full, ms(2000), ResumeInterrupted, []string{"test"}, nil)

	l, err := Scan(ctx, s, Filter{})
	if err != nil {
		t.Fatal(err)
	}
	r, ok := FindResumable(l, "nightly", Full)
	if !ok || r.Key != newer || r.Marker.Status != ResumeRunning {
		t.Fatalf("FindResumable = %+v, %v; want %s", r, ok, newer)
	}

	// A backup newer than every resumable run leaves nothing to resume.
	putRun(t, s, "nightly", Incremental, ms(4000), ms(1500), "test")
	l, err = Scan(ctx, s, Filter{})
	if err != nil {
		t.Fatal(err)
	}
	if r, ok := FindResumable(l, "nightly", Full); ok {
		t.Fatalf("FindResumable = %+v; want none (a newer backup exists)", r)
	}
	for _, inc := range l.Incomplete {
		if inc.Resume == nil {
			t.Errorf("%s: marker not read", inc.Path)
		}
	}
}

func TestScanNoMarkerKeepsReason(t *testing.T) {
	ctx := context.Background()
	s := newStore(t)
	if err := s.WriteFile(ctx, "nightly/backup/1000/data/test/0_test_1.asb", []byte("x")); err != nil {
		t.Fatal(err)
	}
	l, err := Scan(ctx, s, Filter{})
	if err != nil {
		t.Fatal(err)
	}
	if len(l.Incomplete) != 1 || l.Incomplete[0].Resume != nil ||
		l.Incomplete[0].Reason != "no metadata.yaml (failed, interrupted or still running)" {
		t.Fatalf("incomplete = %+v", l.Incomplete)
	}
	if _, ok := FindResumable(l, "nightly", Full); ok {
		t.Error("a run without a marker is resumable")
	}
}
