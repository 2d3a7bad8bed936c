package bench

import (
	"context"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/httputil"
	"net/url"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/s3"

	"github.com/aerobackup/aerobackup/internal/catalog"
	"github.com/aerobackup/aerobackup/internal/storage"
	"github.com/aerobackup/aerobackup/internal/storage/backend"
)

// CatalogConfig is the catalog-cost benchmark (`aerobackup-bench
// -catalog`): how a routine's history, kept by the thousand, weighs on the
// commands that read it.
type CatalogConfig struct {
	Config
	Sizes []int // stored backups, e.g. 10, 1000, 10000
	// S3 is MinIO's endpoint and credentials (AEROBACKUP_TEST_S3_*); empty
	// skips the object-store rows.
	S3Endpoint, S3Key, S3Secret, S3Region string
	// Latency is added to every S3 request by a delaying proxy, standing
	// for a real object store's round trip.
	Latency time.Duration
}

// CatalogRow is one storage at one history size.
type CatalogRow struct {
	Storage string
	Backups int
	// Backup is a full backup of a tiny namespace (its catalog work is
	// the lock, the window of its newest runs and the publish), List,
	// Prune and PointInTime the other commands that read the catalog.
	Backup, List, Prune, PointInTime Sample
	// Requests are each command's requests to the object store (the
	// median run's; -1 on local storage).
	Requests [4]int64
}

// CatalogResult is every row, smallest history first per storage.
type CatalogResult struct {
	Rows    []CatalogRow
	Checks  []string
	Records int
	Latency time.Duration
}

// catalogRecords are the tiny namespace's records: the backups measure
// the catalog, not the data.
const catalogRecords = 100

// RunCatalog measures each storage at each history size.
func RunCatalog(ctx context.Context, cfg CatalogConfig) (*CatalogResult, error) {
	cfg.Records = catalogRecords
	s, closeFn, err := open(ctx, cfg.Config)
	if err != nil {
		return nil, err
	}
	defer closeFn()
	if err := s.seed(catalogRecords); err != nil {
		return nil, err
	}
	res := &CatalogResult{Records: catalogRecords, Latency: cfg.Latency}
	stores := []catalogStore{localCatalog(cfg.WorkDir)}
	if cfg.S3Endpoint != "" {
		st, stop, err := s3Catalog(ctx, cfg)
		if err != nil {
			return nil, err
		}
		defer stop()
		stores = append(stores, st)
	}
	for _, st := range stores {
		for _, n := range cfg.Sizes {
			row, err := s.catalogRow(ctx, st, n)
			if err != nil {
				return res, fmt.Errorf("%s, %d backups: %w", st.name, n, err)
			}
			res.Rows = append(res.Rows, row)
		}
	}
	res.check()
	return res, nil
}

// catalogStore is where a history is written and read: populate writes
// straight to the storage, url is what the measured commands are given
// (through the delaying proxy, for S3).
type catalogStore struct {
	name string
	// requests counts the requests the measured commands sent (nil for
	// local storage).
	requests *atomic.Int64
	url      func(routine string) string
	populate func(ctx context.Context, routine string) (storage.Store, error)
}

// sent is the requests counted so far (0 for local storage).
func (st catalogStore) sent() int64 {
	if st.requests == nil {
		return 0
	}
	return st.requests.Load()
}

func localCatalog(work string) catalogStore {
	root := filepath.Join(work, "catalog")
	return catalogStore{
		name: "local",
		url:  func(string) string { return root },
		populate: func(ctx context.Context, _ string) (storage.Store, error) {
			return openURL(ctx, root)
		},
	}
}

