package bench

import (
	"bytes"
	"context"
	"io"
	"net"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	as "github.com/aerospike/aerospike-client-go/v8"

	"github.com/aerobackup/aerobackup/internal/aerospiketest"
)

// The documents below are aerobackup's --json output, cut down to what
// the lookup reads and a little beside it.
const (
	findDoc = `{"type": "find", "routine": "lookup", "records": [{"record": "key \"k\" (string) in set \"beta\"", "found": true,
  "versions": [{"backup": "lookup/backup/2", "type": "full"}, {"backup": "lookup/backup/1", "type": "full"}]}],
  "backups-searched": 6, "files-read": 6, "files-held": 48, "bytes-read": 881664}`
	keyRestoreDoc = `{"type": "restore", "outcome": "success", "totals": {"records-read": 1, "bytes-read": 314},
  "selected": {"records": [{"record": "k", "found": true, "backup": "lookup/backup/1", "generation": 1}],
  "files-read": 6, "files-held": 48, "bytes-read": 881664}, "duration-millis": 9}`
	fullRestoreDoc = `{"type": "restore", "outcome": "success", "write-policy": "bar: newest-first",
  "totals": {"records-read": 22000, "records-inserted": 20000, "bytes-read": 6920000}, "duration-millis": 234}`
)

func TestParseRead(t *testing.T) {
	for _, tc := range []struct {
		name    string
		cmd     lookupCmd
		doc     string
		want    LookupRead
		wantErr string
	}{
		{"find", findKey, findDoc, LookupRead{BytesRead: 881664, FilesRead: 6, FilesHeld: 48,
			Backups: []string{"lookup/backup/2", "lookup/backup/1"}}, ""},
		// The selected block, not the totals of the one-record stream
		// written.
		{"restore --key", keyRestore, keyRestoreDoc, LookupRead{BytesRead: 881664, FilesRead: 6, FilesHeld: 48,
			Backups: []string{"lookup/backup/1"}}, ""},
		{"full restore", fullRestore, fullRestoreDoc, LookupRead{BytesRead: 6920000, Records: 22000}, ""},
		{"find without its counts", findKey, `{"type": "find", "records": [{"found": true}]}`, LookupRead{}, `without "files-read"`},
		{"find of nothing", findKey, `{"type": "find", "records": [{"found": false}], "files-read": 6}`, LookupRead{}, "want the one looked up, found"},
		{"restore --key without a selection", keyRestore, fullRestoreDoc, LookupRead{}, `without "selected"`},
		{"restore --key of nothing", keyRestore, `{"type": "restore", "selected": {"records": [{"found": false}]}}`, LookupRead{}, "want the one looked up, found"},
		{"a full restore that selected", fullRestore, keyRestoreDoc, LookupRead{}, `no "selected"`},
		{"an error document", fullRestore, `{"type": "error", "message": "x"}`, LookupRead{}, `got type "error"`},
		{"not JSON", findKey, "full backup of routine", LookupRead{}, "invalid character"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got, err := parseRead(tc.cmd, tc.doc)
			if tc.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tc.wantErr) {
					t.Fatalf("err %v, want one saying %q", err, tc.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if got.BytesRead != tc.want.BytesRead || got.FilesRead != tc.want.FilesRead || got.FilesHeld != tc.want.FilesHeld ||
				got.Records != tc.want.Records || !slices.Equal(got.Backups, tc.want.Backups) {
				t.Fatalf("got %+v, want %+v", got, tc.want)
			}
		})
	}
}

