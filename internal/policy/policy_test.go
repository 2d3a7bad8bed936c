package policy

import (
	"errors"
	"strings"
	"testing"
	"time"

	as "github.com/aerospike/aerospike-client-go/v8"

	"github.com/aerobackup/aerobackup/internal/backupslice"
	"github.com/aerobackup/aerobackup/internal/config"
)

func routine(t *testing.T, yaml string) *config.Routine {
	t.Helper()
	cfg, err := config.Parse("test.yml", []byte(yaml))
	if err != nil {
		t.Fatal(err)
	}
	r, err := cfg.Routine("")
	if err != nil {
		t.Fatal(err)
	}
	return r
}

const base = `aerospike-clusters:
  c: {seed-nodes: [{host-name: h, port: 3000}]}
storage:
  s: {local-storage: {path: /tmp/x}}
`

func TestBackupFromPolicy(t *testing.T) {
	r := routine(t, base+`backup-policies:
  p:
    parallel: 16
    file-limit: 10
    bandwidth: 5
    records-per-second: 1000
    socket-timeout: 2000
    total-timeout: 9000
    no-udfs: true
    compression: {mode: ZSTD, level: 7}
    retry-policy: {base-timeout: 500, multiplier: 2, max-retries: 3}
backup-routines:
  r:
    interval-cron: "@daily"
    source-cluster: c
    storage: s
    backup-policy: p
    namespaces: [test]
    set-list: [a, b]
    bin-list: [x]
    partition-list: "0-100,200"
`)
	b, err := NewBackup(r, BackupOverrides{}, nil)
	if err != nil {
		t.Fatal(err)
	}
	c, err := b.For("test")
	if err != nil {
		t.Fatal(err)
	}
	if c.Namespace != "test" || c.ParallelRead != 16 || c.ParallelWrite != 16 {
		t.Errorf("namespace/parallel: %+v", c)
	}
	if c.FileLimit != 10<<20 || c.Bandwidth != 5<<20 || c.RecordsPerSecond != 1000 {
		t.Errorf("units: file-limit %d bandwidth %d rps %d", c.FileLimit, c.Bandwidth, c.RecordsPerSecond)
	}
	if c.ScanPolicy.SocketTimeout != 2*time.Second || c.ScanPolicy.TotalTimeout != 9*time.Second {
		t.Errorf("timeouts: %v %v", c.ScanPolicy.SocketTimeout, c.ScanPolicy.TotalTimeout)
	}
	if !c.NoUDFs || c.NoIndexes || c.NoRecords {
		t.Errorf("no-* switches: %v %v %v", c.NoRecords, c.NoIndexes, c.NoUDFs)
	}
	if c.CompressionPolicy == nil || c.CompressionPolicy.Mode != "ZSTD" || c.CompressionPolicy.Level != 7 || b.Compression != "ZSTD" {
		t.Errorf("compression: %+v", c.CompressionPolicy)
	}
	if len(c.SetList) != 2 || len(c.BinList) != 1 {
		t.Errorf("lists: %v %v", c.SetList, c.BinList)
	}
	if len(c.PartitionFilters) != 2 || c.PartitionFilters[0].Begin != 0 || c.PartitionFilters[0].Count != 100 ||
		c.PartitionFilters[1].Begin != 200 || c.PartitionFilters[1].Count != 1 {
		t.Errorf("partitions: %+v %+v", c.PartitionFilters[0], c.PartitionFilters[1])
	}
	if b.Retry.MaxRetries != 3 || b.Retry.BaseTimeout != 500*time.Millisecond || b.Retry.Multiplier != 2 {
		t.Errorf("retry: %+v", b.Retry)
	}
	// Each namespace gets its own copy: changing one leaves the next alone.
	c.ScanPolicy.SocketTimeout = time.Hour
	c2, _ := b.For("bar")
	if c2.ScanPolicy.SocketTimeout != 2*time.Second || c2.Namespace != "bar" {
		t.Errorf("configs share state")
	}
}

