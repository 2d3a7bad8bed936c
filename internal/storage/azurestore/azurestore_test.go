package azurestore

import (
	"context"
	"io"
	"net/http"
	"net/http/httptest"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/Azure/azure-sdk-for-go/sdk/azcore/policy"
	"github.com/Azure/azure-sdk-for-go/sdk/storage/azblob"

	"github.com/aerobackup/aerobackup/internal/storage"
	"github.com/aerobackup/aerobackup/internal/storage/storagetest"
)

// emulator returns Options for the Azurite instance named by the
// AEROBACKUP_TEST_AZURE_* variables (see .ci/emulators.sh), or skips the
// test when they are unset, unless AEROBACKUP_REQUIRE_EMULATORS=1.
func emulator(t *testing.T) Options {
	t.Helper()
	env := storagetest.EmulatorEnv(t, "AEROBACKUP_TEST_AZURE_ENDPOINT",
		"AEROBACKUP_TEST_AZURE_ACCOUNT_NAME", "AEROBACKUP_TEST_AZURE_ACCOUNT_KEY")
	return Options{Endpoint: env[0], AccountName: env[1], AccountKey: env[2]}
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
	storagetest.WriteRead(t, s, 3<<20, storage.WriterOptions{StorageClass: "cool", Concurrency: 2})
	if _, err := s.BackupWriter(ctx(t), "x", storage.WriterOptions{StorageClass: "Glacier"}); err == nil ||
		!strings.Contains(err.Error(), `unknown access tier "Glacier"`) {
		t.Errorf("bad tier: %v", err)
	}
}

func TestErrorMissingContainer(t *testing.T) {
	opts := emulator(t)
	opts.ContainerName = randomName("aerobackup-missing-")
	opts.Path = "prefix"
	_, err := New(ctx(t), opts)
	want := `azure "` + opts.ContainerName + `/prefix": container "` + opts.ContainerName + `" not found (check container-name)`
	storagetest.CheckError(t, err, want)
}

func TestErrorWrongKey(t *testing.T) {
	opts := emulator(t)
	opts.ContainerName = newContainer(t, opts)
	opts.AccountKey = "d3Jvbmcga2V5IHdyb25nIGtleSB3cm9uZyBrZXk=" // valid base64, wrong key
	_, err := New(ctx(t), opts)
	want := `azure "` + opts.ContainerName + `": wrong credentials (check account-name and account-key, or tenant-id, client-id and client-secret)`
	storagetest.CheckError(t, err, want)
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
	storagetest.CheckNotFound(t, s, `azure "`+opts.ContainerName+`"`)
}

// TestErrorUnreachable needs no emulator: nothing listens on the port.
func TestErrorUnreachable(t *testing.T) {
	addr := storagetest.ClosedAddr(t)
	_, err := New(ctx(t), Options{Endpoint: "http://" + addr + "/devstoreaccount1", ContainerName: "c", Path: "p"})
	storagetest.CheckUnreachable(t, err, `azure "c/p": endpoint unreachable (check endpoint`)
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
	storagetest.CheckError(t, err, want)
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
