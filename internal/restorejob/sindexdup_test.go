package restorejob

import (
	"bytes"
	"context"
	"log/slog"
	"slices"
	"strings"
	"testing"

	as "github.com/aerospike/aerospike-client-go/v8"
	"github.com/aerospike/backup-go"
	"github.com/aerospike/backup-go/models"

	"github.com/aerobackup/aerobackup/internal/aerospiketest"
	"github.com/aerobackup/aerobackup/internal/storage"
)

// restoreLogged restores dir of store (a backup of test) into dest of srv
// (dest "": test, not mapped) and returns what the job logged.
func restoreLogged(t *testing.T, srv *aerospiketest.Server, store storage.Store, dir, dest string) (*Result, string, error) {
	t.Helper()
	var logs bytes.Buffer
	job := &Job{Store: store, Conn: connect(t, srv), Log: slog.New(slog.NewTextHandler(&logs, nil)),
		Chains: []Chain{{Namespace: dest, Steps: []Step{{Label: "nightly", Dir: dir, Source: "test",
			Destination: dest, ExpectedRecords: seededRecords, Config: backup.NewDefaultRestoreConfig()}}}}}
	res, err := job.Run(context.Background())
	return res, logs.String(), err
}

// names are the index names of ns in a sindex-list answer.
func names(list []string, ns string) []string {
	var out []string
	for _, e := range list {
		if field(e, "ns") == ns {
			out = append(out, field(e, "indexname"))
		}
	}
	slices.Sort(out)
	return out
}

// keptWarning checks that the job logged exactly one warning naming the
// backup's index, the kept one and the namespace.
func keptWarning(t *testing.T, logs, ns, kept string) {
	t.Helper()
	var found []string
	for _, line := range strings.Split(logs, "\n") {
		if strings.Contains(line, "level=WARN") && strings.Contains(line, "same definition") {
			found = append(found, line)
		}
	}
	want := []string{"index=test_alpha_int", "namespace=" + ns, "existing-index=" + kept}
	if len(found) != 1 {
		t.Fatalf("want one warning about the kept index, got %q in:\n%s", found, logs)
	}
	for _, w := range want {
		if !strings.Contains(found[0], w) {
			t.Errorf("warning %q does not name %s", found[0], w)
		}
	}
}

// The bug: bar held the backup's index under another name (a server keeps
// one index per definition). The restore failed after the records where
// the create was refused with INDEX_FOUND, and 8.1 (as the test server
// now) renames the existing index to the backup's name instead. Now the
// existing index is kept under its name, with a warning.
func TestRestoreKeepsIndexOfSameDefinitionUnderAnotherName(t *testing.T) {
	f := formats[0]
	src := aerospiketest.NewServer(t, aerospiketest.Options{Namespaces: []string{"test"}})
	store, dir := backupTest(t, src, f, "")
	dst := aerospiketest.NewServer(t, aerospiketest.Options{Namespaces: []string{"bar"}})
	createIndex(t, dst, "bar", "bar_alpha_int")

	res, logs, err := restoreLogged(t, dst, store, dir, "bar")
	if err != nil {
		t.Fatalf("restore test -> bar: %v", err)
	}
	checkCounts(t, res, dst, "bar")
	if got := names(sindexList(t, dst), "bar"); !slices.Equal(got, []string{"bar_alpha_int"}) {
		t.Errorf("bar's indexes: %q, want bar_alpha_int kept and test_alpha_int not made", got)
	}
	keptWarning(t, logs, "bar", "bar_alpha_int")
}

// Without a mapping the same: test holds the backup's index under another
// name when the backup is restored into it.
func TestRestoreUnmappedKeepsIndexOfSameDefinitionUnderAnotherName(t *testing.T) {
	f := formats[0]
	srv := aerospiketest.NewServer(t, aerospiketest.Options{Namespaces: []string{"test"}})
	store, dir := backupTest(t, srv, f, "")
	dropIndex(t, srv, "test", "test_alpha_int")
	createIndex(t, srv, "test", "mine")

	_, logs, err := restoreLogged(t, srv, store, dir, "")
	if err != nil {
		t.Fatalf("restore test: %v", err)
	}
	if got := names(sindexList(t, srv), "test"); !slices.Equal(got, []string{"mine"}) {
		t.Errorf("test's indexes: %q, want mine kept and test_alpha_int not made", got)
	}
	keptWarning(t, logs, "test", "mine")
}

// An index of the backup's name and another definition is still replaced
// by the backup's (backup-go drops it and creates it again), with no
// warning about a kept index.
func TestRestoreReplacesIndexOfSameNameOtherDefinition(t *testing.T) {
	f := formats[0]
	src := aerospiketest.NewServer(t, aerospiketest.Options{Namespaces: []string{"test"}})
	store, dir := backupTest(t, src, f, "")
	dst := aerospiketest.NewServer(t, aerospiketest.Options{Namespaces: []string{"bar"}})
	createBinIndex(t, dst, "bar", "test_alpha_int", "str", as.STRING)

	res, logs, err := restoreLogged(t, dst, store, dir, "bar")
	if err != nil {
		t.Fatalf("restore test -> bar: %v", err)
	}
	checkCounts(t, res, dst, "bar")
	wantIndexIn(t, sindexList(t, dst), "bar")
	if strings.Contains(logs, "same definition") {
		t.Errorf("warned about a kept index:\n%s", logs)
	}
}

func dropIndex(t *testing.T, srv *aerospiketest.Server, ns, name string) {
	t.Helper()
	c, err := as.NewClient(srv.Host(), srv.Port())
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	if err := c.DropIndex(nil, ns, "alpha", name); err != nil {
		t.Fatal(err)
	}
}

func TestSameDefinition(t *testing.T) {
	base := models.SIndex{Namespace: "bar", Set: "alpha", Name: "a", IndexType: models.BinSIndex,
		Path: models.SIndexPath{BinName: "int", BinType: models.NumericSIDataType}}
	exp := base
	exp.Path.BinName, exp.Expression = "", "kwEB"
	tests := []struct {
		name   string
		change func(*models.SIndex)
		same   bool
	}{
		{"another name only", func(s *models.SIndex) { s.Name = "b" }, true},
		{"no set: the whole namespace", func(s *models.SIndex) { s.Set = "" }, false},
		{"set differs in case", func(s *models.SIndex) { s.Set = "Alpha" }, false},
		{"another namespace", func(s *models.SIndex) { s.Namespace = "test" }, false},
		{"another bin", func(s *models.SIndex) { s.Path.BinName = "str" }, false},
		{"another bin type", func(s *models.SIndex) { s.Path.BinType = models.StringSIDataType }, false},
		{"list elements", func(s *models.SIndex) { s.IndexType = models.ListElementSIndex }, false},
		{"a context", func(s *models.SIndex) { s.Path.B64Context = "kZMQAQ==" }, false},
		{"an expression", func(s *models.SIndex) { s.Expression = "kwEB" }, false},
	}
	for _, tt := range tests {
		other := base
		tt.change(&other)
		if got := sameDefinition(&base, &other); got != tt.same {
			t.Errorf("%s: same definition = %v, want %v", tt.name, got, tt.same)
		}
	}
	// An expression index is listed with bin "null"; its bin is not compared.
	listed := exp
	listed.Name, listed.Path.BinName = "b", "null"
	if !sameDefinition(&exp, &listed) {
		t.Error("expression indexes differing only in the listed bin are not the same")
	}
}
