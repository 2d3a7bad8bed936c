// Package policy owns the translation of ABS routines and policies, with the
// command line's overrides, into backup-go's backup and restore
// configurations. It validates what backup-go would reject late, so that
// mistakes surface as InvalidErrors before anything is contacted. It does no
// I/O.
package policy

import (
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"strings"
	"time"

	as "github.com/aerospike/aerospike-client-go/v8"
	"github.com/aerospike/backup-go"
	"github.com/aerospike/backup-go/models"

	"github.com/aerobackup/aerobackup/internal/backupslice"
	"github.com/aerobackup/aerobackup/internal/config"
	"github.com/aerobackup/aerobackup/internal/secret"
)

// BackupOverrides are command-line values that replace the policy's; nil
// and empty mean "keep the policy's".
type BackupOverrides struct {
	Parallel         *int
	FileLimitMiB     *int
	RecordsPerSecond *int
	BandwidthMiB     *int
	Compression      *string
	CompressionLevel *int
	Encryption       *string
	KeyFile          *string
	KeyEnv           *string
	KeySecret        *string
	NoRecords        *bool
	NoIndexes        *bool
	NoUDFs           *bool
	SetList          []string
	BinList          []string
	PartitionList    *string
	// Scan selection, with absctl's meaning.
	FilterExp    *string // base64 filter expression; replaces the routine's filter-exp
	NoTTLOnly    *bool   // only records without a TTL
	MaxRecords   *int64  // scan at most this many records (per parallel scan)
	AfterDigest  *string // base64 digest: records after it, and all later partitions
	NoBins       *bool   // keys and metadata only
	Compact      *bool   // replaces the policy's compact
	ScanPageSize *int64  // backup-go PageSize: paginated scans
	// PreferRacks replaces the source cluster's prefer-racks (nil: keep).
	PreferRacks []int
	// Scan policy, with absctl's meaning (see scanTuning).
	SocketTimeout       *time.Duration
	TotalTimeout        *time.Duration
	MaxRetries          *int
	SleepBetweenRetries *time.Duration
	// NodeList or RackList (non-nil: given) replace the routine's
	// node-list and rack-list.
	NodeList []string
	RackList []int
}

// Backup is the resolved backup configuration of a routine.
type Backup struct {
	// For builds the backup-go configuration of one namespace.
	base        backup.ConfigBackup
	partitions  []config.PartitionRange
	afterDigest string
	Compression string // NONE or ZSTD
	Encryption  string // NONE, AES128 or AES256
	// Retry is the policy's retry-policy: how often a failed namespace
	// backup is started again, and how long to wait in between.
	Retry *models.RetryPolicy
	// PreferRacks are the racks to read from first (ABS's prefer-racks of
	// the cluster, or --prefer-racks): the scan's replica policy is then
	// PREFER_RACK and the client must be rack-aware with these rack ids.
	PreferRacks []int
}

// For returns a fresh backup-go configuration for namespace ns.
func (b *Backup) For(ns string) (*backup.ConfigBackup, error) {
	c := b.base
	c.Namespace = ns
	sp := *b.base.ScanPolicy
	c.ScanPolicy = &sp
	if b.afterDigest != "" {
		f, err := backup.NewPartitionFilterAfterDigest(ns, b.afterDigest)
		if err != nil {
			return nil, invalid("--after-digest %q: %v", b.afterDigest, err)
		}
		c.PartitionFilters = []*as.PartitionFilter{f}
	} else if len(b.partitions) > 0 {
		c.PartitionFilters = nil
		for _, p := range b.partitions {
			if p.Digest != "" {
				f, err := backup.NewPartitionFilterByDigest(ns, p.Digest)
				if err != nil {
					return nil, invalid("partition-list digest %q: %v", p.Digest, err)
				}
				c.PartitionFilters = append(c.PartitionFilters, f)
				continue
			}
			c.PartitionFilters = append(c.PartitionFilters, backup.NewPartitionFilterByRange(p.Begin, p.Count))
		}
	}
	return &c, nil
}

// RackList is the rack selection the scans use (the routine's rack-list
// or --rack-list).
func (b *Backup) RackList() []int { return b.base.RackList }

