package s3store

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"io"
	"net"
	"os"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/aerospike/backup-go"
	"github.com/aerospike/backup-go/models"
	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"

	"github.com/aerobackup/aerobackup/internal/storage"
	"github.com/aerobackup/aerobackup/internal/storage/storagetest"
)

// emulator returns Options for the S3 emulator named by the
// AEROBACKUP_TEST_S3_* variables (see .ci/emulators.sh), or skips the test
// when they are unset, unless AEROBACKUP_REQUIRE_EMULATORS=1.
func emulator(t *testing.T) Options {
	t.Helper()
	opts := Options{
		EndpointOverride: os.Getenv("AEROBACKUP_TEST_S3_ENDPOINT"),
		Region:           os.Getenv("AEROBACKUP_TEST_S3_REGION"),
		AccessKeyID:      os.Getenv("AEROBACKUP_TEST_S3_ACCESS_KEY_ID"),
		SecretAccessKey:  os.Getenv("AEROBACKUP_TEST_S3_SECRET_ACCESS_KEY"),
	}
	if opts.Region == "" {
		opts.Region = "us-east-1"
	}
	if opts.EndpointOverride == "" {
		const why = "AEROBACKUP_TEST_S3_ENDPOINT is not set; run eval \"$(.ci/emulators.sh start)\""
		if os.Getenv("AEROBACKUP_REQUIRE_EMULATORS") == "1" {
			t.Fatal(why)
		}
		t.Skip(why)
	}
	return opts
}

func ctx(t *testing.T) context.Context {
	c, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	t.Cleanup(cancel)
	return c
}

func randomName(prefix string) string {
	b := make([]byte, 6)
	_, _ = rand.Read(b)
	return prefix + hex.EncodeToString(b)
}

// newBucket creates a fresh bucket and removes it (with its content) when
// the test ends.
func newBucket(t *testing.T, opts Options) string {
	t.Helper()
	bucket := randomName("aerobackup-test-")
	admin := adminClient(t, opts)
	if _, err := admin.CreateBucket(ctx(t), &s3.CreateBucketInput{Bucket: &bucket}); err != nil {
		t.Fatalf("create bucket: %v", err)
	}
	t.Cleanup(func() {
		c := context.Background()
		out, err := admin.ListObjectsV2(c, &s3.ListObjectsV2Input{Bucket: &bucket})
		if err == nil {
			for _, o := range out.Contents {
				_, _ = admin.DeleteObject(c, &s3.DeleteObjectInput{Bucket: &bucket, Key: o.Key})
			}
		}
		_, _ = admin.DeleteBucket(c, &s3.DeleteBucketInput{Bucket: &bucket})
	})
	return bucket
}

// adminClient is a plain SDK client for test set-up, independent of the
// code under test except for option handling.
func adminClient(t *testing.T, opts Options) *s3.Client {
	t.Helper()
	return s3.New(s3.Options{
		Region:       opts.Region,
		BaseEndpoint: aws.String(opts.EndpointOverride),
		UsePathStyle: true,
		Credentials:  aws.NewCredentialsCache(staticCreds(opts)),
	})
}

type staticCreds Options

func (c staticCreds) Retrieve(context.Context) (aws.Credentials, error) {
	return aws.Credentials{AccessKeyID: c.AccessKeyID, SecretAccessKey: c.SecretAccessKey}, nil
}

func open(t *testing.T, opts Options) *Store {
	t.Helper()
	s, err := New(ctx(t), opts)
	if err != nil {
		t.Fatalf("New: %v", err)
	}
	return s
}

func TestConformancePrefix(t *testing.T) {
	opts := emulator(t)
	opts.Bucket = newBucket(t, opts)
	storagetest.Run(t, func(t *testing.T) storage.Store {
		o := opts
		o.Path = "/" + randomName("backups/p-") + "/"
		return open(t, o)
	})
}

func TestConformanceBucketRoot(t *testing.T) {
	opts := emulator(t)
	storagetest.Run(t, func(t *testing.T) storage.Store {
		o := opts
		o.Bucket = newBucket(t, opts)
		return open(t, o)
	})
}

