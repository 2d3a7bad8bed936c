package aerospiketest

import (
	"errors"
	"fmt"
	"runtime"
	"sort"
	"testing"
	"time"

	as "github.com/aerospike/aerospike-client-go/v8"
	"github.com/aerospike/aerospike-client-go/v8/types"
	"github.com/aerospike/backup-go"
)

func resultCode(err error) types.ResultCode {
	var ae as.Error
	if errors.As(err, &ae) {
		for _, c := range []types.ResultCode{types.KEY_EXISTS_ERROR, types.KEY_NOT_FOUND_ERROR,
			types.GENERATION_ERROR, types.PARAMETER_ERROR, types.FILTERED_OUT, types.DEVICE_OVERLOAD,
			types.UNSUPPORTED_FEATURE, types.INVALID_NAMESPACE} {
			if ae.Matches(c) {
				return c
			}
		}
		return types.COMMON_ERROR
	}
	if err == nil {
		return types.OK
	}
	return types.COMMON_ERROR
}

// TestWritePolicies checks record-exists actions and generation policies,
// single and batched, against the result codes a server returns.
func TestWritePolicies(t *testing.T) {
	host, port, _ := TestCluster(t)
	c := newClient(t, host, port)
	resetNamespaces(t, c, "test")

	key, _ := as.NewKey("test", "policies", "k")
	missing, _ := as.NewKey("test", "policies", "missing")
	wp := func(rea as.RecordExistsAction, gp as.GenerationPolicy, gen uint32) *as.WritePolicy {
		p := as.NewWritePolicy(gen, 0)
		p.RecordExistsAction = rea
		p.GenerationPolicy = gp
		return p
	}
	steps := []struct {
		name string
		key  *as.Key
		p    *as.WritePolicy
		bins as.BinMap
		want types.ResultCode
	}{
		{"create new", key, wp(as.CREATE_ONLY, as.NONE, 0), as.BinMap{"a": 1, "b": 2}, types.OK},
		{"create existing", key, wp(as.CREATE_ONLY, as.NONE, 0), as.BinMap{"a": 1}, types.KEY_EXISTS_ERROR},
		{"update-only missing", missing, wp(as.UPDATE_ONLY, as.NONE, 0), as.BinMap{"a": 1}, types.KEY_NOT_FOUND_ERROR},
		{"replace-only missing", missing, wp(as.REPLACE_ONLY, as.NONE, 0), as.BinMap{"a": 1}, types.KEY_NOT_FOUND_ERROR},
		{"update-only existing", key, wp(as.UPDATE_ONLY, as.NONE, 0), as.BinMap{"c": 3}, types.OK},
		{"gen equal wrong", key, wp(as.UPDATE, as.EXPECT_GEN_EQUAL, 1), as.BinMap{"a": 9}, types.GENERATION_ERROR},
		{"gen equal right", key, wp(as.UPDATE, as.EXPECT_GEN_EQUAL, 2), as.BinMap{"a": 10}, types.OK},
		{"gen gt not greater", key, wp(as.UPDATE, as.EXPECT_GEN_GT, 3), as.BinMap{"a": 11}, types.GENERATION_ERROR},
		{"gen gt greater", key, wp(as.UPDATE, as.EXPECT_GEN_GT, 7), as.BinMap{"a": 12}, types.OK},
		{"replace existing", key, wp(as.REPLACE, as.NONE, 0), as.BinMap{"z": "only"}, types.OK},
	}
	for _, st := range steps {
		if got := resultCode(c.Put(st.p, st.key, st.bins)); got != st.want {
			t.Errorf("%s: result %v, want %v", st.name, got, st.want)
		}
	}
	rec, err := c.Get(nil, key)
	if err != nil {
		t.Fatal(err)
	}
	if len(rec.Bins) != 1 || rec.Bins["z"] != "only" || rec.Generation != 5 {
		t.Errorf("after replace: bins %v generation %d, want only z and generation 5", rec.Bins, rec.Generation)
	}

	// The same rules through the batch index protocol, one result per record.
	bwp := func(rea as.RecordExistsAction, gp as.GenerationPolicy, gen uint32) *as.BatchWritePolicy {
		p := as.NewBatchWritePolicy()
		p.RecordExistsAction, p.GenerationPolicy, p.Generation = rea, gp, gen
		return p
	}
	fresh, _ := as.NewKey("test", "policies", "fresh")
	ops := []*as.Operation{as.PutOp(as.NewBin("v", 1))}
	batch := []as.BatchRecordIfc{
		as.NewBatchWrite(bwp(as.CREATE_ONLY, as.NONE, 0), key, ops...),
		as.NewBatchWrite(bwp(as.UPDATE_ONLY, as.NONE, 0), missing, ops...),
		as.NewBatchWrite(bwp(as.REPLACE_ONLY, as.NONE, 0), missing, ops...),
		as.NewBatchWrite(bwp(as.UPDATE, as.EXPECT_GEN_EQUAL, 1), key, ops...),
		as.NewBatchWrite(bwp(as.UPDATE, as.EXPECT_GEN_GT, 9), key, ops...),
		as.NewBatchWrite(bwp(as.CREATE_ONLY, as.NONE, 0), fresh, ops...),
	}
	want := []types.ResultCode{types.KEY_EXISTS_ERROR, types.KEY_NOT_FOUND_ERROR, types.KEY_NOT_FOUND_ERROR,
		types.GENERATION_ERROR, types.OK, types.OK}
	if err := c.BatchOperate(nil, batch); err != nil && resultCode(err) == types.COMMON_ERROR {
		t.Logf("batch operate: %v", err)
	}
	for i, br := range batch {
		if got := br.BatchRec().ResultCode; got != want[i] {
			t.Errorf("batch entry %d: result %v, want %v", i, got, want[i])
		}
	}
	if rec, err := c.Get(nil, key); err != nil || rec.Generation != 6 || rec.Bins["v"] != 1 {
		t.Errorf("after batch: %v %v, want generation 6 with v=1", rec, err)
	}

	exists, err := c.Exists(nil, fresh)
	if err != nil || !exists {
		t.Errorf("exists(fresh) = %v, %v", exists, err)
	}
	if ok, err := c.Delete(nil, fresh); err != nil || !ok {
		t.Errorf("delete(fresh) = %v, %v", ok, err)
	}
	if exists, _ := c.Exists(nil, fresh); exists {
		t.Error("fresh still exists after delete")
	}
}