// Slice restricts the backup to spec's share of its partitions (the
// routine's partition-list, or all 4096). Node, rack and after-digest
// selections cannot be shared out and are refused.
func (b *Backup) Slice(spec backupslice.Spec) error {
	switch {
	case b.afterDigest != "":
		return invalid("--slice cannot be combined with --after-digest")
	case len(b.base.NodeList) > 0:
		return invalid("--slice cannot be combined with a node-list (the routine's or --node-list): slices share out partitions")
	case len(b.base.RackList) > 0:
		return invalid("--slice cannot be combined with a rack-list (the routine's or --rack-list): slices share out partitions")
	}
	parts, err := spec.Partitions(b.partitions)
	if err != nil {
		return invalid("--slice %s: %v", spec, err)
	}
	b.partitions = parts
	return nil
}

// DefaultResumablePageSize is the scan page size of a resumable backup
// that sets none: a continuation reads again at most about a page per
// worker, and smaller pages cost more round trips.
const DefaultResumablePageSize = 10_000

// ResumableError says why this configuration cannot be made resumable
// (backup-go's state file needs a file limit, at which the scan position
// is saved, and paginated partition scans, whose position is a page's
// start), or nil when it can. It changes nothing.
func (b *Backup) ResumableError() error {
	c := &b.base
	switch {
	case c.FileLimit == 0:
		return invalid("a resumable backup needs a file limit: the scan position is saved each time a file reaches it (set --file-limit or the policy's file-limit)")
	case len(c.NodeList) > 0 || len(c.RackList) > 0:
		return invalid("a resumable backup cannot use the routine's node-list or rack-list (backup-go saves no scan position for node scans)")
	case c.ScanPolicy.MaxRecords > 0:
		return invalid("a resumable backup cannot be combined with --max-records (its scans are paginated)")
	}
	return nil
}

// MakeResumable readies the configuration for backup-go's state file
// (backup --resumable, or the continuation of such a run): it checks
// ResumableError, then pages the scans, by DefaultResumablePageSize unless
// a page size is set. Only a resumable run should: paging a plain backup
// costs a scan command per page instead of one per partition range.
func (b *Backup) MakeResumable() error {
	if err := b.ResumableError(); err != nil {
		return err
	}
	if b.base.PageSize == 0 {
		b.base.PageSize = DefaultResumablePageSize
	}
	return nil
}

// Selection summarises what the scans select (sets, bins, filter
// expression, partitions, TTL and bin options) in a short digest, so that
// a continuation can check it selects what the interrupted run did.
func (b *Backup) Selection() string {
	c := &b.base
	var exp string
	if c.ScanPolicy.FilterExpression != nil {
		exp, _ = c.ScanPolicy.FilterExpression.Base64()
	}
	h := sha256.New()
	fmt.Fprintf(h, "sets=%q bins=%q exp=%q parts=%v after=%q nottl=%v bins-data=%v no-records=%v no-indexes=%v no-udfs=%v",
		c.SetList, c.BinList, exp, b.partitions, b.afterDigest, c.NoTTLOnly, c.ScanPolicy.IncludeBinData,
		c.NoRecords, c.NoIndexes, c.NoUDFs)
	return hex.EncodeToString(h.Sum(nil))[:16]
}

// NewRoutineBackup refuses a disabled routine unless force, narrows it to
// namespaces when any are given, and builds its backup configuration with
// the overrides (the routine's own secret agent for a key-secret).
func NewRoutineBackup(r *config.Routine, force bool, namespaces []string, o BackupOverrides) (*Backup, error) {
	if r.IsDisabled() && !force {
		return nil, &DisabledError{Routine: r.Name}
	}
	if len(namespaces) > 0 {
		r.Namespaces = namespaces
	}
	return NewBackup(r, o, r.SecretAgent())
}

// NewBackup builds a routine's backup configuration. agent is the secret
// agent for an encryption key-secret (nil when none).
func NewBackup(r *config.Routine, o BackupOverrides, agent *config.SecretAgent) (*Backup, error) {
	p := r.Policy()
	c := backup.NewDefaultBackupConfig()
	if err := throughput(c, p, o); err != nil {
		return nil, err
	}
	if err := contents(c, r, p, o); err != nil {
		return nil, err
	}
	racks, err := scanPolicy(c, r, p, o)
	if err != nil {
		return nil, err
	}
	base, mult, retries := p.RetryPolicy.Values()
	out := &Backup{partitions: r.Partitions(), PreferRacks: racks,
		Retry: models.NewRetryPolicy(base, mult, uint(max(retries, 0)))}
	if err := out.partitionSelection(c, o); err != nil {
		return nil, err
	}
	if err := out.compression(c, p, o); err != nil {
		return nil, err
	}
	if err := out.encryption(c, p, o, agent); err != nil {
		return nil, err
	}
	out.base = *c
	return out, nil
}

