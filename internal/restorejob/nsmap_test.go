package restorejob

import (
	"context"
	"crypto/rand"
	"crypto/rsa"
	"crypto/x509"
	"encoding/pem"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	as "github.com/aerospike/aerospike-client-go/v8"
	"github.com/aerospike/backup-go"

	"github.com/aerobackup/aerobackup/internal/aerospiketest"
	"github.com/aerobackup/aerobackup/internal/backupjob"
	"github.com/aerobackup/aerobackup/internal/catalog"
	"github.com/aerobackup/aerobackup/internal/cluster"
	"github.com/aerobackup/aerobackup/internal/logging"
	"github.com/aerobackup/aerobackup/internal/storage"
	"github.com/aerobackup/aerobackup/internal/storage/localstore"
)

const seededRecords = 300

// fileFormat is how a test backup's files are written.
type fileFormat struct {
	name        string
	compression string // NONE or ZSTD
	encryption  string // NONE or AES256
}

var formats = []fileFormat{
	{"plain", "NONE", "NONE"},
	{"zstd-aes256", "ZSTD", "AES256"},
}

func connect(t *testing.T, srv *aerospiketest.Server) *cluster.Conn {
	t.Helper()
	conn, err := cluster.Connect(context.Background(),
		cluster.Settings{Seeds: []cluster.Seed{{Host: srv.Host(), Port: srv.Port()}}}, logging.Discard())
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(conn.Close)
	return conn
}

// writeRSAKey writes an RSA private key in PEM, the key format backup-go
// derives its AES key from (as the CLI tests' genkey does).
func writeRSAKey(t *testing.T) string {
	t.Helper()
	key, err := rsa.GenerateKey(rand.Reader, 2048)
	if err != nil {
		t.Fatal(err)
	}
	file := filepath.Join(t.TempDir(), "key.pem")
	block := &pem.Block{Type: "RSA PRIVATE KEY", Bytes: x509.MarshalPKCS1PrivateKey(key)}
	if err := os.WriteFile(file, pem.EncodeToMemory(block), 0o600); err != nil {
		t.Fatal(err)
	}
	return file
}