// TestIncrementalByLastUpdate drives backup-go's ModAfter/ModBefore window
// with the server clock: only records written inside the window come back.
func TestIncrementalByLastUpdate(t *testing.T) {
	host, port, srv := TestCluster(t)
	RequireServer(t, srv, "clock control")
	c := newClient(t, host, port)

	t0 := time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC)
	srv.SetTime(t0)
	write := func(prefix string, n int) map[string]bool {
		out := map[string]bool{}
		for i := range n {
			k, _ := as.NewKey("test", "inc", fmt.Sprintf("%s-%d", prefix, i))
			if err := c.Put(nil, k, as.BinMap{"i": i}); err != nil {
				t.Fatal(err)
			}
			out[fmt.Sprintf("%x", k.Digest())] = true
		}
		return out
	}
	write("before", 30)
	srv.Advance(time.Hour)
	inWindow := write("inside", 20)
	srv.Advance(time.Hour)
	write("after", 25)
	// A record written exactly at the upper bound is excluded (exclusive),
	// one at the lower bound included (inclusive).
	srv.SetTime(t0.Add(30 * time.Minute))
	for d := range write("lower-bound", 1) {
		inWindow[d] = true
	}
	srv.SetTime(t0.Add(90 * time.Minute))
	write("upper-bound", 1)

	from, to := t0.Add(30*time.Minute), t0.Add(90*time.Minute)
	cfg := backup.NewDefaultBackupConfig()
	cfg.Namespace = "test"
	cfg.ModAfter, cfg.ModBefore = &from, &to
	dir := t.TempDir()
	bh := runBackup(t, c, cfg, dir)
	if got := bh.GetStats().GetReadRecords(); got != uint64(len(inWindow)) {
		t.Errorf("incremental backup read %d records, want %d", got, len(inWindow))
	}
	runRestore(t, c, dir, "test", "bar", nil)
	var got []string
	for d := range srv.Snapshot("bar").Records {
		got = append(got, d)
		if !inWindow[d] {
			t.Errorf("record %s restored but written outside the window", d)
		}
	}
	if len(got) != len(inWindow) {
		sort.Strings(got)
		t.Errorf("restored %d records, want %d", len(got), len(inWindow))
	}
}