func TestBackupDefaultsAndOverrides(t *testing.T) {
	r := routine(t, base+`backup-routines:
  r: {interval-cron: "@daily", source-cluster: c, storage: s, namespaces: [test]}
`)
	b, err := NewBackup(r, BackupOverrides{}, nil)
	if err != nil {
		t.Fatal(err)
	}
	c, _ := b.For("test")
	if c.ParallelRead != 8 || c.FileLimit != 250<<20 || c.CompressionPolicy != nil || c.EncryptionPolicy != nil {
		t.Errorf("ABS defaults not applied: parallel %d file-limit %d", c.ParallelRead, c.FileLimit)
	}
	if b.Compression != "NONE" || b.Encryption != "NONE" || len(c.PartitionFilters) != 1 {
		t.Errorf("modes %s %s, filters %d", b.Compression, b.Encryption, len(c.PartitionFilters))
	}
	p, zstd, key, yes := 3, "zstd", "/k.pem", true
	b, err = NewBackup(r, BackupOverrides{Parallel: &p, Compression: &zstd, Encryption: ptr("aes128"), KeyFile: &key, NoIndexes: &yes}, nil)
	if err != nil {
		t.Fatal(err)
	}
	c, _ = b.For("test")
	if c.ParallelRead != 3 || c.CompressionPolicy.Mode != "ZSTD" || c.EncryptionPolicy.Mode != "AES128" ||
		*c.EncryptionPolicy.KeyFile != key || !c.NoIndexes {
		t.Errorf("overrides not applied: %+v", c)
	}
}

func TestBackupRefusals(t *testing.T) {
	r := routine(t, base+`backup-routines:
  r: {interval-cron: "@daily", source-cluster: c, storage: s, namespaces: [test]}
`)
	tests := []struct {
		name string
		o    BackupOverrides
	}{
		{"parallel", BackupOverrides{Parallel: ptrInt(0)}},
		{"compression", BackupOverrides{Compression: ptr("gzip")}},
		{"level", BackupOverrides{Compression: ptr("ZSTD"), CompressionLevel: ptrInt(30)}},
		{"no key", BackupOverrides{Encryption: ptr("AES256")}},
		{"two keys", BackupOverrides{Encryption: ptr("AES256"), KeyFile: ptr("a"), KeyEnv: ptr("B")}},
		{"secret without agent", BackupOverrides{Encryption: ptr("AES256"), KeySecret: ptr("secrets:r:k")}},
		{"partitions", BackupOverrides{PartitionList: ptr("4000-200")}},
	}
	for _, tt := range tests {
		_, err := NewBackup(r, tt.o, nil)
		var u *InvalidError
		if !errors.As(err, &u) {
			t.Errorf("%s: want a usage error, got %v", tt.name, err)
		}
	}
}

func TestRestoreWritePolicy(t *testing.T) {
	tests := []struct {
		name   string
		mod    func(*RestoreOptions)
		action as.RecordExistsAction
		gen    as.GenerationPolicy
		mode   string
	}{
		{"default", func(*RestoreOptions) {}, as.UPDATE, as.EXPECT_GEN_GT, "UPDATE, generation must be greater"},
		{"unique", func(o *RestoreOptions) { o.Unique = true }, as.CREATE_ONLY, as.EXPECT_GEN_GT, "CREATE_ONLY, generation must be greater"},
		{"replace", func(o *RestoreOptions) { o.Replace = true; o.NoGeneration = true }, as.REPLACE, as.NONE, "REPLACE"},
	}
	for _, tt := range tests {
		o := DefaultRestoreOptions()
		tt.mod(&o)
		c, err := NewRestore(o)
		if err != nil {
			t.Fatalf("%s: %v", tt.name, err)
		}
		if c.WritePolicy.RecordExistsAction != tt.action || c.WritePolicy.GenerationPolicy != tt.gen || !c.WritePolicy.SendKey {
			t.Errorf("%s: write policy %+v", tt.name, c.WritePolicy)
		}
		if got := WriteMode(c); got != tt.mode {
			t.Errorf("%s: mode %q, want %q", tt.name, got, tt.mode)
		}
	}
	o := DefaultRestoreOptions()
	o.RetryMax, o.RetryBase, o.RetryMultiplier = 7, time.Second, 1.5
	c, _ := NewRestore(o)
	if c.RetryPolicy.MaxRetries != 7 || c.RetryPolicy.BaseTimeout != time.Second || c.RetryPolicy.Multiplier != 1.5 {
		t.Errorf("retry policy not wired: %+v", c.RetryPolicy)
	}
	for name, mod := range map[string]func(*RestoreOptions){
		"unique+replace": func(o *RestoreOptions) { o.Unique, o.Replace = true, true },
		"batch":          func(o *RestoreOptions) { o.BatchSize = 0 },
		"ttl":            func(o *RestoreOptions) { o.ExtraTTL = -1 },
		"multiplier":     func(o *RestoreOptions) { o.RetryMultiplier = 0.5 },
	} {
		o := DefaultRestoreOptions()
		mod(&o)
		if _, err := NewRestore(o); err == nil {
			t.Errorf("%s accepted", name)
		}
	}
}