// throughput sets the parallelism, file size and rate limits.
func throughput(c *backup.ConfigBackup, p *config.BackupPolicy, o BackupOverrides) error {
	c.ParallelRead = p.ParallelOrDefault()
	c.ParallelWrite = p.ParallelWriteOrDefault()
	if o.Parallel != nil {
		c.ParallelRead, c.ParallelWrite = *o.Parallel, *o.Parallel
	}
	if err := between("parallel", c.ParallelRead, 1, 1024); err != nil {
		return err
	}
	c.FileLimit = p.FileLimitBytes()
	if o.FileLimitMiB != nil {
		if *o.FileLimitMiB < 0 {
			return invalid("--file-limit must not be negative")
		}
		c.FileLimit = uint64(*o.FileLimitMiB) << 20
	}
	if p.RecordsPerSecond != nil {
		c.RecordsPerSecond = *p.RecordsPerSecond
	}
	if o.RecordsPerSecond != nil {
		c.RecordsPerSecond = *o.RecordsPerSecond
	}
	if c.RecordsPerSecond < 0 {
		return invalid("--records-per-second must not be negative")
	}
	c.Bandwidth = int64(p.BandwidthBytes())
	if o.BandwidthMiB != nil {
		if *o.BandwidthMiB < 0 {
			return invalid("--bandwidth must not be negative")
		}
		c.Bandwidth = int64(*o.BandwidthMiB) << 20
	}
	return nil
}

// contents sets what is backed up: records, indexes and UDFs, sets and
// bins, the nodes or racks read, and the scans' page size.
func contents(c *backup.ConfigBackup, r *config.Routine, p *config.BackupPolicy, o BackupOverrides) error {
	c.NoRecords, c.NoIndexes, c.NoUDFs = p.SkipRecords(), p.SkipIndexes(), p.SkipUDFs()
	setBool(&c.NoRecords, o.NoRecords)
	setBool(&c.NoIndexes, o.NoIndexes)
	setBool(&c.NoUDFs, o.NoUDFs)
	c.Compact = p.IsCompact()
	setBool(&c.Compact, o.Compact)
	setBool(&c.NoTTLOnly, o.NoTTLOnly)
	if o.ScanPageSize != nil {
		if *o.ScanPageSize < 0 {
			return invalid("--scan-page-size must not be negative")
		}
		c.PageSize = *o.ScanPageSize
	}
	c.SetList = pick(o.SetList, r.SetList)
	c.BinList = pick(o.BinList, r.BinList)
	c.NodeList = r.NodeList
	c.RackList = r.RackIDs()
	return nodeSelection(r, o, c)
}

// scanPolicy sets the scans' policy: timeouts and retries, selection and
// replica; it returns the racks to prefer.
func scanPolicy(c *backup.ConfigBackup, r *config.Routine, p *config.BackupPolicy, o BackupOverrides) ([]int, error) {
	sp := as.NewScanPolicy()
	// ABS's retry-policy retries the whole namespace backup (see Retry);
	// the scan itself keeps the client's quick retries (whose sleeps are
	// not interruptible) unless --max-retries or --sleep-between-retries
	// change them.
	if err := scanTuning(sp, p, o); err != nil {
		return nil, err
	}
	if len(c.NodeList) > 0 || len(c.RackList) > 0 {
		// Node and rack selections need the master copies.
		sp.ReplicaPolicy = as.MASTER
	}
	if err := scanSelection(sp, r, o, c.PageSize); err != nil {
		return nil, err
	}
	racks, err := preferRacks(r, o, c)
	if err != nil {
		return nil, err
	}
	if len(racks) > 0 {
		sp.ReplicaPolicy = as.PREFER_RACK
	}
	c.ScanPolicy = sp
	return racks, nil
}