// TestTTLFollowsServerClock checks expiry, TTL reporting and the no-TTL
// filter backup-go builds.
func TestTTLFollowsServerClock(t *testing.T) {
	host, port, srv := TestCluster(t)
	RequireServer(t, srv, "clock control")
	c := newClient(t, host, port)
	srv.SetTime(time.Date(2030, 1, 1, 0, 0, 0, 0, time.UTC))

	short, _ := as.NewKey("test", "ttl", "short")
	forever, _ := as.NewKey("test", "ttl", "forever")
	if err := c.Put(as.NewWritePolicy(0, 100), short, as.BinMap{"a": 1}); err != nil {
		t.Fatal(err)
	}
	if err := c.Put(as.NewWritePolicy(0, as.TTLDontExpire), forever, as.BinMap{"a": 1}); err != nil {
		t.Fatal(err)
	}
	rec, err := c.Get(nil, short)
	if err != nil {
		t.Fatal(err)
	}
	if rec.Expiration < 99 || rec.Expiration > 101 {
		t.Errorf("ttl = %d, want about 100", rec.Expiration)
	}

	cfg := backup.NewDefaultBackupConfig()
	cfg.Namespace = "test"
	cfg.NoTTLOnly = true
	if got := runBackup(t, c, cfg, t.TempDir()).GetStats().GetReadRecords(); got != 1 {
		t.Errorf("no-ttl-only backup read %d records, want 1", got)
	}

	srv.Advance(101 * time.Second)
	if _, err := c.Get(nil, short); resultCode(err) != types.KEY_NOT_FOUND_ERROR {
		t.Errorf("get expired record: %v, want KEY_NOT_FOUND", err)
	}
	if got := srv.Count("test"); got != 1 {
		t.Errorf("Count = %d after expiry, want 1", got)
	}
}

// TestScanFilters covers set filters, bin lists, max-records paging and,
// on the test server, a filter expression it cannot evaluate.
func TestScanFilters(t *testing.T) {
	host, port, srv := TestCluster(t)
	c := newClient(t, host, port)
	resetNamespaces(t, c, "test")
	if err := SeedCluster(c, srv, "test", 900, 7); err != nil {
		t.Fatal(err)
	}

	count := func(p *as.ScanPolicy, set string, bins ...string) (int, error) {
		rs, err := c.ScanAll(p, "test", set, bins...)
		if err != nil {
			return 0, err
		}
		n := 0
		for res := range rs.Results() {
			if res.Err != nil {
				return n, res.Err
			}
			for name := range res.Record.Bins {
				if len(bins) > 0 && name != bins[0] {
					return n, fmt.Errorf("bin %q returned, only %q asked", name, bins[0])
				}
			}
			n++
		}
		return n, nil
	}
	if n, err := count(nil, "alpha"); err != nil || n != 300 {
		t.Errorf("set alpha: %d, %v; want 300", n, err)
	}
	if n, err := count(nil, "", "str"); err != nil || n != 900 {
		t.Errorf("bin list: %d, %v; want 900", n, err)
	}
	p := as.NewScanPolicy()
	p.FilterExpression = as.ExpEq(as.ExpTTL(), as.ExpIntVal(-1))
	if n, err := count(p, ""); err != nil || n != 675 {
		t.Errorf("ttl == -1: %d, %v; want 675", n, err)
	}
	p.FilterExpression = as.ExpOr(as.ExpNot(as.ExpNotEq(as.ExpSetName(), as.ExpStringVal("beta"))),
		as.ExpGreater(as.ExpIntBin("int"), as.ExpIntVal(1<<62)))
	if n, err := count(p, ""); err != nil || n < 300 {
		t.Errorf("set == beta or int > 2^62: %d, %v; want >= 300", n, err)
	}

	// Paging with max-records must visit every record exactly once.
	pf := as.NewPartitionFilterAll()
	sp := as.NewScanPolicy()
	sp.MaxRecords = 128
	seen := map[string]bool{}
	for pages := 0; !pf.IsDone(); pages++ {
		if pages > 50 {
			t.Fatal("paging does not finish")
		}
		rs, err := c.ScanPartitions(sp, pf, "test", "")
		if err != nil {
			t.Fatal(err)
		}
		for res := range rs.Results() {
			if res.Err != nil {
				t.Fatal(res.Err)
			}
			d := fmt.Sprintf("%x", res.Record.Key.Digest())
			if seen[d] {
				t.Fatalf("record %s returned twice while paging", d)
			}
			seen[d] = true
		}
	}
	if len(seen) != 900 {
		t.Errorf("paging saw %d records, want 900", len(seen))
	}

	// The test server does not evaluate CDT expressions: it must refuse
	// them with PARAMETER_ERROR instead of ignoring the filter. A real
	// server evaluates them.
	if srv == nil {
		return
	}
	p.FilterExpression = as.ExpGreater(as.ExpListSize(as.ExpListBin("list")), as.ExpIntVal(1))
	if _, err := count(p, ""); resultCode(err) != types.PARAMETER_ERROR {
		t.Errorf("unsupported expression: %v, want PARAMETER_ERROR", err)
	}
}

