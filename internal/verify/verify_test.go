package verify

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/aerospike/backup-go"

	"github.com/aerobackup/aerobackup/internal/aerospiketest"
	"github.com/aerobackup/aerobackup/internal/backupjob"
	"github.com/aerobackup/aerobackup/internal/catalog"
	"github.com/aerobackup/aerobackup/internal/checksum"
	"github.com/aerobackup/aerobackup/internal/cluster"
	"github.com/aerobackup/aerobackup/internal/logging"
	"github.com/aerobackup/aerobackup/internal/routine"
	"github.com/aerobackup/aerobackup/internal/storage/localstore"
)

var t0 = time.UnixMilli(1763712000000).UTC()

// fixture writes real backups with backupjob into a fresh folder. The
// backups are made once per test binary and copied per test.
type fixture struct {
	root string
	// keys of the full and the incremental after it
	full, incr string
	// fullAt is the full's start, the incremental's lower bound: t0 on the
	// in-process server, the wall clock on a real one
	fullAt time.Time
}

var template struct {
	root       string
	full, incr string
	fullAt     time.Time
}

func TestMain(m *testing.M) {
	code := m.Run()
	if template.root != "" {
		_ = os.RemoveAll(template.root)
	}
	os.Exit(code)
}

func writeBackups(t *testing.T) fixture {
	t.Helper()
	if template.root == "" {
		dir, err := os.MkdirTemp("", "verify-test")
		if err != nil {
			t.Fatal(err)
		}
		host, port, srv := aerospiketest.TestCluster(t)
		ctx := context.Background()
		conn, err := cluster.Connect(ctx, cluster.Settings{Seeds: []cluster.Seed{{Host: host, Port: port}}}, logging.Discard())
		if err != nil {
			t.Fatal(err)
		}
		defer conn.Close()
		// at sets the in-process server's clock; a real server keeps its
		// own (this machine's), so the runs take wall-clock times a few
		// milliseconds apart from the writes around them.
		at := func(inProcess time.Time) time.Time {
			if srv != nil {
				srv.SetTime(inProcess)
				return inProcess
			}
			time.Sleep(5 * time.Millisecond)
			now := time.Now().UTC().Truncate(time.Millisecond)
			time.Sleep(5 * time.Millisecond)
			return now
		}
		seed := func(n int, seed int64) {
			if err := aerospiketest.SeedCluster(conn.Aerospike, srv, "test", n, seed); err != nil {
				t.Fatal(err)
			}
		}
		if err := aerospiketest.EmptyNamespaces(conn.Aerospike, "test"); err != nil {
			t.Fatal(err)
		}
		store, err := localstore.New(dir)
		if err != nil {
			t.Fatal(err)
		}
		run := func(typ catalog.Type, start, from time.Time) string {
			cfg := backup.NewDefaultBackupConfig()
			cfg.ParallelRead, cfg.ParallelWrite = 2, 2
			cfg.FileLimit = 64 * 1024
			job := &backupjob.Job{Store: store, Conn: conn, Routine: "nightly", Type: typ, Start: start, Until: start,
				Namespaces: []backupjob.Namespace{{Name: "test", Config: cfg, From: from}}, Log: logging.Discard(), ToolVersion: "test"}
			res, err := job.Run(ctx)
			if err != nil {
				t.Fatal(err)
			}
			return res.Key
		}
		at(t0.Add(-time.Hour))
		seed(2000, 1)
		fullAt := at(t0)
		template.full = run(catalog.Full, fullAt, time.Time{})
		at(t0.Add(10 * time.Minute))
		seed(100, 2)
		template.incr = run(catalog.Incremental, at(t0.Add(time.Hour)), fullAt)
		template.root, template.fullAt = dir, fullAt
	}
	root := t.TempDir()
	if err := os.CopyFS(root, os.DirFS(template.root)); err != nil {
		t.Fatal(err)
	}
	return fixture{root: root, full: template.full, incr: template.incr, fullAt: template.fullAt}
}

func (f fixture) nsDir(key string) string {
	return filepath.Join(f.root, filepath.FromSlash(catalog.NamespaceDir(key, "test")))
}