// partitionSelection applies --partition-list or --after-digest, which
// replace the routine's partition-list.
func (b *Backup) partitionSelection(c *backup.ConfigBackup, o BackupOverrides) error {
	if o.PartitionList != nil {
		parts, err := config.ParsePartitionList(*o.PartitionList)
		if err != nil {
			return invalid("--partition-list: %v", err)
		}
		b.partitions = parts
	}
	if o.AfterDigest == nil {
		return nil
	}
	// With a node or rack selection backup-go refuses --after-digest.
	switch {
	case o.PartitionList != nil:
		return invalid("--after-digest and --partition-list are mutually exclusive")
	case len(c.NodeList) > 0 || len(c.RackList) > 0:
		return invalid("--after-digest cannot be used with a node-list or rack-list (the routine's, --node-list or --rack-list)")
	}
	// Checked now, with any namespace: the digest alone decides.
	if _, err := backup.NewPartitionFilterAfterDigest("test", *o.AfterDigest); err != nil {
		return invalid("--after-digest %q: want a base64 record digest (%v)", *o.AfterDigest, err)
	}
	b.partitions, b.afterDigest = nil, *o.AfterDigest
	return nil
}

// compression sets the mode and level: the policy's, or the overrides'.
func (b *Backup) compression(c *backup.ConfigBackup, p *config.BackupPolicy, o BackupOverrides) error {
	b.Compression = p.Compression.ModeOrNone()
	level := p.Compression.LevelOrDefault()
	if o.Compression != nil {
		b.Compression = strings.ToUpper(*o.Compression)
	}
	if o.CompressionLevel != nil {
		level = *o.CompressionLevel
	}
	switch b.Compression {
	case "NONE":
	case "ZSTD":
		if level < -1 || level > 22 {
			return invalid("compression level %d: want -1..22", level)
		}
		c.CompressionPolicy = backup.NewCompressionPolicy("ZSTD", level)
	default:
		return invalid("compression %q: want NONE or ZSTD", b.Compression)
	}
	return nil
}

// encryption sets the mode and its one key source: the policy's, or the
// overrides' (which replace all three sources).
func (b *Backup) encryption(c *backup.ConfigBackup, p *config.BackupPolicy, o BackupOverrides, agent *config.SecretAgent) error {
	enc := p.Encryption
	mode := enc.ModeOrNone()
	keyFile, keyEnv, keySecret := (*string)(nil), (*string)(nil), (*string)(nil)
	if enc != nil {
		keyFile, keyEnv, keySecret = enc.KeyFile, enc.KeyEnv, enc.KeySecret
	}
	if o.Encryption != nil {
		mode = strings.ToUpper(*o.Encryption)
	}
	if o.KeyFile != nil || o.KeyEnv != nil || o.KeySecret != nil {
		keyFile, keyEnv, keySecret = o.KeyFile, o.KeyEnv, o.KeySecret
	}
	b.Encryption = mode
	switch mode {
	case "NONE":
	case "AES128", "AES256":
		n := count(keyFile, keyEnv, keySecret)
		if n != 1 {
			return invalid("encryption %s needs exactly one key source (key-file, key-env or key-secret), got %d", mode, n)
		}
		c.EncryptionPolicy = &backup.EncryptionPolicy{Mode: mode, KeyFile: keyFile, KeyEnv: keyEnv, KeySecret: keySecret}
		if keySecret != nil {
			if agent == nil {
				return invalid("encryption key-secret needs a secret agent (the routine's secret-agent)")
			}
			c.SecretAgentConfig = SecretAgentConfig(agent)
		}
	default:
		return invalid("encryption %q: want NONE, AES128 or AES256", mode)
	}
	return nil
}

// preferRacks returns the racks to prefer: --prefer-racks, else the source
// cluster's prefer-racks. backup-go refuses PREFER_RACK with a node or rack
// list (those scans read master copies from chosen nodes).
func preferRacks(r *config.Routine, o BackupOverrides, c *backup.ConfigBackup) ([]int, error) {
	racks, name := o.PreferRacks, "--prefer-racks"
	if racks == nil {
		if cl := r.Cluster(); cl != nil {
			racks, name = cl.PreferRacks, fmt.Sprintf("prefer-racks of cluster %q", cl.Name)
		}
	}
	if len(racks) == 0 {
		return nil, nil
	}
	for _, id := range racks {
		if id < 0 || id > config.MaxRackID {
			return nil, invalid("%s: rack id %d: want 0..%d", name, id, config.MaxRackID)
		}
	}
	if len(c.NodeList) > 0 || len(c.RackList) > 0 {
		return nil, invalid("%s cannot be combined with the node-list or rack-list of routine %q (or --node-list, --rack-list): those read the master copies of chosen nodes; drop one of them",
			name, r.Name)
	}
	return append([]int(nil), racks...), nil
}