func ptr(s string) *string { return &s }
func ptrInt(n int) *int    { return &n }

func TestBackupScanSelection(t *testing.T) {
	r := routine(t, base+`backup-routines:
  r: {interval-cron: "@daily", source-cluster: c, storage: s, namespaces: [test], filter-exp: kwSTUQKhbik=,
      partition-list: "0-100"}
`)
	b, err := NewBackup(r, BackupOverrides{}, nil)
	if err != nil {
		t.Fatal(err)
	}
	c, _ := b.For("test")
	if got := expBase64(c.ScanPolicy.FilterExpression); got != "kwSTUQKhbik=" {
		t.Errorf("routine filter-exp not on the scan policy: %v", c.ScanPolicy.FilterExpression)
	}
	if c.NoTTLOnly || c.Compact || c.PageSize != 0 || c.ScanPolicy.MaxRecords != 0 || !c.ScanPolicy.IncludeBinData {
		t.Errorf("selection without flags: %+v", c)
	}

	yes, maxRec, page := true, int64(20), int64(7)
	digest := "EZZIAD3jsEPut9iEXLaCB7/h4HI="
	b, err = NewBackup(r, BackupOverrides{FilterExp: ptr("kwWTUQKhbgY="), NoTTLOnly: &yes, NoBins: &yes,
		Compact: &yes, MaxRecords: &maxRec, AfterDigest: &digest}, nil)
	if err != nil {
		t.Fatal(err)
	}
	c, err = b.For("test")
	if err != nil {
		t.Fatal(err)
	}
	if got := expBase64(c.ScanPolicy.FilterExpression); got != "kwWTUQKhbgY=" {
		t.Errorf("--filter-exp does not replace the routine's: %v", c.ScanPolicy.FilterExpression)
	}
	if !c.NoTTLOnly || !c.Compact || c.ScanPolicy.MaxRecords != 20 || c.ScanPolicy.IncludeBinData {
		t.Errorf("flags not applied: no-ttl-only %v compact %v max-records %d bins %v",
			c.NoTTLOnly, c.Compact, c.ScanPolicy.MaxRecords, c.ScanPolicy.IncludeBinData)
	}
	// --after-digest replaces the routine's partition-list with one filter
	// from the digest's partition to the end.
	if len(c.PartitionFilters) != 1 || c.PartitionFilters[0].Digest == nil ||
		c.PartitionFilters[0].Begin != 1553 || c.PartitionFilters[0].Count != 4096-1553 {
		t.Errorf("after-digest filter: %+v", c.PartitionFilters)
	}

	b, err = NewBackup(r, BackupOverrides{ScanPageSize: &page}, nil)
	if err != nil {
		t.Fatal(err)
	}
	if c, _ = b.For("test"); c.PageSize != 7 || len(c.PartitionFilters) != 1 || c.PartitionFilters[0].Count != 100 {
		t.Errorf("page size %d, filters %+v", c.PageSize, c.PartitionFilters)
	}
}