// asbFiles lists the .asb files of a backup's namespace folder.
func (f fixture) asbFiles(t *testing.T, key string) []string {
	t.Helper()
	m, err := filepath.Glob(filepath.Join(f.nsDir(key), "*.asb"))
	if err != nil || len(m) == 0 {
		t.Fatalf("no .asb files in %s: %v", key, err)
	}
	slices.Sort(m)
	return m
}

func (f fixture) run(t *testing.T, o Options) []Result {
	t.Helper()
	store, err := localstore.New(f.root)
	if err != nil {
		t.Fatal(err)
	}
	res, err := Run(context.Background(), store, o)
	if err != nil {
		t.Fatal(err)
	}
	return res
}

func find(t *testing.T, rs []Result, key string) Result {
	t.Helper()
	for _, r := range rs {
		if r.Key == key {
			return r
		}
	}
	t.Fatalf("no result for %s in %+v", key, rs)
	return Result{}
}

func rel(f fixture, p string) string {
	r, _ := filepath.Rel(f.root, p)
	return filepath.ToSlash(r)
}

func TestIntactBackupsVerify(t *testing.T) {
	f := writeBackups(t)
	for _, readData := range []bool{false, true} {
		rs := f.run(t, Options{ReadData: readData})
		if len(rs) != 2 {
			t.Fatalf("want 2 results, got %+v", rs)
		}
		for _, r := range rs {
			if r.Status != OK || !r.Checksums {
				t.Errorf("read-data %v: %s: %s %v", readData, r.Key, r.Status, r.Problems)
			}
			if readData && (r.FilesRead != r.Files || r.RecordsRead != r.RecordsExpected || r.RecordsRead == 0) {
				t.Errorf("%s: read %d of %d files, %d of %d records", r.Key, r.FilesRead, r.Files, r.RecordsRead, r.RecordsExpected)
			}
		}
		if full := find(t, rs, f.full); full.RecordsExpected != 2000 {
			t.Errorf("full record-count %d, want 2000", full.RecordsExpected)
		}
	}
}