func s3Catalog(ctx context.Context, cfg CatalogConfig) (catalogStore, func(), error) {
	region := cfg.S3Region
	if region == "" {
		region = "us-east-1"
	}
	admin := s3.New(s3.Options{Region: region, BaseEndpoint: aws.String(cfg.S3Endpoint), UsePathStyle: true,
		Credentials: credentials.NewStaticCredentialsProvider(cfg.S3Key, cfg.S3Secret, "")})
	bucket := fmt.Sprintf("aerobackup-bench-%d", time.Now().UnixNano())
	if _, err := admin.CreateBucket(ctx, &s3.CreateBucketInput{Bucket: &bucket}); err != nil {
		return catalogStore{}, nil, fmt.Errorf("create bucket %s at %s: %w", bucket, cfg.S3Endpoint, err)
	}
	var requests atomic.Int64
	proxy, stopProxy, err := DelayProxy(cfg.S3Endpoint, cfg.Latency, &requests)
	if err != nil {
		return catalogStore{}, nil, err
	}
	// The measured commands and the populating store take the credentials
	// from the provider's usual variables.
	os.Setenv("AWS_ACCESS_KEY_ID", cfg.S3Key)
	os.Setenv("AWS_SECRET_ACCESS_KEY", cfg.S3Secret)
	at := func(endpoint string) string {
		return "s3://" + bucket + "/backups?endpoint=" + url.QueryEscape(endpoint) + "&region=" + region
	}
	st := catalogStore{
		name:     fmt.Sprintf("MinIO, +%s a request", cfg.Latency),
		requests: &requests,
		url:      func(string) string { return at(proxy) },
		populate: func(ctx context.Context, _ string) (storage.Store, error) {
			return openURL(ctx, at(cfg.S3Endpoint))
		},
	}
	stop := func() {
		stopProxy()
		if store, err := openURL(context.Background(), at(cfg.S3Endpoint)); err == nil {
			_ = store.DeleteAll(context.Background(), "")
			store.Close()
		}
		_, _ = admin.DeleteBucket(context.Background(), &s3.DeleteBucketInput{Bucket: &bucket})
	}
	return st, stop, nil
}

func openURL(ctx context.Context, raw string) (storage.Store, error) {
	sc, err := backend.FromURL(raw)
	if err != nil {
		return nil, err
	}
	return backend.Open(ctx, sc, nil, nil)
}

// DelayProxy forwards HTTP requests to target after holding each for
// delay, standing for an object store's round trip, and counts them in
// requests. The Host header is passed on unchanged, so signed requests
// still verify.
func DelayProxy(target string, delay time.Duration, requests *atomic.Int64) (string, func(), error) {
	u, err := url.Parse(target)
	if err != nil {
		return "", nil, err
	}
	rp := httputil.NewSingleHostReverseProxy(u)
	rp.Transport = &http.Transport{MaxIdleConnsPerHost: 256}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return "", nil, err
	}
	srv := &http.Server{Handler: http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		requests.Add(1)
		time.Sleep(delay)
		rp.ServeHTTP(w, r)
	}), ReadHeaderTimeout: time.Minute}
	go func() { _ = srv.Serve(ln) }()
	return "http://" + ln.Addr().String(), func() { _ = srv.Close() }, nil
}

// catalogRow writes a routine of n backups (ending an hour ago, so the
// measured backups are the newest) and measures the commands over it.
func (s *suite) catalogRow(ctx context.Context, st catalogStore, n int) (CatalogRow, error) {
	routine := fmt.Sprintf("history-%d", n)
	store, err := st.populate(ctx, routine)
	if err != nil {
		return CatalogRow{}, err
	}
	start := time.Now()
	err = WriteHistory(ctx, store, routine, s.cfg.Namespace, n, time.Now().Add(-time.Hour))
	store.Close()
	if err != nil {
		return CatalogRow{}, err
	}
	s.logf("%s: wrote %d backups of routine %s in %s", st.name, n, routine, time.Since(start).Round(time.Millisecond))
	row := CatalogRow{Storage: st.name, Backups: n}
	where := []string{"--storage", st.url(routine), "--routine", routine, "--log-level", "error"}
	// The point in time is the history's last hour: a full and up to nine
	// incrementals to plan, among every backup read.
	pit := time.Now().Add(-time.Hour).UTC().Format(time.RFC3339)
	cmds := []struct {
		dst  *Sample
		args []string
		want string
	}{
		{&row.Backup, append([]string{"backup", "--host", s.addr(), "--namespace", s.cfg.Namespace}, where...), routine + "/backup/"},
		{&row.List, append([]string{"list"}, where...), routine + "/"},
		{&row.Prune, append([]string{"retention", "prune", "--dry-run", "--keep-full", "3", "--keep-incremental", "1"}, where...), ""},
		{&row.PointInTime, append([]string{"restore-at-timestamp", "--host", s.addr(), "--time", pit, "--dry-run",
			"--namespace-map", s.cfg.Namespace + "=" + s.cfg.Restore}, where...), ""},
	}
	for i, c := range cmds {
		var smps []Sample
		var reqs []int64
		for range s.cfg.Repeat {
			before := st.sent()
			smp, err := s.measure(ctx, s.cfg.CLI, c.args...)
			if err != nil {
				return row, err
			}
			reqs = append(reqs, st.sent()-before)
			if c.want != "" && !strings.Contains(smp.Stdout, c.want) {
				return row, fmt.Errorf("aerobackup %s printed no %q:\n%s", c.args[0], c.want, tail(smp.Stdout, 5))
			}
			smps = append(smps, smp)
		}
		*c.dst = median(smps)
		slices.Sort(reqs)
		row.Requests[i] = reqs[len(reqs)/2]
		if st.requests == nil {
			row.Requests[i] = -1
		}
	}
	return row, nil
}