// backupTest seeds namespace test of srv with records, a secondary index
// and a UDF, backs it up in format f and returns the store and the
// namespace folder.
func backupTest(t *testing.T, srv *aerospiketest.Server, f fileFormat, keyFile string) (storage.Store, string) {
	t.Helper()
	if err := srv.Seed("test", seededRecords, 1); err != nil {
		t.Fatal(err)
	}
	if err := srv.SeedMetadata("test"); err != nil {
		t.Fatal(err)
	}
	store, err := localstore.New(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	cfg := backup.NewDefaultBackupConfig()
	if f.compression == "ZSTD" {
		cfg.CompressionPolicy = backup.NewCompressionPolicy("ZSTD", 3)
	}
	if f.encryption != "NONE" {
		cfg.EncryptionPolicy = &backup.EncryptionPolicy{Mode: f.encryption, KeyFile: &keyFile}
	}
	job := &backupjob.Job{Store: store, Conn: connect(t, srv), Routine: "nightly", Type: catalog.Full,
		Start: time.UnixMilli(1763712000000).UTC(), Namespaces: []backupjob.Namespace{{Name: "test", Config: cfg}},
		Compression: f.compression, Encryption: f.encryption, Log: logging.Discard()}
	res, err := job.Run(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	if n := res.Namespaces[0].SIndexes; n != 1 {
		t.Fatalf("the backup holds %d secondary indexes, want the seeded one", n)
	}
	return store, catalog.NamespaceDir(res.Key, "test")
}

// restoreInto restores dir of store into dest of srv, mapping test -> dest.
func restoreInto(t *testing.T, srv *aerospiketest.Server, store storage.Store, dir, dest string, f fileFormat,
	keyFile string, applyMetadataLast bool,
) (*Result, error) {
	t.Helper()
	cfg := backup.NewDefaultRestoreConfig()
	cfg.ApplyMetadataLast = applyMetadataLast
	job := &Job{Store: store, Conn: connect(t, srv), Log: logging.Discard(), Chains: []Chain{{Namespace: dest,
		Steps: []Step{{Label: "nightly", Dir: dir, Source: "test", Destination: dest, Compression: f.compression,
			Encryption: f.encryption, ExpectedRecords: seededRecords, Config: cfg}}}}}
	if f.encryption != "NONE" {
		job.KeyFile = keyFile
	}
	return job.Run(context.Background())
}

// sindexList is the destination's "sindex-list" answer over every
// namespace: one "ns=...:indexname=...:..." entry per index.
func sindexList(t *testing.T, srv *aerospiketest.Server) []string {
	t.Helper()
	c, err := as.NewClient(srv.Host(), srv.Port())
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	node, err := c.Cluster().GetRandomNode()
	if err != nil {
		t.Fatal(err)
	}
	info, err := node.RequestInfo(as.NewInfoPolicy(), "sindex-list")
	if err != nil {
		t.Fatal(err)
	}
	var out []string
	for _, e := range strings.Split(info["sindex-list"], ";") {
		if e = strings.TrimSpace(e); e != "" {
			out = append(out, e)
		}
	}
	slices.Sort(out)
	return out
}

// field is key's value in a sindex-list entry.
func field(entry, key string) string {
	for _, kv := range strings.Split(entry, ":") {
		if k, v, ok := strings.Cut(kv, "="); ok && k == key {
			return v
		}
	}
	return ""
}

// wantIndexIn checks that the seeded index (set alpha, numeric bin int)
// is in ns, with the same definition, and other are the other entries.
func wantIndexIn(t *testing.T, list []string, ns string, other ...string) {
	t.Helper()
	var found []string
	for _, e := range list {
		if slices.Contains(other, e) {
			continue
		}
		found = append(found, e)
	}
	if len(found) != 1 {
		t.Fatalf("sindex-list: %q; want test_alpha_int in %s and, besides, only %q", list, ns, other)
	}
	e := found[0]
	if field(e, "ns") != ns || field(e, "indexname") != "test_alpha_int" || field(e, "set") != "alpha" ||
		field(e, "bin") != "int" || field(e, "type") != "numeric" || field(e, "indextype") != "default" {
		t.Errorf("restored index %q: want ns=%s:indexname=test_alpha_int:set=alpha:bin=int:type=numeric:indextype=default", e, ns)
	}
}

func checkCounts(t *testing.T, res *Result, srv *aerospiketest.Server, dest string) {
	t.Helper()
	tot := res.Totals()
	if tot.Read != seededRecords || tot.Inserted != seededRecords || tot.SIndexes != 1 || tot.UDFs != 1 {
		t.Errorf("restore counts %+v: want %d records read and inserted, 1 secondary index, 1 UDF", tot, seededRecords)
	}
	if n := srv.Count(dest); n != seededRecords {
		t.Errorf("%s holds %d records, want %d", dest, n, seededRecords)
	}
}

// The bug: restoring test -> bar put the records in bar and recreated the
// secondary index in test. On a cluster holding only bar that failed with
// INVALID_NAMESPACE; the index must land in bar and nowhere else.
func TestRestoreMappedNamespaceIntoClusterWithoutTheSource(t *testing.T) {
	for _, f := range formats {
		for _, last := range []bool{false, true} {
			name := f.name
			if last {
				name += "/metadata-last"
			}
			t.Run(name, func(t *testing.T) {
				keyFile := writeRSAKey(t)
				src := aerospiketest.NewServer(t, aerospiketest.Options{Namespaces: []string{"test"}})
				store, dir := backupTest(t, src, f, keyFile)

				dst := aerospiketest.NewServer(t, aerospiketest.Options{Namespaces: []string{"bar"}})
				res, err := restoreInto(t, dst, store, dir, "bar", f, keyFile, last)
				if err != nil {
					t.Fatalf("restore test -> bar: %v", err)
				}
				checkCounts(t, res, dst, "bar")
				wantIndexIn(t, sindexList(t, dst), "bar")
			})
		}
	}
}

// On a cluster holding both namespaces the index used to be made again in
// test, silently; now test keeps only its own and bar gets the restored one.
func TestRestoreMappedNamespaceOnClusterWithBoth(t *testing.T) {
	for _, f := range formats {
		t.Run(f.name, func(t *testing.T) {
			keyFile := writeRSAKey(t)
			srv := aerospiketest.NewServer(t, aerospiketest.Options{Namespaces: []string{"test", "bar"}})
			store, dir := backupTest(t, srv, f, keyFile)
			before := sindexList(t, srv)
			if len(before) != 1 || field(before[0], "ns") != "test" {
				t.Fatalf("seeded sindex-list: %q", before)
			}
			res, err := restoreInto(t, srv, store, dir, "bar", f, keyFile, false)
			if err != nil {
				t.Fatalf("restore test -> bar: %v", err)
			}
			checkCounts(t, res, srv, "bar")
			wantIndexIn(t, sindexList(t, srv), "bar", before[0])
		})
	}
}

// An index of the backup's name already in the destination is dropped and
// made again, as backup-go does without a mapping. (One of the same
// definition under another name: sindexdup_test.go.)
func TestRestoreMappedNamespaceSameNameIndex(t *testing.T) {
	f := formats[0]
	src := aerospiketest.NewServer(t, aerospiketest.Options{Namespaces: []string{"test"}})
	store, dir := backupTest(t, src, f, "")
	dst := aerospiketest.NewServer(t, aerospiketest.Options{Namespaces: []string{"bar"}})
	createIndex(t, dst, "bar", "test_alpha_int")
	res, err := restoreInto(t, dst, store, dir, "bar", f, "", false)
	if err != nil {
		t.Fatalf("restore onto the same index: %v", err)
	}
	checkCounts(t, res, dst, "bar")
	wantIndexIn(t, sindexList(t, dst), "bar")
}

// createIndex makes an index on set alpha, numeric bin int, in ns: the
// definition of the seeded one.
func createIndex(t *testing.T, srv *aerospiketest.Server, ns, name string) {
	t.Helper()
	createBinIndex(t, srv, ns, name, "int", as.NUMERIC)
}

// createBinIndex makes an index on set alpha and bin of type typ in ns.
func createBinIndex(t *testing.T, srv *aerospiketest.Server, ns, name, bin string, typ as.IndexType) {
	t.Helper()
	c, err := as.NewClient(srv.Host(), srv.Port())
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	task, err := c.CreateIndex(nil, ns, "alpha", name, bin, typ)
	if err != nil {
		t.Fatal(err)
	}
	if err := <-task.OnComplete(); err != nil {
		t.Fatal(err)
	}
}

// An index line of another namespace than the backup's is refused rather
// than created where its line says.
func TestIndexClientRefusesOtherNamespaces(t *testing.T) {
	c := &indexClient{source: "test", dest: "bar"}
	if ns, err := c.namespace("test", "i"); err != nil || ns != "bar" {
		t.Errorf("test -> %q, %v; want bar", ns, err)
	}
	_, err := c.namespace("other", "idx")
	if err == nil {
		t.Fatal("an index of namespace other was mapped")
	}
	if msg := err.Error(); !strings.Contains(msg, "secondary index idx is in namespace other") {
		t.Errorf("error %q", msg)
	}
}
