package routine

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"

	"github.com/aerobackup/aerobackup/internal/catalog"
	"github.com/aerobackup/aerobackup/internal/config"
	"github.com/aerobackup/aerobackup/internal/storage"
	"github.com/aerobackup/aerobackup/internal/storage/localstore"
)

const twoStorages = `aerospike-clusters:
  local:
    seed-nodes:
      - host-name: localhost
        port: 3000
storage:
  a:
    local-storage:
      path: %A%
  b:
    local-storage:
      path: %B%
backup-routines:
  daily:
    interval-cron: "@daily"
    source-cluster: local
    storage: a
    namespaces: [test]
  hourly:
    interval-cron: "@hourly"
    source-cluster: local
    storage: b
    namespaces: [test]
  weekly:
    interval-cron: "@weekly"
    source-cluster: local
    storage: a
    namespaces: [test]
`

// openRecorder opens each target's local storage and records the routine
// it was opened for; it fails for the routine named fail.
type openRecorder struct {
	opened []string
	closed int
	fail   string
}

func (o *openRecorder) open(_ context.Context, t *Target) (storage.Store, error) {
	if t.Name() == o.fail {
		return nil, errors.New("cannot open " + o.fail)
	}
	o.opened = append(o.opened, t.Name())
	st, err := localstore.New(t.Routine.Storage().Local.Path)
	return closeCounter{st, &o.closed}, err
}

type closeCounter struct {
	storage.Store
	n *int
}

func (c closeCounter) Close() error { *c.n++; return c.Store.Close() }

func TestOpenStores(t *testing.T) {
	dir := t.TempDir()
	a, b := filepath.Join(dir, "a"), filepath.Join(dir, "b")
	yml := filepath.Join(dir, "cfg.yml")
	body := []byte(replaceAll(twoStorages, "%A%", a, "%B%", b))
	if err := os.WriteFile(yml, body, 0o600); err != nil {
		t.Fatal(err)
	}
	// Resolve with a storage URL replaces the routine's in its config.
	cfg := func() *config.Config { return load(t, yml) }
	ctx := context.Background()

	cases := []struct {
		name         string
		cfg          bool
		req          Request
		routineGiven bool
		want         []Stores // Store left out
		opened       []string
	}{
		{"every routine grouped by storage", true, Request{}, false,
			[]Stores{{Name: "a", Routines: []string{"daily", "weekly"}}, {Name: "b", Routines: []string{"hourly"}}},
			[]string{"daily", "hourly"}},
		{"the routine asked", true, Request{Routine: "weekly"}, true,
			[]Stores{{Name: "a", Routines: []string{"weekly"}}}, []string{"weekly"}},
		{"a storage URL replaces the routine's", true, Request{Routine: "hourly", Storage: a}, false,
			[]Stores{{Name: a, Routines: []string{"hourly"}}}, []string{"hourly"}},
		{"ad hoc: every routine in the storage", false, Request{Storage: b}, false,
			[]Stores{{Name: b}}, []string{AdhocName}},
		{"ad hoc with a routine", false, Request{Routine: "x", Storage: b}, true,
			[]Stores{{Name: b, Routines: []string{"x"}}}, []string{"x"}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			o := &openRecorder{}
			conf := cfg()
			if !c.cfg {
				conf = nil
			}
			got, err := OpenStores(ctx, conf, c.req, c.routineGiven, o.open)
			if err != nil {
				t.Fatal(err)
			}
			for i := range got {
				got[i].Store = nil
			}
			if !reflect.DeepEqual(got, c.want) || !reflect.DeepEqual(o.opened, c.opened) {
				t.Errorf("got %+v opened %v, want %+v opened %v", got, o.opened, c.want, c.opened)
			}
		})
	}

	t.Run("a failure closes what was opened", func(t *testing.T) {
		o := &openRecorder{fail: "hourly"}
		got, err := OpenStores(ctx, cfg(), Request{}, false, o.open)
		if err == nil || got != nil || o.closed != 1 {
			t.Errorf("got %v, %v; opened %v closed %d, want an error and 1 closed", got, err, o.opened, o.closed)
		}
	})
	t.Run("an unknown routine is a request error", func(t *testing.T) {
		_, err := OpenStores(ctx, cfg(), Request{Routine: "nope"}, true, (&openRecorder{}).open)
		if err == nil {
			t.Error("want an error")
		}
	})
}

