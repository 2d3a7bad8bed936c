package verify

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/aerobackup/aerobackup/internal/catalog"
	"github.com/aerobackup/aerobackup/internal/storage"
	"github.com/aerobackup/aerobackup/internal/storage/localstore"
)

// putNS stores a namespace's metadata.yaml of a nightly run.
func putNS(t *testing.T, s storage.Store, typ catalog.Type, created time.Time, ns string, records uint64) {
	t.Helper()
	dir := catalog.NamespaceDir(catalog.RunDir("nightly", typ, created), ns)
	md := &catalog.Metadata{Created: created, Finished: created.Add(time.Second), Namespace: ns, RecordCount: records}
	if typ == catalog.Incremental {
		md.From = created.Add(-time.Hour)
	}
	if err := catalog.WriteMetadata(context.Background(), s, dir, md); err != nil {
		t.Fatal(err)
	}
}

func TestCheckStoreAlsoIn(t *testing.T) {
	now := t0.Add(2 * time.Hour)
	newest := catalog.RunDir("nightly", catalog.Incremental, t0.Add(time.Hour))
	tests := []struct {
		name   string
		copy   func(t *testing.T, s storage.Store) // fills the copy
		ok     bool
		reason string
	}{
		{"complete copy", func(t *testing.T, s storage.Store) {
			putNS(t, s, catalog.Full, t0, "a", 10)
			putNS(t, s, catalog.Incremental, t0.Add(time.Hour), "a", 1)
			putNS(t, s, catalog.Incremental, t0.Add(time.Hour), "b", 2)
		}, true, `10 records; also in storage "copy"`},
		{"empty copy", func(*testing.T, storage.Store) {}, false, `routine "nightly": newest backup ` + newest + ` is not in storage "copy"`},
		{"only the full there", func(t *testing.T, s storage.Store) { putNS(t, s, catalog.Full, t0, "a", 10) },
			false, `is not in storage "copy"`},
		{"a namespace missing", func(t *testing.T, s storage.Store) {
			putNS(t, s, catalog.Incremental, t0.Add(time.Hour), "a", 1)
		}, false, `newest backup ` + newest + ` is incomplete in storage "copy": lacking namespace(s) [b]`},
		{"other counts", func(t *testing.T, s storage.Store) {
			putNS(t, s, catalog.Incremental, t0.Add(time.Hour), "a", 1)
			putNS(t, s, catalog.Incremental, t0.Add(time.Hour), "b", 7)
		}, false, `storage "copy": backup ` + newest + ` namespace "b": the destination's metadata.yaml records 7 records`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			src, _ := localstore.New(t.TempDir())
			putNS(t, src, catalog.Full, t0, "a", 10)
			putNS(t, src, catalog.Incremental, t0.Add(time.Hour), "a", 1)
			putNS(t, src, catalog.Incremental, t0.Add(time.Hour), "b", 2)
			dir := t.TempDir()
			dst, _ := localstore.New(dir)
			tt.copy(t, dst)
			also := []AlsoIn{{Name: "copy", Open: func(context.Context) (storage.Store, error) { return localstore.New(dir) }}}
			f, err := CheckStoreAlsoIn(context.Background(), src, "nightly", nil, now, 24*time.Hour, 0, also)
			if err != nil {
				t.Fatal(err)
			}
			if tt.ok && f.Copies[0].Reason != `newest backup `+newest+` is complete in storage "copy"` {
				t.Errorf("copy's reason %q", f.Copies[0].Reason)
			}
			if f.OK != tt.ok || len(f.Copies) != 1 || f.Copies[0].OK != tt.ok || f.Copies[0].Storage != "copy" ||
				f.Copies[0].Key != newest || !strings.Contains(f.Reason, tt.reason) {
				t.Errorf("ok %v reason %q copies %+v\nwant ok %v, reason containing %q", f.OK, f.Reason, f.Copies, tt.ok, tt.reason)
			}
		})
	}
}

func TestCheckStoreAlsoInKeepsTheFirstFailure(t *testing.T) {
	src, _ := localstore.New(t.TempDir())
	putNS(t, src, catalog.Full, t0, "a", 10)
	empty := AlsoIn{Name: "copy", Open: func(context.Context) (storage.Store, error) { return localstore.New(t.TempDir()) }}
	f, err := CheckStoreAlsoIn(context.Background(), src, "nightly", nil, t0.Add(48*time.Hour), 24*time.Hour, 0, []AlsoIn{empty})
	if err != nil || f.OK || !strings.Contains(f.Reason, "not younger than --max-age") || len(f.Copies) != 1 || f.Copies[0].OK {
		t.Errorf("stale and not copied: %+v, %v", f, err)
	}
	broken := AlsoIn{Name: "gone", Open: func(context.Context) (storage.Store, error) { return nil, errors.New("storage \"gone\": unreachable") }}
	if _, err := CheckStoreAlsoIn(context.Background(), src, "nightly", nil, t0, 24*time.Hour, 0, []AlsoIn{broken}); err == nil ||
		err.Error() != `storage "gone": unreachable` {
		t.Errorf("an unreachable copy: %v", err)
	}
}
