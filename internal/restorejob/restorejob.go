// Package restorejob owns applying backup folders to a cluster: one
// backup-go restore operation per folder, in the order given, with the
// compression and encryption each folder's metadata declares. It does not
// choose which backups to apply (internal/plan decides that) nor parse flags.
package restorejob

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"strings"
	"sync"
	"time"

	"github.com/aerospike/backup-go"
	"github.com/aerospike/backup-go/models"

	"github.com/aerobackup/aerobackup/internal/cluster"
	"github.com/aerobackup/aerobackup/internal/progress"
	"github.com/aerobackup/aerobackup/internal/records"
	"github.com/aerobackup/aerobackup/internal/storage"
)

// Step restores one folder of .asb files.
type Step struct {
	// Label names the step in logs and progress, e.g. the backup key.
	Label string
	Dir   string
	// Source and Destination namespaces; Destination empty: same as Source.
	Source      string
	Destination string
	// Compression and Encryption modes of the files (from metadata.yaml).
	Compression string
	Encryption  string
	// ExpectedRecords is the progress total (metadata's record-count).
	ExpectedRecords uint64
	// Indexes and UDFs the files hold (metadata's secondary-index-count
	// and udf-count): a restore of them needs the privilege to create them.
	Indexes, UDFs uint64
	// Config is the base restore configuration; it is copied per step.
	Config *backup.ConfigRestore
}

// Chain is an ordered list of steps for one destination namespace; chains
// may run in parallel, steps within a chain never do.
type Chain struct {
	Namespace string // destination, for messages
	Steps     []Step
	// Superseded, for a chain applied newest first with CREATE_ONLY, is
	// the memory for the digests of the records it writes, so that their
	// older versions are not sent (superseded.go); nil: every record is.
	Superseded *DigestBudget
}

// Job restores chains.
type Job struct {
	Store storage.Store
	// Conn is the destination; nil when every step's Config is
	// ValidateOnly (the files are decoded and checked, nothing written).
	Conn     *cluster.Conn
	Chains   []Chain
	Parallel bool // run chains at the same time
	// WarmUp opens this many connections per node before the first
	// write (0: none; AutoWarmUp: as many as the job writes at once).
	WarmUp int
	// Encryption key source for encrypted backups: exactly one of these.
	KeyFile, KeyEnv, KeySecret string
	SecretAgent                *backup.SecretAgentConfig
	Progress                   *progress.Reporter
	Log                        *slog.Logger
	// Only, when set, restores just these records (selected.go): each
	// chain's newest version of each, in one write per chain.
	Only *records.Selection
}

// Counts are what a restore did to records, per step or in total.
type Counts struct {
	Read     uint64 `json:"records-read"`
	Inserted uint64 `json:"records-inserted"`
	Existed  uint64 `json:"records-existed"`
	// Superseded are older versions of records an earlier step of the
	// chain wrote: not sent (backup-go counts them as existed; they are
	// not in Existed).
	Superseded uint64 `json:"records-superseded"`
	Fresher    uint64 `json:"records-fresher"`
	Skipped    uint64 `json:"records-skipped"`
	Expired    uint64 `json:"records-expired"`
	Ignored    uint64 `json:"records-ignored"`
	// Refused are the records the server refused: backup-go's ignored
	// ones, under the name a failed restore deserves; Refusals say why.
	Refused   uint64    `json:"records-refused"`
	Refusals  []Refusal `json:"refusals,omitempty"`
	InDoubt   uint64    `json:"errors-in-doubt"`
	BytesRead uint64    `json:"bytes-read"`
	SIndexes  uint32    `json:"secondary-index-count"`
	UDFs      uint32    `json:"udf-count"`
	Millis    int64     `json:"duration-millis"`
}

// StepResult is one applied folder.
type StepResult struct {
	Label       string `json:"label"`
	Dir         string `json:"dir"`
	Source      string `json:"source-namespace"`
	Destination string `json:"destination-namespace"`
	Counts
	Duration time.Duration `json:"-"`
	Error    string        `json:"error,omitempty"`
}