// Every way to damage a backup: verify names the file and the fault.
func TestDamageIsNamed(t *testing.T) {
	flip := func(p string) error {
		b, err := os.ReadFile(p)
		if err != nil {
			return err
		}
		b[len(b)/2] ^= 0x20
		return os.WriteFile(p, b, 0o644)
	}
	cases := []struct {
		name     string
		readData bool
		damage   func(t *testing.T, f fixture) string // returns the file to name
		status   Status
		fault    string
	}{
		{"truncated asb", false, func(t *testing.T, f fixture) string {
			p := f.asbFiles(t, f.full)[0]
			st, _ := os.Stat(p)
			must(t, os.Truncate(p, st.Size()/2))
			return p
		}, Corrupt, `truncated: \d+ bytes, the manifest says \d+`},
		{"truncated asb decodes short", true, func(t *testing.T, f fixture) string {
			p := f.asbFiles(t, f.full)[0]
			st, _ := os.Stat(p)
			must(t, os.Truncate(p, st.Size()-7))
			return p
		}, Corrupt, `truncated`},
		{"flipped byte, same size", true, func(t *testing.T, f fixture) string {
			p := f.asbFiles(t, f.full)[1]
			must(t, flip(p))
			return p
		}, Corrupt, `checksum mismatch: CRC32C [0-9a-f]{8}, the manifest says [0-9a-f]{8}$`},
		{"flipped byte passes without --read-data", false, func(t *testing.T, f fixture) string {
			must(t, flip(f.asbFiles(t, f.full)[1]))
			return ""
		}, OK, ``},
		{"missing file", false, func(t *testing.T, f fixture) string {
			p := f.asbFiles(t, f.full)[0]
			must(t, os.Remove(p))
			return p
		}, Incomplete, `missing \(the manifest lists it, \d+ bytes\)`},
		{"extra garbage appended", true, func(t *testing.T, f fixture) string {
			p := f.asbFiles(t, f.full)[0]
			fh, err := os.OpenFile(p, os.O_APPEND|os.O_WRONLY, 0)
			must(t, err)
			_, err = fh.WriteString("garbage\x00\x01\n")
			must(t, err)
			must(t, fh.Close())
			return p
		}, Corrupt, `wrong size: \d+ bytes, the manifest says \d+ \(extra data\)`},
		{"extra file", false, func(t *testing.T, f fixture) string {
			p := filepath.Join(f.nsDir(f.full), "9_extra.asb")
			must(t, os.WriteFile(p, []byte("Version 3.1\n"), 0o644))
			return p
		}, Corrupt, `not in the manifest`},
		{"wrong size in the manifest", false, func(t *testing.T, f fixture) string {
			mp := filepath.Join(f.nsDir(f.full), catalog.ManifestFile)
			b, err := os.ReadFile(mp)
			must(t, err)
			b = regexp.MustCompile(`size: (\d+)`).ReplaceAll(b, []byte("size: 1${1}"))
			must(t, os.WriteFile(mp, b, 0o644))
			return f.asbFiles(t, f.full)[0]
		}, Corrupt, `truncated: \d+ bytes, the manifest says 1\d+`},
		{"metadata missing", false, func(t *testing.T, f fixture) string {
			p := filepath.Join(f.nsDir(f.full), catalog.MetadataFile)
			must(t, os.Remove(p))
			return p
		}, Incomplete, `missing \(the backup failed`},
		{"metadata garbled", false, func(t *testing.T, f fixture) string {
			p := filepath.Join(f.nsDir(f.full), catalog.MetadataFile)
			must(t, os.WriteFile(p, []byte("created: [not a time\n"), 0o644))
			return p
		}, Corrupt, `unreadable`},
		{"metadata record-count wrong", true, func(t *testing.T, f fixture) string {
			p := filepath.Join(f.nsDir(f.full), catalog.MetadataFile)
			b, err := os.ReadFile(p)
			must(t, err)
			must(t, os.WriteFile(p, []byte(strings.Replace(string(b), "record-count: 2000", "record-count: 2001", 1)), 0o644))
			return p
		}, Corrupt, `record-count is 2001 but the files hold 2000 records`},
		{"partition ranges wrong in the manifest", true, func(t *testing.T, f fixture) string {
			return movePartitions(t, f, catalog.PartitionRange{Begin: 2048, Count: 2048})
		}, Corrupt, `^record of partition ([0-9]|[1-9][0-9]{1,2}|1[0-9]{3}|20[0-3][0-9]|204[0-7]) outside the file's recorded partitions 2048\.\.4095 \(\d+ such records`},
		{"partition ranges wrong pass without --read-data", false, func(t *testing.T, f fixture) string {
			movePartitions(t, f, catalog.PartitionRange{Begin: 2048, Count: 2048})
			return ""
		}, OK, ``},
		{"manifest garbled", false, func(t *testing.T, f fixture) string {
			p := filepath.Join(f.nsDir(f.full), catalog.ManifestFile)
			must(t, os.WriteFile(p, []byte("files: {[\n"), 0o644))
			return p
		}, Corrupt, `unreadable`},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			f := writeBackups(t)
			file := c.damage(t, f)
			rs := f.run(t, Options{ReadData: c.readData})
			r := find(t, rs, f.full)
			if r.Status != c.status {
				t.Fatalf("status %s, want %s: %v", r.Status, c.status, r.Problems)
			}
			if c.status == OK {
				return
			}
			re := regexp.MustCompile(c.fault)
			found := false
			for _, p := range r.Problems {
				if p.File == rel(f, file) && re.MatchString(p.Fault) {
					found = true
				}
			}
			if !found {
				t.Fatalf("no problem naming %s with %q: %v", rel(f, file), c.fault, r.Problems)
			}
			// The incremental built on the damaged full is not restorable.
			if c.status != OK {
				inc := find(t, rs, f.incr)
				if inc.Status == OK {
					t.Errorf("incremental on a damaged full reported ok")
				}
			}
		})
	}
}