// scanSelection applies the filter expression (the flag's, else the
// routine's filter-exp), max-records and no-bins to the scan policy.
// backup-go ANDs the filter expression with its own time-window and
// no-ttl-only expressions, so it narrows incrementals too.
func scanSelection(sp *as.ScanPolicy, r *config.Routine, o BackupOverrides, pageSize int64) error {
	exp, name := r.FilterExp, "filter-exp of routine "+r.Name
	if o.FilterExp != nil {
		exp, name = o.FilterExp, "--filter-exp"
	}
	if exp != nil {
		if *exp == "" {
			return invalid("%s: want a base64-encoded Aerospike filter expression, got an empty string", name)
		}
		e, err := as.ExpFromBase64(*exp)
		if err != nil {
			return invalid("%s: want a base64-encoded Aerospike filter expression (%v)", name, err)
		}
		sp.FilterExpression = e
	}
	if o.MaxRecords != nil {
		switch {
		case *o.MaxRecords < 0:
			return invalid("--max-records must not be negative")
		case *o.MaxRecords > 0 && pageSize > 0:
			// backup-go's paginated scan uses the scan's max-records as
			// the page size, which would silently drop the limit.
			return invalid("--max-records and --scan-page-size cannot be combined")
		}
		sp.MaxRecords = *o.MaxRecords
	}
	if o.NoBins != nil && *o.NoBins {
		sp.IncludeBinData = false
	}
	return nil
}

// SecretAgentConfig converts an ABS secret agent entry for backup-go; nil
// stays nil.
func SecretAgentConfig(a *config.SecretAgent) *backup.SecretAgentConfig {
	if a == nil {
		return nil
	}
	return secret.AgentConfig(a)
}

// RoutineAgents gives the secret agent of each routine of cfg by name, for
// backup-go; nil for a routine cfg lacks, or without a config.
func RoutineAgents(cfg *config.Config) func(routine string) *backup.SecretAgentConfig {
	return func(name string) *backup.SecretAgentConfig {
		if cfg == nil {
			return nil
		}
		if r, ok := cfg.BackupRoutines[name]; ok {
			return SecretAgentConfig(r.SecretAgent())
		}
		return nil
	}
}

// RestoreOptions are the restore policy values from the command line.
type RestoreOptions struct {
	Parallel           int
	BatchSize          int
	MaxAsyncBatches    int
	DisableBatchWrites bool
	Unique             bool // CREATE_ONLY: never touch an existing record
	Replace            bool // REPLACE: drop bins not in the backup
	NoGeneration       bool // write whatever the existing record's generation
	ExtraTTL           int64
	SetList            []string
	BinList            []string
	NoRecords          bool
	NoIndexes          bool
	NoUDFs             bool
	RecordsPerSecond   int
	BandwidthMiB       int
	SocketTimeout      time.Duration
	TotalTimeout       time.Duration
	RetryBase          time.Duration
	RetryMultiplier    float64
	RetryMax           uint
	IgnoreRecordError  bool
	ApplyMetadataLast  bool
	// ValidateOnly decodes and checks the files without writing; no
	// cluster is needed.
	ValidateOnly bool
	// WarmUp is how many connections to open per node before restoring
	// (0: none, the client then opens them as writes need them; -1: as
	// many as the restore writes at once, restorejob.AutoWarmUp).
	WarmUp int
	// SupersededMiB (restore-at-timestamp) is the memory for the digests
	// of the records a newest-first restore writes, so that it sends none
	// of their older versions (0: it sends every version).
	SupersededMiB int
}

// DefaultRestoreOptions mirrors backup-go's restore defaults.
func DefaultRestoreOptions() RestoreOptions {
	d := backup.NewDefaultRestoreConfig()
	r := models.NewDefaultRetryPolicy()
	return RestoreOptions{Parallel: d.Parallel, BatchSize: d.BatchSize, MaxAsyncBatches: d.MaxAsyncBatches,
		RetryBase: r.BaseTimeout, RetryMultiplier: r.Multiplier, RetryMax: r.MaxRetries,
		SocketTimeout: 10 * time.Second}
}