// TestPrefixIsolation checks that a store sees only its own prefix and
// that keys land where ABS expects them: <bucket>/<path>/<store path>.
func TestPrefixIsolation(t *testing.T) {
	opts := emulator(t)
	opts.Bucket = newBucket(t, opts)
	a := open(t, Options{Bucket: opts.Bucket, Path: "abs/backups", Region: opts.Region,
		EndpointOverride: opts.EndpointOverride, AccessKeyID: opts.AccessKeyID, SecretAccessKey: opts.SecretAccessKey})
	b := open(t, Options{Bucket: opts.Bucket, Path: "abs/backups-other", Region: opts.Region,
		EndpointOverride: opts.EndpointOverride, AccessKeyID: opts.AccessKeyID, SecretAccessKey: opts.SecretAccessKey})
	if err := a.WriteFile(ctx(t), "nightly/backup/1/data/ns/metadata.yaml", []byte("m")); err != nil {
		t.Fatal(err)
	}
	if err := b.WriteFile(ctx(t), "x", []byte("x")); err != nil {
		t.Fatal(err)
	}
	out, err := adminClient(t, opts).GetObject(ctx(t), &s3.GetObjectInput{
		Bucket: &opts.Bucket, Key: aws.String("abs/backups/nightly/backup/1/data/ns/metadata.yaml")})
	if err != nil {
		t.Fatalf("object not at the ABS key: %v", err)
	}
	out.Body.Close()
	objs, err := a.List(ctx(t), "")
	if err != nil {
		t.Fatal(err)
	}
	if len(objs) != 1 || objs[0].Path != "nightly/backup/1/data/ns/metadata.yaml" {
		t.Errorf("List in a = %v", objs)
	}
	if dirs, _ := a.ListDirs(ctx(t), ""); !slices.Equal(dirs, []string{"nightly"}) {
		t.Errorf("ListDirs in a = %v", dirs)
	}
	// ".." cannot climb out of the prefix.
	if err := b.WriteFile(ctx(t), "../escape", []byte("e")); err != nil {
		t.Fatal(err)
	}
	if _, err := adminClient(t, opts).HeadObject(ctx(t), &s3.HeadObjectInput{
		Bucket: &opts.Bucket, Key: aws.String("abs/backups-other/escape")}); err != nil {
		t.Errorf("../escape was not kept below the prefix: %v", err)
	}
}

func TestBackupWriterRestoreReader(t *testing.T) {
	opts := emulator(t)
	opts.Bucket = newBucket(t, opts)
	opts.Path = "backups"
	opts.MinPartSize = 5 << 20
	s := open(t, opts)
	testWriteRead(t, s)
}

// testWriteRead writes .asb files (one bigger than a multipart part)
// through BackupWriter and reads them back through RestoreReader, by
// folder, by several folders and by file list.
func testWriteRead(t *testing.T, s storage.Store) {
	const dir = "nightly/backup/1700000000000/data/test"
	big := strings.Repeat("0123456789abcdef", (6<<20)/16) // crosses a 5 MiB part
	files := map[string]string{
		"test_0.asb": "Version 3.1\n# namespace test\n",
		"test_1.asb": big,
	}
	w, err := s.BackupWriter(ctx(t), dir, storage.WriterOptions{})
	if err != nil {
		t.Fatalf("BackupWriter: %v", err)
	}
	for name, content := range files {
		writeThrough(t, w, name, content)
	}
	// metadata.yaml sits in the same folder and must not be restored.
	if err := s.WriteFile(ctx(t), dir+"/metadata.yaml", []byte("namespace: test\n")); err != nil {
		t.Fatal(err)
	}
	objs, err := s.List(ctx(t), dir)
	if err != nil {
		t.Fatal(err)
	}
	if len(objs) != 3 {
		t.Fatalf("List after backup = %v", objs)
	}

	// A second writer on a non-empty folder is refused.
	if _, err := s.BackupWriter(ctx(t), dir, storage.WriterOptions{}); err == nil {
		t.Error("BackupWriter on a non-empty folder succeeded")
	}

	got := drain(t, mustReader(t, s, dir, storage.ReaderOptions{}))
	if !slices.Equal(keys(got), []string{"test_0.asb", "test_1.asb"}) ||
		got["test_0.asb"][0] != files["test_0.asb"] || got["test_1.asb"][0] != big {
		t.Errorf("restored %d files: %v", len(got), keys(got))
	}

	const dir2 = "nightly/incremental/1700000000001/data/test"
	w, err = s.BackupWriter(ctx(t), dir2, storage.WriterOptions{ChunkSize: 5 << 20, Concurrency: 2})
	if err != nil {
		t.Fatal(err)
	}
	writeThrough(t, w, "test_0.asb", "incremental\n")
	got = drain(t, mustReader(t, s, "", storage.ReaderOptions{Dirs: []string{dir, dir2}}))
	if zero := got["test_0.asb"]; len(zero) != 2 || !slices.Contains(zero, "incremental\n") || len(got["test_1.asb"]) != 1 {
		t.Errorf("Dirs read %v", keys(got))
	}

	got = drain(t, mustReader(t, s, "", storage.ReaderOptions{Files: []string{dir2 + "/test_0.asb"}}))
	if !slices.Equal(keys(got), []string{"test_0.asb"}) || got["test_0.asb"][0] != "incremental\n" {
		t.Errorf("Files read %v", got)
	}

	if _, err := s.RestoreReader(ctx(t), "nightly/backup/404", storage.ReaderOptions{}); err == nil {
		t.Error("RestoreReader on an empty folder succeeded")
	}
}