func replaceAll(s string, oldNew ...string) string {
	for i := 0; i+1 < len(oldNew); i += 2 {
		s = strings.ReplaceAll(s, oldNew[i], oldNew[i+1])
	}
	return s
}

func TestTargetBackups(t *testing.T) {
	dir := t.TempDir()
	yml := filepath.Join(dir, "cfg.yml")
	body := []byte(replaceAll(twoStorages, "%A%", filepath.Join(dir, "a"), "%B%", filepath.Join(dir, "b")))
	if err := os.WriteFile(yml, body, 0o600); err != nil {
		t.Fatal(err)
	}
	tg, err := Resolve(load(t, yml), Request{Routine: "daily"})
	if err != nil {
		t.Fatal(err)
	}
	rec := &openRecorder{}
	backups, err := tg.Backups(context.Background(), rec.open)
	if err != nil || len(backups) != 0 || rec.closed != 1 {
		t.Fatalf("an empty storage: %v %v, closed %d times, want no backups and one close", backups, err, rec.closed)
	}
	rec = &openRecorder{fail: "daily"}
	if _, err := tg.Backups(context.Background(), rec.open); err == nil || !strings.Contains(err.Error(), "cannot open daily") {
		t.Fatalf("a storage that does not open: %v", err)
	}
}

// Completion lists what it can read: a store that fails is passed over,
// and every store is closed.
func TestReadableBackups(t *testing.T) {
	ctx := context.Background()
	good, err := localstore.New(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	meta := []byte("created: 2026-11-21T10:00:00Z\nfinished: 2026-11-21T10:00:01Z\nnamespace: test\nrecord-count: 3\n")
	if err := good.WriteFile(ctx, "daily/backup/1763719200000/data/test/metadata.yaml", meta); err != nil {
		t.Fatal(err)
	}
	closed := 0
	stores := []Stores{
		{Name: "good", Store: closeCounter{good, &closed}, Routines: []string{"daily"}},
		{Name: "bad", Store: closeCounter{failingStore{good}, &closed}, Routines: []string{"daily"}},
	}
	got := ReadableBackups(ctx, stores)
	if len(got) != 1 || got[0].Key != "daily/backup/1763719200000" || closed != 2 {
		t.Errorf("got %+v, closed %d; want the one backup of the good store and both closed", got, closed)
	}
}

// Each store is scanned for its own routines; a store that fails stops
// the scan, named.
func TestScanStores(t *testing.T) {
	ctx := context.Background()
	st, err := localstore.New(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	meta := []byte("created: 2026-11-21T10:00:00Z\nfinished: 2026-11-21T10:00:01Z\nnamespace: test\nrecord-count: 3\n")
	for _, r := range []string{"daily", "weekly"} {
		if err := st.WriteFile(ctx, r+"/backup/1763719200000/data/test/metadata.yaml", meta); err != nil {
			t.Fatal(err)
		}
	}
	var got []string
	add := func(name string, l catalog.Listing) {
		for _, b := range l.Backups {
			got = append(got, name+" "+b.Key)
		}
	}
	stores := []Stores{{Name: "a", Store: st, Routines: []string{"weekly"}}, {Name: "b", Store: st}}
	if err := ScanStores(ctx, stores, catalog.Filter{Routines: []string{"ignored"}}, add); err != nil {
		t.Fatal(err)
	}
	want := []string{"a weekly/backup/1763719200000", "b daily/backup/1763719200000", "b weekly/backup/1763719200000"}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("got %q, want %q", got, want)
	}
	err = ScanStores(ctx, []Stores{{Name: "bad", Store: failingStore{st}}}, catalog.Filter{}, add)
	if err == nil || !strings.HasPrefix(err.Error(), "listing "+st.String()+": ") {
		t.Errorf("a failing store: %v", err)
	}
}

type failingStore struct{ storage.Store }

func (failingStore) ListDirs(context.Context, string) ([]string, error) {
	return nil, errors.New("access denied")
}

func (failingStore) List(context.Context, string) ([]storage.Object, error) {
	return nil, errors.New("access denied")
}

func TestTargetSecretAgent(t *testing.T) {
	var none *Target
	if none.SecretAgent() != nil || (&Target{}).SecretAgent() != nil {
		t.Error("a restore without a routine has no secret agent")
	}
}
