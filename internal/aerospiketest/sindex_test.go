package aerospiketest

import (
	"slices"
	"strings"
	"testing"

	as "github.com/aerospike/aerospike-client-go/v8"
	"github.com/aerospike/aerospike-client-go/v8/types"
)

// listIndexes is "sindex-list:namespace=ns" split into entries.
func listIndexes(t *testing.T, c *as.Client, ns string) []string {
	t.Helper()
	cmd := "sindex-list:namespace=" + ns
	info, err := c.GetNodes()[0].RequestInfo(as.NewInfoPolicy(), cmd)
	if err != nil {
		t.Fatal(err)
	}
	var out []string
	for _, e := range strings.Split(info[cmd], ";") {
		if e != "" {
			out = append(out, e)
		}
	}
	slices.Sort(out)
	return out
}

func createIndex(t *testing.T, c *as.Client, ns, set, name, bin string, typ as.IndexType) error {
	t.Helper()
	task, err := c.CreateIndex(nil, ns, set, name, bin, typ)
	if err != nil {
		return err
	}
	if err := <-task.OnComplete(); err != nil {
		t.Fatalf("index task %s: %v", name, err)
	}
	return nil
}

// TestSindexCreateAnswers checks sindex-create's answers, and sindex-list's
// fields, against what an 8.1 server does: one index per definition and
// one per name in a namespace, a create of a known definition under a new
// name renaming the index.
func TestSindexCreateAnswers(t *testing.T) {
	host, port, _ := TestCluster(t)
	c := newClient(t, host, port)
	if err := ClearMetadata(c, "test"); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = ClearMetadata(c, "test") })

	if err := createIndex(t, c, "test", "", "idx_a", "age", as.NUMERIC); err != nil {
		t.Fatalf("create idx_a: %v", err)
	}
	want := []string{"ns=test:indexname=idx_a:set=null:bin=age:type=numeric:indextype=default:context=null:exp=null:state=RW"}
	if got := listIndexes(t, c, "test"); !slices.Equal(got, want) {
		t.Fatalf("sindex-list: %q, want %q", got, want)
	}
	// The same name and definition again: nothing to do.
	if err := createIndex(t, c, "test", "", "idx_a", "age", as.NUMERIC); err != nil {
		t.Errorf("create idx_a again: %v", err)
	}
	// The name on another definition: refused.
	err := createIndex(t, c, "test", "", "idx_a", "name", as.STRING)
	if err == nil || !err.(as.Error).Matches(types.INDEX_FOUND) {
		t.Errorf("create idx_a on another bin: %v, want INDEX_FOUND", err)
	}
	// The definition under another name: the index is renamed.
	if err := createIndex(t, c, "test", "", "idx_b", "age", as.NUMERIC); err != nil {
		t.Errorf("create idx_b of idx_a's definition: %v", err)
	}
	want = []string{"ns=test:indexname=idx_b:set=null:bin=age:type=numeric:indextype=default:context=null:exp=null:state=RW"}
	if got := listIndexes(t, c, "test"); !slices.Equal(got, want) {
		t.Errorf("sindex-list after the rename: %q, want %q", got, want)
	}
	// A set makes another definition.
	if err := createIndex(t, c, "test", "people", "idx_c", "age", as.NUMERIC); err != nil {
		t.Errorf("create idx_c on set people: %v", err)
	}
	if got := listIndexes(t, c, "test"); len(got) != 2 {
		t.Errorf("sindex-list: %q, want idx_b and idx_c", got)
	}
}

// A node answers the indexes of a namespace it does not have with error
// 20 (INVALID_NAMESPACE), as a real 8.1 node does (backup-go asks before
// it scans, so this is the error a backup of a missing namespace gets).
func TestSindexListOfAMissingNamespace(t *testing.T) {
	host, port, _ := TestCluster(t)
	c := newClient(t, host, port)
	cmd := "sindex-list:namespace=nosuch"
	info, err := c.GetNodes()[0].RequestInfo(as.NewInfoPolicy(), cmd)
	if err != nil {
		t.Fatal(err)
	}
	if got := info[cmd]; !strings.HasPrefix(got, "ERROR:20:") {
		t.Fatalf("%s: %q, want ERROR:20:...", cmd, got)
	}
}