func TestBackupRateOverrides(t *testing.T) {
	r := routine(t, base+`backup-policies:
  p: {records-per-second: 1000, bandwidth: 5}
backup-routines:
  r: {interval-cron: "@daily", source-cluster: c, storage: s, backup-policy: p, namespaces: [test]}
`)
	b, err := NewBackup(r, BackupOverrides{RecordsPerSecond: ptrInt(250), BandwidthMiB: ptrInt(2)}, nil)
	if err != nil {
		t.Fatal(err)
	}
	c, _ := b.For("test")
	if c.RecordsPerSecond != 250 || c.Bandwidth != 2<<20 {
		t.Errorf("flags must replace the policy's limits: rps %d bandwidth %d", c.RecordsPerSecond, c.Bandwidth)
	}
	// 0 from a flag lifts the policy's limit.
	b, _ = NewBackup(r, BackupOverrides{RecordsPerSecond: ptrInt(0), BandwidthMiB: ptrInt(0)}, nil)
	if c, _ = b.For("test"); c.RecordsPerSecond != 0 || c.Bandwidth != 0 {
		t.Errorf("0 must lift the limits: rps %d bandwidth %d", c.RecordsPerSecond, c.Bandwidth)
	}
}

func TestBackupScanSelectionRefusals(t *testing.T) {
	plain := routine(t, base+`backup-routines:
  r: {interval-cron: "@daily", source-cluster: c, storage: s, namespaces: [test]}
`)
	byNode := routine(t, base+`backup-routines:
  r: {interval-cron: "@daily", source-cluster: c, storage: s, namespaces: [test], node-list: ["n1"]}
`)
	digest := "EZZIAD3jsEPut9iEXLaCB7/h4HI="
	tests := []struct {
		name string
		r    *config.Routine
		o    BackupOverrides
	}{
		{"filter not base64", plain, BackupOverrides{FilterExp: ptr("not base64!")}},
		{"empty filter", plain, BackupOverrides{FilterExp: ptr("")}},
		{"negative max-records", plain, BackupOverrides{MaxRecords: ptrInt64(-1)}},
		{"max-records with paging", plain, BackupOverrides{MaxRecords: ptrInt64(10), ScanPageSize: ptrInt64(5)}},
		{"negative page size", plain, BackupOverrides{ScanPageSize: ptrInt64(-1)}},
		{"digest not base64", plain, BackupOverrides{AfterDigest: ptr("%%%")}},
		{"digest with partition-list", plain, BackupOverrides{AfterDigest: &digest, PartitionList: ptr("0-10")}},
		{"digest with node-list", byNode, BackupOverrides{AfterDigest: &digest}},
		{"negative rps", plain, BackupOverrides{RecordsPerSecond: ptrInt(-1)}},
		{"negative bandwidth", plain, BackupOverrides{BandwidthMiB: ptrInt(-1)}},
	}
	for _, tt := range tests {
		_, err := NewBackup(tt.r, tt.o, nil)
		var u *InvalidError
		if !errors.As(err, &u) {
			t.Errorf("%s: want a usage error, got %v", tt.name, err)
		}
	}
}

func ptrInt64(v int64) *int64 { return &v }

// expBase64 is an expression's wire form, as --filter-exp takes it.
func expBase64(e *as.Expression) string {
	if e == nil {
		return ""
	}
	s, err := e.Base64()
	if err != nil {
		return err.Error()
	}
	return s
}