// NewRestore builds the base restore configuration (namespace mapping,
// compression and encryption are set per backup by the restore job).
func NewRestore(o RestoreOptions) (*backup.ConfigRestore, error) {
	if o.Unique && o.Replace {
		return nil, invalid("--unique and --replace are mutually exclusive")
	}
	if err := between("parallel", o.Parallel, 1, 1024); err != nil {
		return nil, err
	}
	if o.BatchSize < 1 {
		return nil, invalid("--batch-size must be at least 1")
	}
	if o.MaxAsyncBatches < 1 {
		return nil, invalid("--max-async-batches must be at least 1")
	}
	if o.ExtraTTL < 0 || o.RecordsPerSecond < 0 || o.BandwidthMiB < 0 {
		return nil, invalid("--extra-ttl, --records-per-second and --bandwidth must not be negative")
	}
	if o.SupersededMiB < 0 {
		return nil, invalid("--skip-superseded-memory must not be negative (0 sends every version)")
	}
	if o.RetryMultiplier < 1 && o.RetryMax > 0 {
		return nil, invalid("--retry-multiplier must be at least 1")
	}
	if o.WarmUp < -1 {
		return nil, invalid("--warm-up must be -1 (as many as the restore writes at once), 0 (none) or more")
	}
	if o.ValidateOnly && o.WarmUp > 0 {
		return nil, invalid("--warm-up needs a cluster: --validate connects to none")
	}
	c := backup.NewDefaultRestoreConfig()
	c.Parallel = o.Parallel
	c.BatchSize = o.BatchSize
	c.MaxAsyncBatches = o.MaxAsyncBatches
	c.DisableBatchWrites = o.DisableBatchWrites
	c.ExtraTTL = o.ExtraTTL
	c.SetList = o.SetList
	c.BinList = o.BinList
	c.NoRecords, c.NoIndexes, c.NoUDFs = o.NoRecords, o.NoIndexes, o.NoUDFs
	c.RecordsPerSecond = o.RecordsPerSecond
	c.Bandwidth = int64(o.BandwidthMiB) << 20
	c.IgnoreRecordError = o.IgnoreRecordError
	c.ApplyMetadataLast = o.ApplyMetadataLast
	c.ValidateOnly = o.ValidateOnly
	c.RetryPolicy = models.NewRetryPolicy(o.RetryBase, o.RetryMultiplier, o.RetryMax)

	wp := as.NewWritePolicy(0, 0)
	wp.SendKey = true
	wp.SocketTimeout = o.SocketTimeout
	wp.TotalTimeout = o.TotalTimeout
	wp.GenerationPolicy = as.EXPECT_GEN_GT
	if o.NoGeneration {
		wp.GenerationPolicy = as.NONE
	}
	switch {
	case o.Unique:
		wp.RecordExistsAction = as.CREATE_ONLY
	case o.Replace:
		wp.RecordExistsAction = as.REPLACE
	default:
		wp.RecordExistsAction = as.UPDATE
	}
	c.WritePolicy = wp
	return c, nil
}

// WriteMode describes the write policy for plans and summaries.
func WriteMode(c *backup.ConfigRestore) string {
	if c.WritePolicy == nil {
		return "UPDATE"
	}
	mode := map[as.RecordExistsAction]string{as.UPDATE: "UPDATE", as.UPDATE_ONLY: "UPDATE_ONLY",
		as.REPLACE: "REPLACE", as.REPLACE_ONLY: "REPLACE_ONLY", as.CREATE_ONLY: "CREATE_ONLY"}[c.WritePolicy.RecordExistsAction]
	if c.WritePolicy.GenerationPolicy == as.EXPECT_GEN_GT {
		mode += ", generation must be greater"
	}
	return mode
}

func between(name string, v, lo, hi int) error {
	if v < lo || v > hi {
		return invalid("%s must be between %d and %d, got %d", name, lo, hi, v)
	}
	return nil
}

func setBool(dst *bool, v *bool) {
	if v != nil {
		*dst = *v
	}
}

func pick(override, base []string) []string {
	if len(override) > 0 {
		return override
	}
	return base
}

func count(ps ...*string) int {
	n := 0
	for _, p := range ps {
		if p != nil && *p != "" {
			n++
		}
	}
	return n
}
