package azurestore

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/Azure/azure-sdk-for-go/sdk/azcore/policy"
	"github.com/Azure/azure-sdk-for-go/sdk/storage/azblob"
	"github.com/aerospike/backup-go"
	"github.com/aerospike/backup-go/models"

	"github.com/aerobackup/aerobackup/internal/storage"
	"github.com/aerobackup/aerobackup/internal/storage/storagetest"
)

// emulator returns Options for the Azurite instance named by the
// AEROBACKUP_TEST_AZURE_* variables (see .ci/emulators.sh), or skips the
// test when they are unset, unless AEROBACKUP_REQUIRE_EMULATORS=1.
func emulator(t *testing.T) Options {
	t.Helper()
	opts := Options{
		Endpoint:    os.Getenv("AEROBACKUP_TEST_AZURE_ENDPOINT"),
		AccountName: os.Getenv("AEROBACKUP_TEST_AZURE_ACCOUNT_NAME"),
		AccountKey:  os.Getenv("AEROBACKUP_TEST_AZURE_ACCOUNT_KEY"),
	}
	if opts.Endpoint == "" || opts.AccountName == "" || opts.AccountKey == "" {
		const why = "AEROBACKUP_TEST_AZURE_ENDPOINT/_ACCOUNT_NAME/_ACCOUNT_KEY are not set; run eval \"$(.ci/emulators.sh start)\""
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

// newContainer creates a fresh container through a plain client and
// deletes it (with its blobs) when the test ends.
func newContainer(t *testing.T, opts Options) string {
	t.Helper()
	cred, err := azblob.NewSharedKeyCredential(opts.AccountName, opts.AccountKey)
	if err != nil {
		t.Fatal(err)
	}
	admin, err := azblob.NewClientWithSharedKeyCredential(opts.Endpoint, cred, nil)
	if err != nil {
		t.Fatal(err)
	}
	name := randomName("aerobackup-test-")
	if _, err := admin.CreateContainer(ctx(t), name, nil); err != nil {
		t.Fatalf("create container: %v", err)
	}
	t.Cleanup(func() { _, _ = admin.DeleteContainer(context.Background(), name, nil) })
	return name
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
	opts.ContainerName = newContainer(t, opts)
	opts.MetadataAccessTier = "cool"
	storagetest.Run(t, func(t *testing.T) storage.Store {
		o := opts
		o.Path = randomName("backups/p-")
		return open(t, o)
	})
}

func TestConformanceContainerRoot(t *testing.T) {
	opts := emulator(t)
	storagetest.Run(t, func(t *testing.T) storage.Store {
		o := opts
		o.ContainerName = newContainer(t, opts)
		return open(t, o)
	})
}

// TestBlobNames checks that blobs land where ABS expects them:
// <container>/<path>/<store path>, and that ".." stays below the prefix.
func TestBlobNames(t *testing.T) {
	opts := emulator(t)
	opts.ContainerName = newContainer(t, opts)
	opts.Path = "/abs/backups/"
	s := open(t, opts)
	for _, p := range []string{"nightly/backup/1/data/ns/metadata.yaml", "../escape"} {
		if err := s.WriteFile(ctx(t), p, []byte("m")); err != nil {
			t.Fatal(err)
		}
	}
	var names []string
	pager := s.Client().NewListBlobsFlatPager(opts.ContainerName, nil)
	for pager.More() {
		page, err := pager.NextPage(ctx(t))
		if err != nil {
			t.Fatal(err)
		}
		for _, b := range page.Segment.BlobItems {
			names = append(names, *b.Name)
		}
	}
	want := []string{"abs/backups/escape", "abs/backups/nightly/backup/1/data/ns/metadata.yaml"}
	if !slices.Equal(names, want) {
		t.Errorf("blob names = %v, want %v", names, want)
	}
}

func TestBackupWriterRestoreReader(t *testing.T) {
	opts := emulator(t)
	opts.ContainerName = newContainer(t, opts)
	opts.Path = "backups"
	opts.MinPartSize = 1 << 20 // several blocks per big file
	s := open(t, opts)

	const dir = "nightly/backup/1700000000000/data/test"
	big := strings.Repeat("0123456789abcdef", (3<<20)/16)
	files := map[string]string{"test_0.asb": "Version 3.1\n# namespace test\n", "test_1.asb": big}
	w, err := s.BackupWriter(ctx(t), dir, storage.WriterOptions{})
	if err != nil {
		t.Fatalf("BackupWriter: %v", err)
	}
	for name, content := range files {
		writeThrough(t, w, name, content)
	}
	if err := s.WriteFile(ctx(t), dir+"/metadata.yaml", []byte("namespace: test\n")); err != nil {
		t.Fatal(err)
	}
	if _, err := s.BackupWriter(ctx(t), dir, storage.WriterOptions{}); err == nil {
		t.Error("BackupWriter on a non-empty folder succeeded")
	}

	got := drain(t, mustReader(t, s, dir, storage.ReaderOptions{}))
	if !slices.Equal(keys(got), []string{"test_0.asb", "test_1.asb"}) ||
		got["test_0.asb"][0] != files["test_0.asb"] || got["test_1.asb"][0] != big {
		t.Errorf("restored %v", keys(got))
	}

	const dir2 = "nightly/incremental/1700000000001/data/test"
	w, err = s.BackupWriter(ctx(t), dir2, storage.WriterOptions{StorageClass: "cool", Concurrency: 2})
	if err != nil {
		t.Fatal(err)
	}
	writeThrough(t, w, "test_0.asb", "incremental\n")
	got = drain(t, mustReader(t, s, "", storage.ReaderOptions{Dirs: []string{dir, dir2}}))
	if zero := got["test_0.asb"]; len(zero) != 2 || !slices.Contains(zero, "incremental\n") || len(got["test_1.asb"]) != 1 {
		t.Errorf("Dirs read %v", got["test_0.asb"])
	}
	got = drain(t, mustReader(t, s, "", storage.ReaderOptions{Files: []string{dir2 + "/test_0.asb"}}))
	if !slices.Equal(keys(got), []string{"test_0.asb"}) || got["test_0.asb"][0] != "incremental\n" {
		t.Errorf("Files read %v", got)
	}
	if _, err := s.RestoreReader(ctx(t), "nightly/backup/404", storage.ReaderOptions{}); err == nil {
		t.Error("RestoreReader on an empty folder succeeded")
	}
	if _, err := s.BackupWriter(ctx(t), "x", storage.WriterOptions{StorageClass: "Glacier"}); err == nil ||
		!strings.Contains(err.Error(), `unknown access tier "Glacier"`) {
		t.Errorf("bad tier: %v", err)
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

// drain streams every file and returns the contents by base name.
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

func TestErrorMissingContainer(t *testing.T) {
	opts := emulator(t)
	opts.ContainerName = randomName("aerobackup-missing-")
	opts.Path = "prefix"
	_, err := New(ctx(t), opts)
	want := `azure "` + opts.ContainerName + `/prefix": container "` + opts.ContainerName + `" not found (check container-name)`
	if err == nil || err.Error() != want {
		t.Errorf("error = %v\nwant    %s", err, want)
	}
}

func TestErrorWrongKey(t *testing.T) {
	opts := emulator(t)
	opts.ContainerName = newContainer(t, opts)
	opts.AccountKey = "d3Jvbmcga2V5IHdyb25nIGtleSB3cm9uZyBrZXk=" // valid base64, wrong key
	_, err := New(ctx(t), opts)
	want := `azure "` + opts.ContainerName + `": wrong credentials (check account-name and account-key, or tenant-id, client-id and client-secret)`
	if err == nil || err.Error() != want {
		t.Errorf("error = %v\nwant    %s", err, want)
	}
	opts.AccountKey = "not base64!"
	if _, err := New(ctx(t), opts); err == nil || !strings.Contains(err.Error(), "account-key is not valid base64") ||
		strings.Contains(err.Error(), "not base64!") {
		t.Errorf("bad key: %v", err)
	}
}

func TestNotFoundIsSentinel(t *testing.T) {
	opts := emulator(t)
	opts.ContainerName = newContainer(t, opts)
	s := open(t, opts)
	_, err := s.ReadFile(ctx(t), "a/missing.yaml")
	if !errors.Is(err, storage.ErrNotFound) {
		t.Fatalf("err = %v", err)
	}
	if want := `azure "` + opts.ContainerName + `": read "a/missing.yaml": not found`; err.Error() != want {
		t.Errorf("message = %q, want %q", err, want)
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
	_, err = New(ctx(t), Options{Endpoint: "http://" + addr + "/devstoreaccount1", ContainerName: "c", Path: "p"})
	if err == nil {
		t.Fatal("New succeeded against a closed port")
	}
	msg := err.Error()
	if !strings.HasPrefix(msg, `azure "c/p": endpoint unreachable (check endpoint`) ||
		!strings.Contains(msg, "connection refused") || strings.Contains(msg, "\n") {
		t.Errorf("error = %q", msg)
	}
}

// TestClientSecretCredential checks the Entra ID client-credentials flow
// against a token endpoint standing in for login.microsoftonline.com.
func TestClientSecretCredential(t *testing.T) {
	calls := 0
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		calls++
		if r.URL.Path != "/my-tenant/oauth2/v2.0/token" {
			t.Errorf("token path %q", r.URL.Path)
		}
		_ = r.ParseForm()
		if r.Form.Get("grant_type") != "client_credentials" || r.Form.Get("client_id") != "app" ||
			r.Form.Get("client_secret") != "s3cret" || r.Form.Get("scope") != storageScope {
			w.WriteHeader(http.StatusUnauthorized)
			_, _ = io.WriteString(w, `{"error":"invalid_client"}`)
			return
		}
		w.Header().Set("Content-Type", "application/json")
		_, _ = io.WriteString(w, `{"access_token":"tok","token_type":"Bearer","expires_in":3600}`)
	}))
	defer srv.Close()
	t.Setenv("AZURE_AUTHORITY_HOST", srv.URL)

	c := newClientSecretCredential("my-tenant", "app", "s3cret")
	for range 2 {
		tok, err := c.GetToken(ctx(t), policy.TokenRequestOptions{Scopes: []string{storageScope}})
		if err != nil || tok.Token != "tok" || time.Until(tok.ExpiresOn) < 50*time.Minute {
			t.Fatalf("GetToken = %+v, %v", tok, err)
		}
	}
	if calls != 1 {
		t.Errorf("token endpoint called %d times, want 1 (cached)", calls)
	}

	// A rejected secret surfaces as wrong credentials through New.
	_, err := New(ctx(t), Options{Endpoint: "https://127.0.0.1:1/acct", ContainerName: "c",
		TenantID: "my-tenant", ClientID: "app", ClientSecret: "wrong"})
	want := `azure "c": wrong credentials (check account-name and account-key, or tenant-id, client-id and client-secret)`
	if err == nil || err.Error() != want {
		t.Errorf("error = %v\nwant    %s", err, want)
	}
}

func TestOptionsValidation(t *testing.T) {
	base := Options{Endpoint: "http://x", ContainerName: "c"}
	for _, c := range []struct {
		mut  func(*Options)
		want string
	}{
		{func(o *Options) { o.Endpoint = "" }, "endpoint is not set"},
		{func(o *Options) { o.ContainerName = "" }, "container-name is not set"},
		{func(o *Options) { o.AccountName, o.AccountKey, o.TenantID = "a", "k", "t" }, "not both"},
		{func(o *Options) { o.AccountName = "a" }, "account-name and account-key must be set together"},
		{func(o *Options) { o.TenantID, o.ClientID = "t", "c" }, "tenant-id, client-id and client-secret"},
		{func(o *Options) { o.DataAccessTier = "Frozen" }, `unknown access tier "Frozen"`},
		{func(o *Options) { o.MetadataAccessTier = "Archive" }, "not allowed for metadata"},
	} {
		o := base
		c.mut(&o)
		_, err := New(context.Background(), o)
		if err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("New(%+v) = %v, want %q", o, err, c.want)
		}
	}
}