func TestLookupExpect(t *testing.T) {
	found := LookupRead{BytesRead: 10, FilesRead: 6, FilesHeld: 48, Backups: []string{"full"}}
	for _, tc := range []struct {
		name    string
		cmd     lookupCmd
		rd      LookupRead
		wantErr string
	}{
		{"find in the full", findKey, found, ""},
		{"restore --key from the full", keyRestore, found, ""},
		{"an incremental holds it", findKey, LookupRead{BytesRead: 10, FilesRead: 6, FilesHeld: 48, Backups: []string{"incr", "full"}}, "want only the full"},
		{"no file read", keyRestore, LookupRead{BytesRead: 10, FilesHeld: 48, Backups: []string{"full"}}, "read 0 of 48"},
		{"no byte read", findKey, LookupRead{FilesRead: 6, FilesHeld: 48, Backups: []string{"full"}}, "read 0 bytes"},
		{"the whole chain", fullRestore, LookupRead{BytesRead: 10, Records: 22000}, ""},
		{"part of the chain", fullRestore, LookupRead{BytesRead: 10, Records: 20000}, "want the chain's 22000"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			err := tc.rd.expect(tc.cmd, "full", 22000)
			if tc.wantErr == "" && err != nil || tc.wantErr != "" && (err == nil || !strings.Contains(err.Error(), tc.wantErr)) {
				t.Fatalf("err %v, want %q", err, tc.wantErr)
			}
		})
	}
}

func TestMedianRead(t *testing.T) {
	got := medianRead([]LookupRead{{BytesRead: 30, FilesRead: 3}, {BytesRead: 10, FilesRead: 1}, {BytesRead: 20, FilesRead: 2}})
	if got.BytesRead != 20 || got.FilesRead != 2 {
		t.Fatalf("median %+v, want the run that read 20 bytes", got)
	}
	if got := medianRead(nil); got.BytesRead != 0 {
		t.Fatalf("median of none %+v", got)
	}
}