// Result is the restore's outcome.
type Result struct {
	Steps []StepResult `json:"steps"`
	// Picks, for a restore of selected records, say which version of
	// each was written, and which no backup holds.
	Picks *Picks `json:"-"`
}

// Totals sums the steps.
func (r *Result) Totals() Counts {
	var t Counts
	for _, s := range r.Steps {
		t.Read += s.Read
		t.Inserted += s.Inserted
		t.Existed += s.Existed
		t.Superseded += s.Superseded
		t.Fresher += s.Fresher
		t.Skipped += s.Skipped
		t.Expired += s.Expired
		t.Ignored += s.Ignored
		t.Refused += s.Refused
		t.Refusals = mergeRefusals(t.Refusals, s.Refusals)
		t.InDoubt += s.InDoubt
		t.BytesRead += s.BytesRead
		t.SIndexes += s.SIndexes
		t.UDFs += s.UDFs
		t.Millis += s.Millis
	}
	return t
}

// Run applies the chains. It stops at the first failing step of a chain
// (a validation checks them all); a failure in one chain does not stop the
// others. The returned error joins
// the chains' errors.
func (j *Job) Run(ctx context.Context) (*Result, error) {
	res := &Result{}
	if err := j.warmUp(); err != nil {
		return res, err
	}
	if err := j.checkPrivileges(); err != nil {
		return res, err
	}
	if j.Only != nil {
		return j.runSelected(ctx)
	}
	var mu sync.Mutex
	var errs []error
	validate := j.ValidateOnly()
	runChain := func(c Chain) {
		written := newWrittenSet(c.Superseded, len(c.Steps))
		defer written.release()
		for i, s := range c.Steps {
			sr, err := j.restoreStep(ctx, s, written.step(i+1))
			if c.Superseded.firstSpent() {
				j.Log.Warn("the memory for the digests of written records is spent: older versions of further records are sent, and refused by the server (CREATE_ONLY)",
					"namespace", c.Namespace, "backup", s.Label, "digests", c.Superseded.Digests(), "memory-mib", c.Superseded.Digests()*DigestBytes>>20)
			}
			mu.Lock()
			res.Steps = append(res.Steps, sr)
			if err != nil {
				errs = append(errs, err)
			}
			mu.Unlock()
			// A validation goes on to check the later steps: every
			// broken backup of the chain is reported, none written.
			if err != nil && (!validate || ctx.Err() != nil) {
				return
			}
		}
	}
	if j.Parallel && len(j.Chains) > 1 {
		var wg sync.WaitGroup
		for _, c := range j.Chains {
			wg.Add(1)
			go func() { defer wg.Done(); runChain(c) }()
		}
		wg.Wait()
	} else {
		for _, c := range j.Chains {
			runChain(c)
			if ctx.Err() != nil {
				break
			}
		}
	}
	if ctx.Err() != nil {
		t := res.Totals()
		j.Log.Warn("restore interrupted", "records-inserted", t.Inserted, "records-read", t.Read,
			"steps-started", len(res.Steps))
		return res, ctx.Err()
	}
	return res, errors.Join(errs...)
}

// restoreStep applies s, not sending the records superseded says an
// earlier step wrote (nil: sending every record).
func (j *Job) restoreStep(ctx context.Context, s Step, superseded *supersededFilter) (StepResult, error) {
	out := StepResult{Label: s.Label, Dir: s.Dir, Source: s.Source, Destination: s.destination()}
	started := time.Now()
	err := j.applyStep(ctx, s, &out, superseded)
	out.Duration = time.Since(started)
	out.Millis = out.Duration.Milliseconds()
	if err != nil {
		out.Error = err.Error()
		return out, err
	}
	msg := "restored"
	if s.Config.ValidateOnly {
		msg = "validated"
	}
	j.Log.Info(msg, "backup", s.Label, "namespace", out.Destination, "records-read", out.Read,
		"records-inserted", out.Inserted, "records-existed", out.Existed, "records-superseded", out.Superseded,
		"records-fresher", out.Fresher,
		"duration", out.Duration.Round(time.Millisecond).String())
	return out, nil
}

