package backend

import (
	"context"
	"fmt"
	"os"
	"path"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/s3"

	"github.com/aerobackup/aerobackup/internal/catalog"
	"github.com/aerobackup/aerobackup/internal/config"
	"github.com/aerobackup/aerobackup/internal/storage"
)

// countingStore records what the catalog asks of the store.
type countingStore struct {
	storage.Store
	lists, listDirs, reads atomic.Int64
	mu                     sync.Mutex
	nonMetadataReads       []string
}

func (c *countingStore) List(ctx context.Context, prefix string) ([]storage.Object, error) {
	c.lists.Add(1)
	return c.Store.List(ctx, prefix)
}

func (c *countingStore) ListDirs(ctx context.Context, prefix string) ([]string, error) {
	c.listDirs.Add(1)
	return c.Store.ListDirs(ctx, prefix)
}

func (c *countingStore) ReadFile(ctx context.Context, p string) ([]byte, error) {
	c.reads.Add(1)
	if path.Base(p) != catalog.MetadataFile {
		c.mu.Lock()
		c.nonMetadataReads = append(c.nonMetadataReads, p)
		c.mu.Unlock()
	}
	return c.Store.ReadFile(ctx, p)
}

// BenchmarkCatalogList1000MinIO lists a routine holding 1,000 backups
// (each with four data files beside its metadata.yaml) on MinIO through
// the same backend the commands use, and checks that the catalog, without
// its index (which checks its entries against an object listing), never
// lists objects (only folders) and reads nothing but metadata.yaml.
//
//	eval "$(.ci/emulators.sh start)"
//	go test ./internal/storage/backend -run '^$' -bench CatalogList1000MinIO -benchtime 5x
func BenchmarkCatalogList1000MinIO(b *testing.B) {
	b.Setenv("AEROBACKUP_CATALOG_INDEX", "off")
	needEnv(b, "AEROBACKUP_TEST_S3_ENDPOINT", "AEROBACKUP_TEST_S3_ACCESS_KEY_ID", "AEROBACKUP_TEST_S3_SECRET_ACCESS_KEY")
	ctx := context.Background()
	endpoint, id, secret := os.Getenv("AEROBACKUP_TEST_S3_ENDPOINT"), os.Getenv("AEROBACKUP_TEST_S3_ACCESS_KEY_ID"), os.Getenv("AEROBACKUP_TEST_S3_SECRET_ACCESS_KEY")
	admin := s3.New(s3.Options{Region: "us-east-1", BaseEndpoint: aws.String(endpoint), UsePathStyle: true,
		Credentials: credentials.NewStaticCredentialsProvider(id, secret, "")})
	bucket := randomName()
	if _, err := admin.CreateBucket(ctx, &s3.CreateBucketInput{Bucket: &bucket}); err != nil {
		b.Fatal(err)
	}
	st, err := Open(ctx, &config.Storage{Name: "bench", S3: &config.S3Storage{Bucket: bucket, Path: ptr("backups"),
		S3Region: "us-east-1", S3EndpointOverride: &endpoint, AccessKeyID: &id, SecretAccessKey: &secret}}, nil, nil)
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() {
		_ = st.DeleteAll(context.Background(), "")
		_, _ = admin.DeleteBucket(context.Background(), &s3.DeleteBucketInput{Bucket: &bucket})
	})

	const backups, dataFiles = 1000, 4
	populate(b, st, backups, dataFiles)

	cs := &countingStore{Store: st}
	b.ResetTimer()
	for b.Loop() {
		got, err := catalog.List(ctx, cs, catalog.Filter{Routines: []string{"nightly"}})
		if err != nil {
			b.Fatal(err)
		}
		if len(got) != backups {
			b.Fatalf("listed %d backups, want %d", len(got), backups)
		}
	}
	b.StopTimer()
	if n := cs.lists.Load(); n != 0 {
		b.Errorf("the catalog listed objects %d times; it must list folders only", n)
	}
	if len(cs.nonMetadataReads) > 0 {
		b.Errorf("the catalog read data files, e.g. %s", cs.nonMetadataReads[0])
	}
	b.ReportMetric(float64(cs.listDirs.Load())/float64(b.N), "listdirs/op")
	b.ReportMetric(float64(cs.reads.Load())/float64(b.N), "reads/op")
}

// populate writes n runs of routine "nightly" (one full in ten, the rest
// incrementals), each namespace folder holding files data files.
func populate(b *testing.B, st storage.Store, n, files int) {
	b.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Minute)
	defer cancel()
	base := time.UnixMilli(1_700_000_000_000).UTC()
	sem := make(chan struct{}, 32)
	var wg sync.WaitGroup
	var mu sync.Mutex
	var firstErr error
	for i := range n {
		sem <- struct{}{}
		wg.Add(1)
		go func() {
			defer func() { <-sem; wg.Done() }()
			at := base.Add(time.Duration(i) * time.Minute)
			typ, from := catalog.Full, time.Time{}
			if i%10 != 0 {
				typ, from = catalog.Incremental, at.Add(-time.Minute)
			}
			dir := catalog.NamespaceDir(catalog.RunDir("nightly", typ, at), "test")
			err := func() error {
				for f := range files {
					if err := st.WriteFile(ctx, fmt.Sprintf("%s/test_%d.asb", dir, f), []byte("Version 3.1\n")); err != nil {
						return err
					}
				}
				return catalog.WriteMetadata(ctx, st, dir, &catalog.Metadata{Created: at, Finished: at.Add(time.Second),
					From: from, Namespace: "test", RecordCount: 10, ByteCount: 100, FileCount: uint64(files)})
			}()
			if err != nil {
				mu.Lock()
				if firstErr == nil {
					firstErr = err
				}
				mu.Unlock()
			}
		}()
	}
	wg.Wait()
	if firstErr != nil {
		b.Fatal(firstErr)
	}
	b.Logf("wrote %d backups with %d data files each", n, files)
}