// TestLookupReport: the lookup's table of its own, after the others, and
// its checks: the bytes and time of find and restore --key over the full
// restore's, against 2/parallel of its bytes.
func TestLookupReport(t *testing.T) {
	lk := &Lookup{Records: 200_000, Incrementals: 5, Share: 0.02, Parallel: 8, Key: `string "k" in set "beta"`,
		Find: LookupRun{Sample: Sample{Elapsed: 100 * time.Millisecond, CPU: 80 * time.Millisecond, MaxRSS: 40 * mib},
			Read: LookupRead{BytesRead: 8 * mib, FilesRead: 6, FilesHeld: 48}},
		KeyRestore: LookupRun{Sample: Sample{Elapsed: 150 * time.Millisecond, CPU: 90 * time.Millisecond, MaxRSS: 45 * mib},
			Read: LookupRead{BytesRead: 40 * mib, FilesRead: 48, FilesHeld: 48}},
		Full: LookupRun{Sample: Sample{Elapsed: 4 * time.Second, CPU: 3 * time.Second, MaxRSS: 90 * mib},
			Read: LookupRead{BytesRead: 64 * mib, Records: 220_000}},
		FindTimes: []float64{0.03, 0.02, 0.025, 0.04}, KeyTimes: []float64{0.05, 0.04}, FindCPU: []float64{0.02}, KeyCPU: []float64{0.03}}
	res := &Result{Rows: []Row{{Name: "restore 200k into an empty namespace", Records: 200_000, Ratios: []float64{1}}}, Lookup: lk}
	res.Check(Config{Records: 200_000, Small: 50_000})
	want := []string{
		"- one-key lookup: find --key read 6 of 48 data files, 8.0 MiB: x0.125 the bytes of the whole chain's restore (64.0 MiB; want <= x0.250, 2/parallel) in x0.028 (middle half of 4 blocks 0.03-0.03) its time (CPU x0.020): PASS",
		"- one-key lookup: restore-at-timestamp --key read 48 of 48 data files, 40.0 MiB: x0.625 the bytes of the whole chain's restore (64.0 MiB; want <= x0.250, 2/parallel) in x0.045 its time (CPU x0.030): FAIL",
	}
	if got := res.Checks[len(res.Checks)-2:]; !slices.Equal(got, want) {
		t.Fatalf("checks:\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
	var b strings.Builder
	res.WriteTable(&b, 200_000, 6)
	table := `| one key in a 200k-record chain: full + 5 incrementals of 2% each, parallel 8 (medians; 4 blocks) | time | CPU | RSS | bytes read | data files read | time over the full restore's (median of the blocks') | CPU over the full restore's | bytes over the full restore's |
|---|---|---|---|---|---|---|---|---|
| find --key string "k" in set "beta" | 100ms | 80ms | 40 MiB | 8.0 MiB | 6 of 48 | 0.028 | 0.020 | 0.125 |
| restore-at-timestamp --key string "k" in set "beta" | 150ms | 90ms | 45 MiB | 40.0 MiB | 48 of 48 | 0.045 | 0.030 | 0.625 |
| restore-at-timestamp of the whole chain into an empty namespace | 4s | 3s | 90 MiB | 64.0 MiB | all 48 | 1.000 | 1.000 | 1.000 |

`
	out := b.String()
	i := strings.Index(out, "| one key")
	if i < strings.Index(out, "| restore 200k") || !strings.HasPrefix(out[i:], table+res.Checks[0]) {
		t.Fatalf("table:\n%s\nwant, after the others and before the checks:\n%s", out, table)
	}

	// Without a lookup, the report has none of it.
	res = &Result{Rows: res.Rows}
	res.Check(Config{Records: 200_000, Small: 50_000})
	b.Reset()
	res.WriteTable(&b, 200_000, 6)
	if strings.Contains(b.String(), "one key") || strings.Contains(strings.Join(res.Checks, "\n"), "lookup") {
		t.Fatalf("a run without the lookup reports one:\n%s\n%s", b.String(), res.Checks)
	}
}

// TestLookupChain: the record looked up is one a flag can name, in
// lookupPartition, and touchSpread updates a fiftieth of the others,
// spread over the partitions, a different fiftieth each step.
func TestLookupChain(t *testing.T) {
	host, port, _ := aerospiketest.TestCluster(t)
	cfg := Config{Aerospike: net.JoinHostPort(host, strconv.Itoa(port)), Namespace: "test", Restore: "bar",
		WorkDir: t.TempDir(), Log: io.Discard}
	s, closeFn, err := open(context.Background(), cfg)
	if err != nil {
		t.Fatal(err)
	}
	defer closeFn()
	const n = 20_000
	if err := s.seed(n); err != nil {
		t.Fatal(err)
	}
	target, err := s.findTarget()
	if err != nil {
		t.Fatal(err)
	}
	var key *as.Key
	if target.keyType == "int" {
		v, _ := strconv.Atoi(target.key)
		key, err = as.NewKey("test", target.set, v)
	} else {
		key, err = as.NewKey("test", target.set, target.key)
	}
	if err != nil || !bytes.Equal(key.Digest(), target.digest) {
		t.Fatalf("target %s (%v): its flags name another record", target, err)
	}
	if p := key.PartitionId(); p != lookupPartition {
		t.Fatalf("target %s in partition %d, want %d", target, p, lookupPartition)
	}
	bins := func() map[string]int {
		out := map[string]int{}
		rs, err := s.client.ScanAll(nil, "test", "")
		if err != nil {
			t.Fatal(err)
		}
		for r := range rs.Results() {
			if r.Err != nil {
				t.Fatal(r.Err)
			}
			if v, ok := r.Record.Bins["bench-step"].(int); ok {
				out[string(r.Record.Key.Digest())] = v
			}
		}
		return out
	}
	for step := 1; step <= 2; step++ {
		changed, err := s.touchSpread(step, 50, target.digest)
		if err != nil {
			t.Fatal(err)
		}
		if changed < n/50-1 || changed > n/50 {
			t.Fatalf("step %d changed %d records, want a fiftieth of %d", step, changed, n)
		}
	}
	got := bins()
	steps := map[int]int{}
	ranges := map[int]bool{} // of 512 partitions, as a parallel-8 backup's files
	for d, v := range got {
		steps[v]++
		k, err := as.NewKeyWithDigest("test", "", "", []byte(d))
		if err != nil {
			t.Fatal(err)
		}
		ranges[k.PartitionId()/512] = true
	}
	if _, ok := got[string(target.digest)]; ok {
		t.Fatal("touchSpread changed the record looked up")
	}
	// Scan order within a partition may differ between scans: the two
	// steps' records may overlap a little, not wholly.
	if steps[2] < n/50-1 || steps[1] < n/100 || len(ranges) != 8 {
		t.Fatalf("records last changed by each step %v, in %d of 8 partition ranges; want a fiftieth each, spread over all", steps, len(ranges))
	}
}