// destination is the namespace the step writes to.
func (s Step) destination() string {
	if s.Destination == "" {
		return s.Source
	}
	return s.Destination
}

// Compressed and Encrypted report whether the step's files are.
func (s Step) Compressed() bool { return !isNone(s.Compression) }
func (s Step) Encrypted() bool  { return !isNone(s.Encryption) }

func isNone(mode string) bool { return mode == "" || strings.EqualFold(mode, "NONE") }

// applyStep restores one step's files, filling out's counts. Its errors
// name the step, but for an interruption, which is the context's own.
func (j *Job) applyStep(ctx context.Context, s Step, out *StepResult, superseded *supersededFilter) error {
	bc, cfg, tally, err := j.writer(ctx, s, out.Destination, superseded)
	if err != nil {
		return err
	}
	// Checked before anything is written (see integrity.go).
	want, err := expect(ctx, j.Store, s.Dir)
	if err != nil {
		return fmt.Errorf("%s: %w", s.Label, err)
	}
	storeReader, err := j.Store.RestoreReader(ctx, s.Dir, storage.ReaderOptions{})
	if err != nil {
		return fmt.Errorf("%s: %s: %w", s.Label, j.Store, err)
	}
	reader := newCheckingReader(storeReader, s.Dir, want)
	if err := j.restoreFrom(ctx, s, out, bc, cfg, reader, reader.describe, tally, superseded); err != nil {
		return err
	}
	if err := reader.after(want, out.Read); err != nil {
		return fmt.Errorf("%s: %w", s.Label, err)
	}
	return j.refused(s, cfg, out)
}

// writer is the backup-go client and configuration a step writes
// through, and the tally of the server's refusals it counts (see
// refusals.go): every writing step counts them.
func (j *Job) writer(ctx context.Context, s Step, dest string, superseded *supersededFilter) (*backup.Client, *backup.ConfigRestore, *refusalTally, error) {
	tally := &refusalTally{}
	rc := &refusalClient{ignore: s.Config.IgnoreRecordError, tally: tally, superseded: superseded}
	bc, err := j.client(ctx, s, dest, rc)
	if err != nil {
		return nil, nil, nil, err
	}
	cfg, err := j.stepConfig(s, dest)
	if err != nil {
		return nil, nil, nil, fmt.Errorf("%s: %w", s.Label, err)
	}
	return bc, cfg, tally, nil
}

// restoreFrom runs one backup-go restore of what reader serves and
// fills out's counts; describe explains a failure in terms of the files.
func (j *Job) restoreFrom(ctx context.Context, s Step, out *StepResult, bc *backup.Client, cfg *backup.ConfigRestore,
	reader backup.StreamingReader, describe func(error) error, tally *refusalTally, superseded *supersededFilter) error {
	h, err := bc.Restore(ctx, cfg, reader)
	if err != nil {
		return fmt.Errorf("%s: %w", s.Label, err)
	}
	stats := h.GetStats()
	tr := j.Progress.Track(fmt.Sprintf("restore %s -> %s", s.Label, out.Destination), int64(s.ExpectedRecords), func() progress.Counts {
		return progress.Counts{Records: stats.GetReadRecords(), Bytes: stats.GetTotalBytesRead()}
	})
	err = h.Wait(ctx)
	tr.Stop()
	out.Counts = countsOf(stats, tally, superseded.Skipped())
	switch {
	case err != nil && ctx.Err() != nil:
		return ctx.Err()
	case err != nil:
		if code, ok := refusalCode(err, ignorable); ok {
			return fmt.Errorf("%s: %w", s.Label, &stoppedError{code: code, ignoring: cfg.IgnoreRecordError, err: err})
		}
		return fmt.Errorf("%s: %w", s.Label, describe(err))
	}
	return nil
}