// movePartitions gives the full's first file of worker 0 (partitions
// 0..2047 of the fixture's two workers) the range r instead, and returns
// the file.
func movePartitions(t *testing.T, f fixture, r catalog.PartitionRange) string {
	t.Helper()
	ctx := context.Background()
	store := mustStore(t, f.root)
	nsDir := catalog.NamespaceDir(f.full, "test")
	m, err := catalog.ReadManifest(ctx, store, nsDir)
	must(t, err)
	for i, e := range m.Files {
		if !strings.HasPrefix(e.Name, "0_") {
			continue
		}
		if want := []catalog.PartitionRange{{Begin: 0, Count: 2048}}; !slices.Equal(e.Partitions, want) {
			t.Fatalf("%s records partitions %v, want %v", e.Name, e.Partitions, want)
		}
		m.Files[i].Partitions = []catalog.PartitionRange{r}
		must(t, catalog.WriteManifest(ctx, store, nsDir, m))
		return filepath.Join(f.nsDir(f.full), e.Name)
	}
	t.Fatalf("no file of worker 0 in %s", nsDir)
	return ""
}

func TestManifestMissingVerifiesStructurally(t *testing.T) {
	f := writeBackups(t)
	must(t, os.Remove(filepath.Join(f.nsDir(f.full), catalog.ManifestFile)))
	rs := f.run(t, Options{ReadData: true})
	r := find(t, rs, f.full)
	if r.Status != OK || r.Checksums || len(r.Notes) == 0 || !strings.Contains(r.Notes[0], "no aerobackup.yaml") {
		t.Fatalf("want ok without checksums and a note, got %+v", r)
	}
	if r.RecordsRead != 2000 {
		t.Fatalf("records read %d, want 2000", r.RecordsRead)
	}
}

// ABS-shaped backups (metadata.yaml only): structure, and with read-data
// the decode and the record count.
func TestABSBackupsVerifyStructurally(t *testing.T) {
	f := writeBackups(t)
	for _, k := range []string{f.full, f.incr} {
		must(t, os.Remove(filepath.Join(f.nsDir(k), catalog.ManifestFile)))
	}
	files := f.asbFiles(t, f.full)

	rs := f.run(t, Options{})
	for _, r := range rs {
		if r.Status != OK || r.Checksums {
			t.Fatalf("%s: %s %v", r.Key, r.Status, r.Problems)
		}
	}

	// An empty file.
	must(t, os.WriteFile(files[0], nil, 0o644))
	r := find(t, f.run(t, Options{}), f.full)
	if r.Status != Corrupt || r.Problems[0].File != rel(f, files[0]) || r.Problems[0].Fault != "empty file" {
		t.Fatalf("empty file: %+v", r)
	}

	// A missing file: metadata's file-count says so.
	f = writeBackups(t)
	for _, k := range []string{f.full, f.incr} {
		must(t, os.Remove(filepath.Join(f.nsDir(k), catalog.ManifestFile)))
	}
	must(t, os.Remove(f.asbFiles(t, f.full)[0]))
	r = find(t, f.run(t, Options{}), f.full)
	if r.Status != Incomplete || !strings.Contains(r.Reason(), "file-count is") {
		t.Fatalf("missing file: %+v", r)
	}

	// A truncated file only shows when read.
	f = writeBackups(t)
	for _, k := range []string{f.full, f.incr} {
		must(t, os.Remove(filepath.Join(f.nsDir(k), catalog.ManifestFile)))
	}
	p := f.asbFiles(t, f.full)[1]
	st, _ := os.Stat(p)
	must(t, os.Truncate(p, st.Size()*2/3))
	if r = find(t, f.run(t, Options{}), f.full); r.Status != OK {
		t.Fatalf("structure alone: %+v", r)
	}
	r = find(t, f.run(t, Options{ReadData: true}), f.full)
	if r.Status != Corrupt {
		t.Fatalf("read-data on a truncated ABS file: %+v", r)
	}
	if !strings.Contains(r.Reason(), "record-count is 2000 but the files hold") && !strings.Contains(r.Reason(), rel(f, p)) {
		t.Fatalf("reason %q names neither the file nor the count", r.Reason())
	}
}