// WriteHistory writes n backups of routine (a full every tenth run, hourly
// incrementals between, the last one at end), each a metadata.yaml beside
// one small data file, as a routine kept for months looks, 32 writes at a
// time.
func WriteHistory(ctx context.Context, store storage.Store, routine, namespace string, n int, end time.Time) error {
	end = end.Truncate(time.Millisecond)
	sem := make(chan struct{}, 32)
	var wg sync.WaitGroup
	var mu sync.Mutex
	var first error
	for i := range n {
		sem <- struct{}{}
		wg.Add(1)
		go func() {
			defer func() { <-sem; wg.Done() }()
			created := end.Add(-time.Duration(n-1-i) * time.Hour)
			typ, from := catalog.Full, time.Time{}
			if i%10 != 0 {
				typ, from = catalog.Incremental, created.Add(-time.Hour)
			}
			dir := catalog.NamespaceDir(catalog.RunDir(routine, typ, created), namespace)
			err := store.WriteFile(ctx, dir+"/"+namespace+"_0.asb", []byte("Version 3.1\n"))
			if err == nil {
				err = catalog.WriteMetadata(ctx, store, dir, &catalog.Metadata{Created: created, Finished: created.Add(time.Minute),
					From: from, Namespace: namespace, RecordCount: 1000, ByteCount: 100_000, FileCount: 1,
					Compression: "NONE", Encryption: "NONE"})
			}
			if err != nil {
				mu.Lock()
				if first == nil {
					first = fmt.Errorf("backup %d of %s: %w", i, routine, err)
				}
				mu.Unlock()
			}
		}()
	}
	wg.Wait()
	return first
}

// The targets of issue 24: a full backup's cost within 10% of its cost
// over the smallest history, and list, prune --dry-run and the
// point-in-time plan of the largest under 2 s locally, 5 s on the
// delayed object store.
func (res *CatalogResult) check() {
	base := map[string]CatalogRow{}
	for _, r := range res.Rows {
		if b, ok := base[r.Storage]; !ok || r.Backups < b.Backups {
			base[r.Storage] = r
		}
	}
	for _, r := range res.Rows {
		b := base[r.Storage]
		if r.Backups == b.Backups {
			continue
		}
		ratio := float64(r.Backup.Elapsed) / float64(b.Backup.Elapsed)
		res.Checks = append(res.Checks, fmt.Sprintf("%s: full backup at %d backups / at %d: %.2f (target <= 1.10): %s",
			r.Storage, r.Backups, b.Backups, ratio, pass(ratio <= 1.10)))
		limit := 2 * time.Second
		if r.Storage != "local" {
			limit = 5 * time.Second
		}
		for _, c := range []struct {
			what string
			smp  Sample
		}{{"list", r.List}, {"retention prune --dry-run", r.Prune}, {"restore-at-timestamp --dry-run", r.PointInTime}} {
			res.Checks = append(res.Checks, fmt.Sprintf("%s: %s of %d backups: %s (target < %s): %s",
				r.Storage, c.what, r.Backups, c.smp.Elapsed.Round(time.Millisecond), limit, pass(c.smp.Elapsed < limit)))
		}
	}
}

func pass(ok bool) string {
	if ok {
		return "PASS"
	}
	return "FAIL"
}

// WriteTable prints the rows as a Markdown table, then the checks.
func (res *CatalogResult) WriteTable(w io.Writer) {
	fmt.Fprintln(w, "| storage | backups stored | full backup | list | retention prune --dry-run | restore-at-timestamp --dry-run |")
	fmt.Fprintln(w, "|---|---|---|---|---|---|")
	ms := func(s Sample, requests int64) string {
		out := fmt.Sprintf("%s (CPU %s", s.Elapsed.Round(time.Millisecond), s.CPU.Round(time.Millisecond))
		if requests >= 0 {
			out += fmt.Sprintf(", %d requests", requests)
		}
		return out + ")"
	}
	for _, r := range res.Rows {
		fmt.Fprintf(w, "| %s | %s | %s | %s | %s | %s |\n", r.Storage, thousands(r.Backups),
			ms(r.Backup, r.Requests[0]), ms(r.List, r.Requests[1]), ms(r.Prune, r.Requests[2]), ms(r.PointInTime, r.Requests[3]))
	}
	fmt.Fprintln(w)
	for _, c := range res.Checks {
		fmt.Fprintln(w, "- "+c)
	}
}