// refused fails a step in which the server refused records, unless the
// user accepted that.
func (j *Job) refused(s Step, cfg *backup.ConfigRestore, out *StepResult) error {
	if out.Refused == 0 {
		return nil
	}
	// A record read and neither written nor passed over by the write
	// policy is a record lost, unless the user said so.
	if !cfg.IgnoreRecordError {
		return fmt.Errorf("%s: %w", s.Label, &RefusedError{Read: out.Read, Refused: out.Refused, Refusals: out.Refusals})
	}
	j.Log.Warn("records refused by the server were not restored (--ignore-record-error)", "backup", s.Label,
		"namespace", out.Destination, "records-refused", out.Refused, "records-read", out.Read, "reasons", describeRefusals(out.Refusals))
	return nil
}

// client is the backup-go client a step restores through: none of the
// cluster's to validate, the cluster's through rc to write.
func (j *Job) client(ctx context.Context, s Step, dest string, rc *refusalClient) (*backup.Client, error) {
	var (
		bc  *backup.Client
		err error
	)
	switch cfg := s.Config; {
	case cfg.ValidateOnly:
		// backup-go decodes into discarding writers; it must get no
		// cluster client at all (an untyped nil), nor a mapping.
		bc, err = backup.NewClient(nil, backup.WithLogger(j.Log))
	case j.Conn == nil:
		return nil, fmt.Errorf("%s: no destination cluster", s.Label)
	case j.Conn.Aerospike == nil:
		return nil, fmt.Errorf("%s: restoring %s into %s: no cluster client", s.Label, s.Source, dest)
	case cfg.NoIndexes:
		// backup-go maps the records' namespace itself.
		ip, rp := j.Conn.InfoPolicies()
		rc.AerospikeClient = j.Conn.Aerospike
		bc, err = backup.NewClient(rc, backup.WithLogger(j.Log), backup.WithInfoPolicies(ip, rp))
	default:
		// backup-go maps only the records' namespace (see nsmap.go), and
		// an index already there under another name needs care, mapped
		// or not (see sindexdup.go).
		rc.AerospikeClient = j.Conn.Aerospike
		bc, err = j.indexBackupClient(ctx, rc, s.Source, dest)
	}
	if err != nil {
		return nil, fmt.Errorf("%s: %w", s.Label, err)
	}
	return bc, nil
}

// stepConfig is the step's own copy of its configuration: its namespace
// mapping and the compression and encryption of its files.
func (j *Job) stepConfig(s Step, dest string) (*backup.ConfigRestore, error) {
	cfg := *s.Config
	cfg.MetricsEnabled = true
	if src := s.Source; src != "" && dest != src && !cfg.ValidateOnly {
		cfg.Namespace = &backup.RestoreNamespaceConfig{Source: &src, Destination: &dest}
	}
	if s.Compressed() {
		cfg.CompressionPolicy = backup.NewCompressionPolicy(strings.ToUpper(s.Compression), -1)
	}
	if s.Encrypted() {
		pol, err := j.encryptionPolicy(strings.ToUpper(s.Encryption))
		if err != nil {
			return nil, err
		}
		cfg.EncryptionPolicy = pol
		cfg.SecretAgentConfig = j.SecretAgent
	}
	return &cfg, nil
}

// countsOf reads what backup-go counted; the records it ignored are the
// server's refusals, whose reasons tally holds. Of the records it counted
// as existed, superseded were not sent (at most all of them: a step that
// failed may not have counted every answer).
func countsOf(stats *models.RestoreStats, tally *refusalTally, superseded uint64) Counts {
	c := Counts{
		Read:      stats.GetReadRecords(),
		Inserted:  stats.GetRecordsInserted(),
		Existed:   stats.GetRecordsExisted(),
		Fresher:   stats.GetRecordsFresher(),
		Skipped:   stats.GetRecordsSkipped(),
		Expired:   stats.GetRecordsExpired(),
		Ignored:   stats.GetRecordsIgnored(),
		InDoubt:   stats.GetErrorsInDoubt(),
		BytesRead: stats.GetTotalBytesRead(),
		SIndexes:  stats.GetSIndexes(),
		UDFs:      stats.GetUDFs(),
	}
	c.Superseded = min(superseded, c.Existed)
	c.Existed -= c.Superseded
	c.Refused = c.Ignored
	if c.Refused > 0 {
		c.Refusals = tally.refusals(c.Refused)
	}
	return c
}