// TestChecksumsOfEveryKind: the fixture's backups record CRC32C, the
// default; manifests recording SHA-256 only (older backups, --checksum
// sha256) and both verify too, and a flipped byte is named with the
// algorithm that caught it; entries with none are checked for size (and
// by the decoder) only.
func TestChecksumsOfEveryKind(t *testing.T) {
	f := writeBackups(t)
	m, err := catalog.ReadManifest(context.Background(), mustStore(t, f.root), catalog.NamespaceDir(f.full, "test"))
	must(t, err)
	for _, e := range m.Files {
		if e.CRC32C == "" || e.SHA256 != "" {
			t.Fatalf("default backup entry %+v: want CRC32C only", e)
		}
	}
	for _, tt := range []struct {
		name  string
		algs  []checksum.Algorithm
		fault string
	}{
		{"sha256 only", []checksum.Algorithm{checksum.SHA256}, `^checksum mismatch: SHA-256 [0-9a-f]{12}…, the manifest says [0-9a-f]{12}…$`},
		{"both", []checksum.Algorithm{checksum.SHA256, checksum.CRC32C}, `^checksum mismatch: CRC32C [0-9a-f]{8}, the manifest says [0-9a-f]{8}$`},
		{"none", nil, ""},
	} {
		t.Run(tt.name, func(t *testing.T) {
			f := writeBackups(t)
			rewriteSums(t, f, f.full, tt.algs...)
			if r := find(t, f.run(t, Options{ReadData: true}), f.full); r.Status != OK || !r.Checksums {
				t.Fatalf("intact: %s %v", r.Status, r.Problems)
			}
			p := f.asbFiles(t, f.full)[0]
			b, err := os.ReadFile(p)
			must(t, err)
			b[len(b)/3] ^= 0x01
			must(t, os.WriteFile(p, b, 0o644))
			r := find(t, f.run(t, Options{ReadData: true}), f.full)
			if tt.fault == "" {
				if strings.Contains(fmt.Sprint(r.Problems), "checksum") {
					t.Fatalf("no checksum recorded, yet %v", r.Problems)
				}
				return
			}
			re := regexp.MustCompile(tt.fault)
			for _, pr := range r.Problems {
				if pr.File == rel(f, p) && re.MatchString(pr.Fault) {
					return
				}
			}
			t.Fatalf("flipped byte: no problem naming %s with %q: %s %v", rel(f, p), tt.fault, r.Status, r.Problems)
		})
	}
}

// rewriteSums replaces the checksums of key's manifest with algs, computed
// from the stored files (algs SHA-256 alone: a manifest as versions before
// CRC32C wrote it).
func rewriteSums(t *testing.T, f fixture, key string, algs ...checksum.Algorithm) {
	t.Helper()
	ctx := context.Background()
	store := mustStore(t, f.root)
	nsDir := catalog.NamespaceDir(key, "test")
	m, err := catalog.ReadManifest(ctx, store, nsDir)
	must(t, err)
	for i, e := range m.Files {
		data, err := os.ReadFile(filepath.Join(f.nsDir(key), e.Name))
		must(t, err)
		m.Files[i] = catalog.ManifestEntry{Name: e.Name, Size: e.Size}
		for _, a := range algs {
			h := a.New()
			h.Write(data)
			m.Files[i].SetSum(checksum.Sum{Algorithm: a, Hex: checksum.Format(h)})
		}
	}
	must(t, catalog.WriteManifest(ctx, store, nsDir, m))
}

func mustStore(t *testing.T, root string) *localstore.Store {
	t.Helper()
	s, err := localstore.New(root)
	must(t, err)
	return s
}

func TestSubsetReadsSomeFiles(t *testing.T) {
	f := writeBackups(t)
	r := find(t, f.run(t, Options{ReadData: true, Subset: 0.01}), f.full)
	if r.Status != OK || r.FilesRead != 1 || r.Files < 2 {
		t.Fatalf("1%% of %d files: read %d, %s %v", r.Files, r.FilesRead, r.Status, r.Problems)
	}
}