// TestFaults checks the fault knobs reach the client as a real failure would.
func TestFaults(t *testing.T) {
	host, port, srv := TestCluster(t)
	RequireServer(t, srv, "fault injection")
	c := newClient(t, host, port)
	if err := srv.Seed("test", 500, 1); err != nil {
		t.Fatal(err)
	}
	scan := func() error {
		p := as.NewScanPolicy()
		p.MaxRetries = 0
		rs, err := c.ScanAll(p, "test", "")
		if err != nil {
			return err
		}
		for res := range rs.Results() {
			if res.Err != nil {
				return res.Err
			}
		}
		return nil
	}
	srv.SetFaults(Faults{ScanFailAfter: 100, ScanFailCode: int(types.DEVICE_OVERLOAD), Times: 1})
	if err := scan(); resultCode(err) != types.DEVICE_OVERLOAD {
		t.Errorf("scan with failure fault: %v, want DEVICE_OVERLOAD", err)
	}
	if err := scan(); err != nil {
		t.Errorf("scan after the fault fired once: %v", err)
	}
	srv.SetFaults(Faults{ScanDropAfter: 50, Times: 1})
	if err := scan(); err == nil {
		t.Error("scan with dropped connection succeeded")
	}

	srv.SetFaults(Faults{WriteFailCode: int(types.DEVICE_OVERLOAD), WriteFailAfter: 2})
	k, _ := as.NewKey("test", "faults", 1)
	for i := range 3 {
		err := c.Put(nil, k, as.BinMap{"i": i})
		want := types.OK
		if i == 2 {
			want = types.DEVICE_OVERLOAD
		}
		if got := resultCode(err); got != want {
			t.Errorf("write %d: %v, want %v", i, err, want)
		}
	}
	srv.ClearFaults()
	srv.SetFaults(Faults{Delay: 30 * time.Millisecond})
	start := time.Now()
	if _, err := c.Get(nil, k); err != nil {
		t.Fatal(err)
	}
	if time.Since(start) < 30*time.Millisecond {
		t.Error("delay fault not applied")
	}
	srv.ClearFaults()
	if st := srv.Stats(); st.Scans < 3 || st.WriteErrors < 1 || st.ScannedRecords < 150 {
		t.Errorf("stats = %+v", st)
	}
}

// TestRefuseFault checks the refusal fault turns down about the chosen
// fraction of records, the same ones single and batched, and lets the rest
// through.
func TestRefuseFault(t *testing.T) {
	host, port, srv := TestCluster(t)
	RequireServer(t, srv, "fault injection")
	c := newClient(t, host, port)
	srv.SetFaults(Faults{RefuseCode: int(types.RECORD_TOO_BIG), RefuseFraction: 0.25})
	defer srv.ClearFaults()
	const n = 2000
	keys := make([]*as.Key, n)
	refused := map[int]bool{}
	for i := range keys {
		k, err := as.NewKey("test", "refuse", i)
		if err != nil {
			t.Fatal(err)
		}
		keys[i] = k
		err = c.Put(nil, k, as.BinMap{"i": i})
		var ae as.Error
		switch {
		case err == nil:
		case errors.As(err, &ae) && ae.Matches(types.RECORD_TOO_BIG):
			refused[i] = true
		default:
			t.Fatalf("put %d: %v", i, err)
		}
	}
	if len(refused) < n/5 || len(refused) > n*3/10 {
		t.Errorf("refused %d of %d single writes, want about a quarter", len(refused), n)
	}
	batch := make([]as.BatchRecordIfc, n)
	for i, k := range keys {
		batch[i] = as.NewBatchWrite(nil, k, as.PutOp(as.NewBin("i", i)))
	}
	if err := c.BatchOperate(nil, batch); err != nil {
		t.Fatalf("batch: %v", err)
	}
	for i, b := range batch {
		want := types.OK
		if refused[i] {
			want = types.RECORD_TOO_BIG
		}
		if got := b.BatchRec().ResultCode; got != want {
			t.Errorf("batch write %d: %v, want %v (the same records as single writes)", i, got, want)
		}
	}
	srv.ClearFaults()
	if err := c.Put(nil, keys[firstKey(refused)], as.BinMap{"i": 0}); err != nil {
		t.Errorf("put after the fault cleared: %v", err)
	}
}