// ValidateOnly reports whether the job only decodes and checks its files.
func (j *Job) ValidateOnly() bool {
	for _, c := range j.Chains {
		for _, s := range c.Steps {
			if s.Config != nil && s.Config.ValidateOnly {
				return true
			}
		}
	}
	return false
}

// StepCount is the number of steps of every chain.
func (j *Job) StepCount() int {
	n := 0
	for _, c := range j.Chains {
		n += len(c.Steps)
	}
	return n
}

// AutoWarmUp asks warmUp for as many connections per node as the job
// writes at once (Concurrency).
const AutoWarmUp = -1

// warmUp fills the connection pools before restoring, so the first
// batches do not pay for opening connections (the client's WarmUp: count
// per node, capped by the pool's size). It matters for the counts: a
// batch's part for a node whose pool is empty fails at once, the client
// sends the rest again, and the records of that part that had landed come
// back "older than the cluster's" though the restore wrote them. An
// automatic warm-up that fails only warns: the restore works without it.
func (j *Job) warmUp() error {
	if j.WarmUp == 0 || j.Conn == nil || j.Conn.Aerospike == nil {
		return nil
	}
	n := j.WarmUp
	if n == AutoWarmUp {
		n = j.Concurrency()
	}
	got, err := j.Conn.Aerospike.WarmUp(n)
	switch {
	case err != nil && j.WarmUp == AutoWarmUp:
		j.Log.Warn("could not open the connections a restore writes through at once; restoring without", "per-node", n, "error", err)
		return nil
	case err != nil:
		return fmt.Errorf("warming up %d connections per node: %w (lower --warm-up or check the server's proto-fd-max)", n, err)
	}
	level := slog.LevelInfo
	if j.WarmUp == AutoWarmUp {
		level = slog.LevelDebug
	}
	j.Log.Log(context.Background(), level, "warmed up connections", "connections", got, "per-node", n,
		"nodes", len(j.Conn.Aerospike.GetNodes()))
	return nil
}

// Concurrency is how many writes the job has in flight at most, each on
// a connection of its own to each node: per step its batch writers
// (max-async-batches) or, without batch writes, its parallel writers;
// the chains' sum when they run at the same time, else the largest.
func (j *Job) Concurrency() int {
	total, largest := 0, 0
	for _, c := range j.Chains {
		most := 0
		for _, st := range c.Steps {
			if st.Config == nil {
				continue
			}
			w := st.Config.MaxAsyncBatches
			if st.Config.DisableBatchWrites {
				w = st.Config.Parallel
			}
			most = max(most, w)
		}
		total += most
		largest = max(largest, most)
	}
	if j.Parallel {
		return total
	}
	return largest
}

func (j *Job) encryptionPolicy(mode string) (*backup.EncryptionPolicy, error) {
	p := &backup.EncryptionPolicy{Mode: mode}
	n := 0
	if j.KeyFile != "" {
		p.KeyFile = &j.KeyFile
		n++
	}
	if j.KeyEnv != "" {
		p.KeyEnv = &j.KeyEnv
		n++
	}
	if j.KeySecret != "" {
		p.KeySecret = &j.KeySecret
		n++
	}
	switch n {
	case 0:
		return nil, fmt.Errorf("the backup is encrypted (%s): give the key with --encryption-key-file, --encryption-key-env or --encryption-key-secret", mode)
	case 1:
		return p, nil
	}
	return nil, errors.New("give only one of --encryption-key-file, --encryption-key-env, --encryption-key-secret")
}