func TestChains(t *testing.T) {
	// The incremental without its full.
	f := writeBackups(t)
	must(t, os.RemoveAll(filepath.Join(f.root, "nightly", "backup")))
	r := find(t, f.run(t, Options{}), f.incr)
	if r.Status != Incomplete || !strings.Contains(r.Reason(), "no full backup") {
		t.Fatalf("orphan incremental: %+v", r)
	}

	// A gap: the incremental starts after the full.
	f = writeBackups(t)
	mp := filepath.Join(f.nsDir(f.incr), catalog.MetadataFile)
	b, err := os.ReadFile(mp)
	must(t, err)
	from := f.fullAt.Format(time.RFC3339Nano)
	later := f.fullAt.Add(time.Millisecond).Format(time.RFC3339Nano) // before the incremental's start on either server
	if !strings.Contains(string(b), "from: "+from) {
		t.Fatalf("metadata has no from %s:\n%s", from, b)
	}
	must(t, os.WriteFile(mp, []byte(strings.Replace(string(b), "from: "+from, "from: "+later, 1)), 0o644))
	r = find(t, f.run(t, Options{}), f.incr)
	if r.Status != Incomplete || !strings.Contains(r.Reason(), "gap:") {
		t.Fatalf("gap: %+v", r)
	}
}

func TestOneBackupByKey(t *testing.T) {
	f := writeBackups(t)
	must(t, os.Remove(f.asbFiles(t, f.incr)[0]))
	k, err := catalog.ParseKey(f.full)
	must(t, err)
	rs := f.run(t, Options{Key: &k})
	if len(rs) != 1 || rs[0].Key != f.full || rs[0].Status != OK {
		t.Fatalf("--backup %s: %+v", f.full, rs)
	}
}

func must(t *testing.T, err error) {
	t.Helper()
	if err != nil {
		t.Fatal(err)
	}
}

// Each routine asked is verified with its own secret agent; none asked is
// every routine in the store.
func TestRunRoutines(t *testing.T) {
	f := writeBackups(t)
	store := mustStore(t, f.root)
	var asked []string
	agentOf := func(r string) *backup.SecretAgentConfig { asked = append(asked, r); return nil }
	rs, err := RunRoutines(context.Background(), store, []string{"nightly", "weekly"}, Options{}, agentOf)
	must(t, err)
	if len(rs) != 2 || !slices.Equal(asked, []string{"nightly", "weekly"}) {
		t.Fatalf("nightly and weekly: %d results, agents asked for %v", len(rs), asked)
	}
	all, err := RunRoutines(context.Background(), store, nil, Options{}, agentOf)
	must(t, err)
	if len(all) != 2 || len(asked) != 2 {
		t.Fatalf("every routine: %d results, agents asked for %v", len(all), asked)
	}
}

// Each store's routines are verified in turn, the results kept to the
// namespaces asked.
func TestRunStores(t *testing.T) {
	a, b := writeBackups(t), writeBackups(t)
	stores := []routine.Stores{{Store: mustStore(t, a.root), Routines: []string{"nightly"}}, {Store: mustStore(t, b.root)}}
	rs, err := RunStores(context.Background(), stores, Options{}, nil, nil)
	must(t, err)
	if len(rs) != 4 {
		t.Fatalf("two stores of two backups: %d results", len(rs))
	}
	if rs, err = RunStores(context.Background(), stores, Options{}, nil, []string{"other"}); err != nil || len(rs) != 0 {
		t.Errorf("--namespace other: %d results, %v", len(rs), err)
	}
	if rs, err = RunStores(context.Background(), stores, Options{}, nil, []string{"test"}); err != nil || len(rs) != 4 {
		t.Errorf("--namespace test: %d results, %v", len(rs), err)
	}
}

// TestTimeRange: --from/--to verify the backups taken in the range (an
// incremental's chain is still judged against the full before it).
func TestTimeRange(t *testing.T) {
	f := writeBackups(t)
	must(t, os.Remove(f.asbFiles(t, f.full)[0]))
	fk, err := catalog.ParseKey(f.full)
	must(t, err)
	ik, err := catalog.ParseKey(f.incr)
	must(t, err)
	rs := f.run(t, Options{From: fk.Time.Add(time.Millisecond)})
	for _, r := range rs {
		if r.Key == f.full {
			t.Errorf("the full before --from was verified: %+v", r)
		}
	}
	if r := find(t, rs, f.incr); r.Status != OK {
		t.Errorf("the incremental in range, its full before it: %+v", r)
	}
	rs = f.run(t, Options{To: ik.Time.Add(-time.Millisecond)})
	if len(rs) != 1 || rs[0].Key != f.full || rs[0].Status == OK {
		t.Errorf("--to before the incremental: %+v, want the damaged full alone", rs)
	}
}