func firstKey(m map[int]bool) int {
	for k := range m {
		return k
	}
	return 0
}

// TestSeedAndSnapshot checks seeded records decode through the client and
// that ScanSnapshot and Snapshot agree on every particle type.
func TestSeedAndSnapshot(t *testing.T) {
	srv := NewServer(t, Options{})
	if err := srv.Seed("test", 200, 3); err != nil {
		t.Fatal(err)
	}
	if err := srv.SeedMetadata("test"); err != nil {
		t.Fatal(err)
	}
	c := newClient(t, srv.Host(), srv.Port())
	viaClient, err := ScanSnapshot(c, "test")
	if err != nil {
		t.Fatal(err)
	}
	for _, d := range Diff(srv.Snapshot("test"), viaClient, CompareOptions{Generation: true}) {
		t.Error(d)
	}
	// Decoded (not raw) reads must parse the seeded lists and maps too.
	rs, err := c.ScanAll(nil, "test", "alpha")
	if err != nil {
		t.Fatal(err)
	}
	for res := range rs.Results() {
		if res.Err != nil {
			t.Fatal(res.Err)
		}
	}
	again := NewServer(t, Options{})
	if err := again.Seed("test", 200, 3); err != nil {
		t.Fatal(err)
	}
	if d := Diff(srv.Snapshot("test"), again.Snapshot("test"), CompareOptions{Generation: true}); len(d) != 0 {
		t.Errorf("Seed is not deterministic: %v", d[:min(len(d), 5)])
	}
	// Diff reports a changed bin.
	k, _ := as.NewKey("test", "alpha", int64(3)*1_000_000)
	if err := c.PutBins(nil, k, as.NewBin("str", "changed")); err != nil {
		t.Fatal(err)
	}
	if d := Diff(again.Snapshot("test"), srv.Snapshot("test"), CompareOptions{}); len(d) != 1 {
		t.Errorf("Diff after one change = %v, want one difference", d)
	}
	srv.Truncate("test", "")
	if srv.Count("test") != 0 {
		t.Error("Truncate left records")
	}
}

func TestStatsInfoCommand(t *testing.T) {
	srv := NewServer(t, Options{})
	if err := srv.PutRecord("test", "s", "k", map[string]any{"a": 1}, 0); err != nil {
		t.Fatal(err)
	}
	c := newClient(t, srv.Host(), srv.Port())
	key, _ := as.NewKey("test", "s", "k2")
	if err := c.Put(nil, key, as.BinMap{"a": 2}); err != nil {
		t.Fatal(err)
	}
	// CREATE_ONLY over existing records, one single and one batched: two
	// writes refused as already present.
	create := as.NewWritePolicy(0, 0)
	create.RecordExistsAction = as.CREATE_ONLY
	if err := c.Put(create, key, as.BinMap{"a": 3}); err == nil || !err.Matches(types.KEY_EXISTS_ERROR) {
		t.Fatalf("CREATE_ONLY over an existing record: %v, want KEY_EXISTS_ERROR", err)
	}
	bwp := as.NewBatchWritePolicy()
	bwp.RecordExistsAction = as.CREATE_ONLY
	key1, _ := as.NewKey("test", "s", "k")
	fresh, _ := as.NewKey("test", "s", "k3")
	_ = c.BatchOperate(nil, []as.BatchRecordIfc{as.NewBatchWrite(bwp, key1, as.PutOp(as.NewBin("a", 4))),
		as.NewBatchWrite(bwp, fresh, as.PutOp(as.NewBin("a", 4)))})
	got, err := ParseStats(srv.infoValue(StatsInfoCommand))
	if err != nil {
		t.Fatal(err)
	}
	if got != srv.Stats() || got.Writes != 1 || got.BatchWrites != 1 || got.KeyExists != 2 || got.WriteErrors != 2 {
		t.Fatalf("stats over info = %+v, want %+v with 1 write, 1 batch write, 2 refused as existing", got, srv.Stats())
	}
}

func TestCollectInfoCommand(t *testing.T) {
	srv := NewServer(t, Options{})
	var before, after runtime.MemStats
	runtime.ReadMemStats(&before)
	if got := srv.infoValue(CollectInfoCommand); got != "ok" {
		t.Fatalf("%s = %q, want ok", CollectInfoCommand, got)
	}
	runtime.ReadMemStats(&after)
	if after.NumForcedGC <= before.NumForcedGC {
		t.Fatalf("%s ran no collection (forced collections %d, then %d)", CollectInfoCommand, before.NumForcedGC, after.NumForcedGC)
	}
}
