package s3store

import (
	"context"
	"os"
	"slices"
	"strings"
	"testing"

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
	env := storagetest.EmulatorEnv(t, "AEROBACKUP_TEST_S3_ENDPOINT")
	opts := Options{
		EndpointOverride: env[0],
		Region:           os.Getenv("AEROBACKUP_TEST_S3_REGION"),
		AccessKeyID:      os.Getenv("AEROBACKUP_TEST_S3_ACCESS_KEY_ID"),
		SecretAccessKey:  os.Getenv("AEROBACKUP_TEST_S3_SECRET_ACCESS_KEY"),
	}
	if opts.Region == "" {
		opts.Region = "us-east-1"
	}
	return opts
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

var (
	ctx        = storagetest.Context
	randomName = storagetest.RandomName
)

func open(t *testing.T, opts Options) *Store {
	t.Helper()
	return storagetest.Open(t, New, opts)
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
	storagetest.WriteRead(t, s, 6<<20, storage.WriterOptions{ChunkSize: 5 << 20, Concurrency: 2})
}

func TestErrorMissingBucket(t *testing.T) {
	opts := emulator(t)
	opts.Bucket = randomName("aerobackup-missing-")
	opts.Path = "prefix"
	_, err := New(ctx(t), opts)
	want := `s3 "` + opts.Bucket + `/prefix": bucket "` + opts.Bucket + `" not found (check bucket name and s3-region)`
	storagetest.CheckError(t, err, want)
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
	addr := storagetest.ClosedAddr(t)
	_, err := New(ctx(t), Options{Bucket: "b", Path: "p", Region: "us-east-1", EndpointOverride: "http://" + addr,
		AccessKeyID: "k", SecretAccessKey: "s"})
	storagetest.CheckUnreachable(t, err, `s3 "b/p": endpoint unreachable (check s3-endpoint-override`)
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
	storagetest.CheckNotFound(t, s, `s3 "`+opts.Bucket+`"`)
}