func TestPreferRacks(t *testing.T) {
	const clusterRacks = `aerospike-clusters:
  c: {seed-nodes: [{host-name: h, port: 3000}], prefer-racks: [2, 1]}
storage:
  s: {local-storage: {path: /tmp/x}}
`
	routineYAML := func(extra string) string {
		return `backup-routines:
  r:
    interval-cron: "@daily"
    source-cluster: c
    storage: s
    namespaces: [test]
` + extra
	}
	tests := []struct {
		name    string
		yaml    string
		o       BackupOverrides
		want    []int
		replica as.ReplicaPolicy
		err     string
	}{
		{name: "none", yaml: base + routineYAML(""), replica: as.SEQUENCE},
		{name: "cluster's", yaml: clusterRacks + routineYAML(""), want: []int{2, 1}, replica: as.PREFER_RACK},
		{name: "flag replaces cluster's", yaml: clusterRacks + routineYAML(""), o: BackupOverrides{PreferRacks: []int{5}},
			want: []int{5}, replica: as.PREFER_RACK},
		{name: "flag alone", yaml: base + routineYAML(""), o: BackupOverrides{PreferRacks: []int{0}},
			want: []int{0}, replica: as.PREFER_RACK},
		{name: "flag with partition-list", yaml: base + routineYAML(`    partition-list: "0-100"
`), o: BackupOverrides{PreferRacks: []int{1}}, want: []int{1}, replica: as.PREFER_RACK},
		{name: "flag with rack-list", yaml: base + routineYAML(`    rack-list: [1]
`), o: BackupOverrides{PreferRacks: []int{1}},
			err: `--prefer-racks cannot be combined with the node-list or rack-list of routine "r"`},
		{name: "flag with node-list", yaml: base + routineYAML(`    node-list: ["10.0.0.1:3000"]
`), o: BackupOverrides{PreferRacks: []int{1}},
			err: `--prefer-racks cannot be combined with the node-list or rack-list of routine "r"`},
		{name: "flag out of range", yaml: base + routineYAML(""), o: BackupOverrides{PreferRacks: []int{-1}},
			err: "--prefer-racks: rack id -1: want 0..1000000"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			b, err := NewBackup(routine(t, tt.yaml), tt.o, nil)
			if tt.err != "" {
				var ue *InvalidError
				if err == nil || !errors.As(err, &ue) || !strings.HasPrefix(err.Error(), tt.err) {
					t.Fatalf("err %v, want usage error %q", err, tt.err)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if len(b.PreferRacks) != len(tt.want) {
				t.Fatalf("PreferRacks %v, want %v", b.PreferRacks, tt.want)
			}
			for i := range tt.want {
				if b.PreferRacks[i] != tt.want[i] {
					t.Fatalf("PreferRacks %v, want %v", b.PreferRacks, tt.want)
				}
			}
			c, err := b.For("test")
			if err != nil {
				t.Fatal(err)
			}
			if c.ScanPolicy.ReplicaPolicy != tt.replica {
				t.Errorf("replica policy %v, want %v", c.ScanPolicy.ReplicaPolicy, tt.replica)
			}
		})
	}
}

func TestBackupSlice(t *testing.T) {
	parts := routine(t, base+`backup-routines:
  r: {interval-cron: "@daily", source-cluster: c, storage: s, namespaces: [test], partition-list: "0-100,1000-100"}
`)
	b, err := NewBackup(parts, BackupOverrides{}, nil)
	if err != nil {
		t.Fatal(err)
	}
	if err := b.Slice(backupslice.Spec{Index: 1, Count: 2}); err != nil {
		t.Fatal(err)
	}
	c, err := b.For("test")
	if err != nil {
		t.Fatal(err)
	}
	// The second half of the routine's 200 partitions.
	if len(c.PartitionFilters) != 1 || c.PartitionFilters[0].Begin != 1000 || c.PartitionFilters[0].Count != 100 {
		t.Errorf("slice 1/2 of 0-100,1000-100: %+v", c.PartitionFilters)
	}

	byNode := routine(t, base+`backup-routines:
  r: {interval-cron: "@daily", source-cluster: c, storage: s, namespaces: [test], node-list: ["n1"]}
`)
	plain := routine(t, base+`backup-routines:
  r: {interval-cron: "@daily", source-cluster: c, storage: s, namespaces: [test]}
`)
	digest := "EZZIAD3jsEPut9iEXLaCB7/h4HI="
	for name, tc := range map[string]struct {
		r *config.Routine
		o BackupOverrides
		s backupslice.Spec
	}{
		"node-list":            {byNode, BackupOverrides{}, backupslice.Spec{Index: 0, Count: 2}},
		"after-digest":         {plain, BackupOverrides{AfterDigest: &digest}, backupslice.Spec{Index: 0, Count: 2}},
		"more slices than set": {plain, BackupOverrides{PartitionList: ptr("0-3")}, backupslice.Spec{Index: 0, Count: 4}},
	} {
		b, err := NewBackup(tc.r, tc.o, nil)
		if err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		var u *InvalidError
		if err := b.Slice(tc.s); !errors.As(err, &u) {
			t.Errorf("%s: want a usage error, got %v", name, err)
		}
	}
}

// TestOnlyResumableRunsPage: checking whether a run could be resumable
// changes nothing; making it resumable pages its scans, keeping a page
// size that is set. A plain backup scanned in pages of 10000 once, which
// tripled its scan commands.
func TestOnlyResumableRunsPage(t *testing.T) {
	r := routine(t, base+`backup-policies:
  p: {file-limit: 100}
backup-routines:
  r: {interval-cron: "@daily", source-cluster: c, storage: s, namespaces: [test], backup-policy: p}
`)
	b, err := NewBackup(r, BackupOverrides{}, nil)
	if err != nil {
		t.Fatal(err)
	}
	if err := b.ResumableError(); err != nil {
		t.Fatalf("ResumableError with a file limit: %v", err)
	}
	if c, _ := b.For("test"); c.PageSize != 0 {
		t.Fatalf("ResumableError paged the scans by %d", c.PageSize)
	}
	if err := b.MakeResumable(); err != nil {
		t.Fatal(err)
	}
	if c, _ := b.For("test"); c.PageSize != DefaultResumablePageSize {
		t.Fatalf("resumable page size %d, want %d", c.PageSize, DefaultResumablePageSize)
	}

	page := int64(500)
	b, _ = NewBackup(r, BackupOverrides{ScanPageSize: &page}, nil)
	if err := b.MakeResumable(); err != nil {
		t.Fatal(err)
	}
	if c, _ := b.For("test"); c.PageSize != 500 {
		t.Fatalf("resumable page size %d, want --scan-page-size's 500", c.PageSize)
	}

	zero := 0
	b, _ = NewBackup(r, BackupOverrides{FileLimitMiB: &zero}, nil)
	for name, err := range map[string]error{"ResumableError": b.ResumableError(), "MakeResumable": b.MakeResumable()} {
		if err == nil || !strings.Contains(err.Error(), "needs a file limit") {
			t.Errorf("%s without a file limit: %v", name, err)
		}
	}
	if c, _ := b.For("test"); c.PageSize != 0 {
		t.Fatalf("a refused MakeResumable paged the scans by %d", c.PageSize)
	}
}

func TestRoutineAgents(t *testing.T) {
	cfg, err := config.Load("../../testdata/config/secret-agents.yml")
	if err != nil {
		t.Fatal(err)
	}
	of := RoutineAgents(cfg)
	if a := of("main-to-s3"); a == nil || a.Address == nil || *a.Address == "" {
		t.Errorf("main-to-s3 names vault-agent: got %+v", a)
	}
	if a := of("inline-to-gcs"); a != nil {
		t.Errorf("inline-to-gcs names no agent: got %+v", a)
	}
	if a := of("nope"); a != nil {
		t.Errorf("unknown routine: got %+v", a)
	}
	if a := RoutineAgents(nil)("main-to-s3"); a != nil {
		t.Errorf("no config: got %+v", a)
	}
}

// A disabled routine is refused unless forced; --namespace narrows the
// routine whose configuration is built.
func TestNewRoutineBackup(t *testing.T) {
	const yaml = base + `backup-policies:
  p: {parallel: 2}
backup-routines:
  paused:
    interval-cron: "@daily"
    source-cluster: c
    storage: s
    backup-policy: p
    namespaces: [test, bar]
    disabled: true
`
	_, err := NewRoutineBackup(routine(t, yaml), false, nil, BackupOverrides{})
	var d *DisabledError
	if !errors.As(err, &d) || d.Routine != "paused" ||
		err.Error() != `skipped: routine "paused" is disabled in the config (use --force to run it anyway)` {
		t.Fatalf("disabled: %v", err)
	}
	r := routine(t, yaml)
	b, err := NewRoutineBackup(r, true, []string{"bar"}, BackupOverrides{})
	if err != nil || b == nil {
		t.Fatalf("forced: %v", err)
	}
	if strings.Join(r.Namespaces, ",") != "bar" {
		t.Errorf("namespaces %v, want bar", r.Namespaces)
	}
	r = routine(t, yaml)
	if _, err := NewRoutineBackup(r, true, nil, BackupOverrides{}); err != nil || strings.Join(r.Namespaces, ",") != "test,bar" {
		t.Errorf("no --namespace: the routine's, got %v %v", r.Namespaces, err)
	}
}
