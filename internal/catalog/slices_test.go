package catalog

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/aerobackup/aerobackup/internal/backupslice"
	"github.com/aerobackup/aerobackup/internal/storage"
)

// putSlice writes one slice of a run as backupjob does: its data file,
// then its record.
func putSlice(t *testing.T, s storage.Store, nsDir string, spec backupslice.Spec, created time.Time, records uint64) {
	t.Helper()
	ctx := context.Background()
	name := spec.FilePrefix() + "test_1.asb"
	if err := s.WriteFile(ctx, nsDir+"/"+name, []byte("Version 3.1\n")); err != nil {
		t.Fatal(err)
	}
	rec := &SliceRecord{Slice: spec.Index, Slices: spec.Count, Partitions: "0-1",
		Metadata: Metadata{Created: created, Finished: created.Add(time.Duration(records) * time.Millisecond),
			Namespace: "test", RecordCount: records, ByteCount: 10 * records, FileCount: 1,
			SecondaryIndexCount: map[bool]uint64{true: 2}[spec.CarriesMetadata()], Compression: "NONE", Encryption: "NONE"},
		Manifest: Manifest{Tool: "aerobackup", Routine: "nightly", Type: Full, Namespace: "test", To: created,
			Files: []ManifestEntry{{Name: name, Size: 12, SHA256: "x"}}}}
	if err := WriteSliceRecord(ctx, s, nsDir, rec); err != nil {
		t.Fatal(err)
	}
}

func TestSlicesListIncompleteUntilAllDone(t *testing.T) {
	ctx := context.Background()
	s := newStore(t)
	run := "nightly/backup/1000"
	nsDir := NamespaceDir(run, "test")
	base := ms(1000)
	putSlice(t, s, nsDir, backupslice.Spec{Index: 2, Count: 3}, base.Add(2*time.Second), 30)
	putSlice(t, s, nsDir, backupslice.Spec{Index: 0, Count: 3}, base.Add(time.Second), 10)

	l, err := Scan(ctx, s, Filter{})
	if err != nil {
		t.Fatal(err)
	}
	if len(l.Backups) != 0 || len(l.Incomplete) != 1 {
		t.Fatalf("2 of 3 slices: %+v", l)
	}
	if r := l.Incomplete[0].Reason; !strings.Contains(r, "2 of 3 slices complete (missing slice 1;") {
		t.Errorf("reason %q", r)
	}
	_, err = LoadMetadata(ctx, s, nsDir)
	var inc *IncompleteSlicesError
	if !errors.As(err, &inc) || !errors.Is(err, storage.ErrNotFound) {
		t.Errorf("LoadMetadata of an incomplete run: %v", err)
	}
	if done, err := FinishSlices(ctx, s, nsDir); done || err != nil {
		t.Errorf("FinishSlices of 2 of 3 = %v, %v", done, err)
	}

	// The last slice's merge cut short: the records alone make a backup.
	putSlice(t, s, nsDir, backupslice.Spec{Index: 1, Count: 3}, base.Add(3*time.Second), 20)
	l, err = Scan(ctx, s, Filter{})
	if err != nil {
		t.Fatal(err)
	}
	if len(l.Backups) != 1 || len(l.Incomplete) != 0 {
		t.Fatalf("3 of 3 slices: %+v", l)
	}
	md := l.Backups[0].Namespaces[0].Metadata
	if md.RecordCount != 60 || md.ByteCount != 600 || md.FileCount != 3 || md.SecondaryIndexCount != 2 ||
		!md.Created.Equal(base.Add(time.Second)) || !md.Finished.Equal(base.Add(3*time.Second+20*time.Millisecond)) {
		t.Errorf("merged metadata %+v", md)
	}

	// FinishSlices writes what list merged, and the manifest of all files.
	if done, err := FinishSlices(ctx, s, nsDir); !done || err != nil {
		t.Fatalf("FinishSlices = %v, %v", done, err)
	}
	got, err := ReadMetadata(ctx, s, nsDir)
	if err != nil || *got != md {
		t.Errorf("metadata.yaml = %+v, %v; want %+v", got, err, md)
	}
	man, err := ReadManifest(ctx, s, nsDir)
	if err != nil || man.Slices != 3 || len(man.Files) != 3 || !man.To.Equal(base.Add(time.Second)) {
		t.Errorf("manifest = %+v, %v", man, err)
	}
}

func TestSlicesThatDisagree(t *testing.T) {
	ctx := context.Background()
	s := newStore(t)
	nsDir := NamespaceDir("nightly/backup/1000", "test")
	putSlice(t, s, nsDir, backupslice.Spec{Index: 0, Count: 2}, ms(1000), 1)
	putSlice(t, s, nsDir, backupslice.Spec{Index: 1, Count: 3}, ms(1000), 1)
	set, err := ReadSlices(ctx, s, nsDir)
	if err != nil {
		t.Fatal(err)
	}
	if set.Complete() || !strings.Contains(set.Reason(), "disagree on the number of slices") {
		t.Errorf("mixed slice counts: complete %v, reason %q", set.Complete(), set.Reason())
	}
	l, err := Scan(ctx, s, Filter{})
	if err != nil || len(l.Backups) != 0 || len(l.Incomplete) != 1 {
		t.Errorf("listing %+v, %v", l, err)
	}

	// Settings that differ between slices make no backup either.
	s2 := newStore(t)
	putSlice(t, s2, nsDir, backupslice.Spec{Index: 0, Count: 2}, ms(1000), 1)
	rec := &SliceRecord{Slice: 1, Slices: 2, Metadata: Metadata{Created: ms(1000), Finished: ms(2000), Namespace: "test",
		Compression: "ZSTD", Encryption: "NONE"}}
	if err := WriteSliceRecord(ctx, s2, nsDir, rec); err != nil {
		t.Fatal(err)
	}
	if _, err := LoadMetadata(ctx, s2, nsDir); !errors.Is(err, ErrBadMetadata) {
		t.Errorf("LoadMetadata of slices with other settings: %v", err)
	}
	l, err = Scan(ctx, s2, Filter{})
	if err != nil || len(l.Backups) != 0 || len(l.Incomplete) != 1 {
		t.Errorf("listing %+v, %v", l, err)
	}
	if _, err := FinishSlices(ctx, s2, nsDir); err == nil {
		t.Error("FinishSlices merged slices with other settings")
	}
}