func writeThrough(t *testing.T, w backup.Writer, name, content string) {
	t.Helper()
	fw, err := w.NewWriter(ctx(t), name)
	if err != nil {
		t.Fatalf("NewWriter(%s): %v", name, err)
	}
	if _, err := io.Copy(fw, strings.NewReader(content)); err != nil {
		t.Fatalf("write %s: %v", name, err)
	}
	if err := fw.Close(); err != nil {
		t.Fatalf("close %s: %v", name, err)
	}
}

func mustReader(t *testing.T, s storage.Store, dir string, ro storage.ReaderOptions) backup.StreamingReader {
	t.Helper()
	r, err := s.RestoreReader(ctx(t), dir, ro)
	if err != nil {
		t.Fatalf("RestoreReader: %v", err)
	}
	return r
}

// drain streams every file and returns the contents by base name (a name
// repeats when several folders are read).
func drain(t *testing.T, r backup.StreamingReader) map[string][]string {
	t.Helper()
	files := make(chan models.File)
	errs := make(chan error, 8)
	go r.StreamFiles(ctx(t), files, errs, nil)
	got := map[string][]string{}
	for f := range files {
		b, err := io.ReadAll(f.Reader)
		if err != nil {
			t.Fatalf("read %s: %v", f.Name, err)
		}
		_ = f.Reader.Close()
		got[f.Name] = append(got[f.Name], string(b))
	}
	select {
	case err := <-errs:
		t.Fatalf("stream: %v", err)
	default:
	}
	return got
}

func keys(m map[string][]string) []string {
	var k []string
	for n := range m {
		k = append(k, n)
	}
	slices.Sort(k)
	return k
}

func TestErrorMissingBucket(t *testing.T) {
	opts := emulator(t)
	opts.Bucket = randomName("aerobackup-missing-")
	opts.Path = "prefix"
	_, err := New(ctx(t), opts)
	want := `s3 "` + opts.Bucket + `/prefix": bucket "` + opts.Bucket + `" not found (check bucket name and s3-region)`
	if err == nil || err.Error() != want {
		t.Errorf("error = %v\nwant    %s", err, want)
	}
}

func TestErrorWrongCredentials(t *testing.T) {
	opts := emulator(t)
	opts.Bucket = newBucket(t, opts)
	for name, mutate := range map[string]func(*Options){
		"secret": func(o *Options) { o.SecretAccessKey += "-wrong" },
		"key-id": func(o *Options) { o.AccessKeyID = "nobody" },
	} {
		t.Run(name, func(t *testing.T) {
			o := opts
			mutate(&o)
			_, err := New(ctx(t), o)
			if err == nil || !strings.Contains(err.Error(), "wrong credentials (check access-key-id and secret-access-key") {
				t.Errorf("error = %v", err)
			}
			if err != nil && strings.Contains(err.Error(), o.SecretAccessKey) {
				t.Errorf("error leaks the secret: %v", err)
			}
		})
	}
}

// TestErrorUnreachable needs no emulator: nothing listens on the port.
func TestErrorUnreachable(t *testing.T) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := l.Addr().String()
	l.Close()
	_, err = New(ctx(t), Options{Bucket: "b", Path: "p", Region: "us-east-1", EndpointOverride: "http://" + addr,
		AccessKeyID: "k", SecretAccessKey: "s"})
	if err == nil {
		t.Fatal("New succeeded against a closed port")
	}
	msg := err.Error()
	if !strings.HasPrefix(msg, `s3 "b/p": endpoint unreachable (check s3-endpoint-override`) ||
		!strings.Contains(msg, "connection refused") || strings.Contains(msg, "\n") {
		t.Errorf("error = %q", msg)
	}
}

func TestOptionsValidation(t *testing.T) {
	for _, c := range []struct {
		opts Options
		want string
	}{
		{Options{Region: "r"}, "bucket is not set"},
		{Options{Bucket: "b"}, "s3-region is not set"},
		{Options{Bucket: "b", Region: "r", AccessKeyID: "k"}, "must be set together"},
		{Options{Bucket: "b", Region: "r", DataStorageClass: "COLD"}, `unknown storage class "COLD"`},
	} {
		_, err := New(context.Background(), c.opts)
		if err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("New(%+v) = %v, want %q", c.opts, err, c.want)
		}
	}
}

func TestNotFoundIsSentinel(t *testing.T) {
	opts := emulator(t)
	opts.Bucket = newBucket(t, opts)
	s := open(t, opts)
	_, err := s.ReadFile(ctx(t), "a/missing.yaml")
	if !errors.Is(err, storage.ErrNotFound) {
		t.Fatalf("err = %v", err)
	}
	if want := `s3 "` + opts.Bucket + `": read "a/missing.yaml": not found`; err.Error() != want {
		t.Errorf("message = %q, want %q", err, want)
	}
}
