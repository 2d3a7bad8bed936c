// Package restorejob owns applying backup folders to a cluster: one
// backup-go restore operation per folder, in the order given, with the
// compression and encryption each folder's metadata declares. It does not
// choose which backups to apply (the catalog plans that) nor parse flags.
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

	"github.com/aerobackup/aerobackup/internal/cluster"
	"github.com/aerobackup/aerobackup/internal/progress"
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
	// Config is the base restore configuration; it is copied per step.
	Config *backup.ConfigRestore
}

// Chain is an ordered list of steps for one destination namespace; chains
// may run in parallel, steps within a chain never do.
type Chain struct {
	Namespace string // destination, for messages
	Steps     []Step
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
	// write (0: none).
	WarmUp int
	// Encryption key source for encrypted backups: exactly one of these.
	KeyFile, KeyEnv, KeySecret string
	SecretAgent                *backup.SecretAgentConfig
	Progress                   *progress.Reporter
	Log                        *slog.Logger
}

// Counts are what a restore did to records, per step or in total.
type Counts struct {
	Read     uint64 `json:"records-read"`
	Inserted uint64 `json:"records-inserted"`
	Existed  uint64 `json:"records-existed"`
	Fresher  uint64 `json:"records-fresher"`
	Skipped  uint64 `json:"records-skipped"`
	Expired  uint64 `json:"records-expired"`
	Ignored  uint64 `json:"records-ignored"`
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
}

// Totals sums the steps.
func (r *Result) Totals() Counts {
	var t Counts
	for _, s := range r.Steps {
		t.Read += s.Read
		t.Inserted += s.Inserted
		t.Existed += s.Existed
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
	var mu sync.Mutex
	var errs []error
	validate := j.ValidateOnly()
	runChain := func(c Chain) {
		for _, s := range c.Steps {
			sr, err := j.restoreStep(ctx, s)
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

func (j *Job) restoreStep(ctx context.Context, s Step) (StepResult, error) {
	dest := s.Destination
	if dest == "" {
		dest = s.Source
	}
	out := StepResult{Label: s.Label, Dir: s.Dir, Source: s.Source, Destination: dest}
	started := time.Now()
	fail := func(err error) (StepResult, error) {
		out.Error = err.Error()
		out.Duration = time.Since(started)
		out.Millis = out.Duration.Milliseconds()
		return out, err
	}

	cfg := *s.Config
	cfg.MetricsEnabled = true
	src := s.Source
	var bc *backup.Client
	// Every writing step counts the server's refusals (see refusals.go).
	tally := &refusalTally{}
	switch {
	case cfg.ValidateOnly:
		// backup-go decodes into discarding writers; it must get no
		// cluster client at all (an untyped nil), nor a mapping.
		c, err := backup.NewClient(nil, backup.WithLogger(j.Log))
		if err != nil {
			return fail(fmt.Errorf("%s: %w", s.Label, err))
		}
		bc = c
	case j.Conn == nil:
		return fail(fmt.Errorf("%s: no destination cluster", s.Label))
	case j.Conn.Aerospike == nil:
		return fail(fmt.Errorf("%s: restoring %s into %s: no cluster client", s.Label, src, dest))
	case cfg.NoIndexes:
		// backup-go maps the records' namespace itself.
		ip, rp := j.Conn.InfoPolicies()
		c, err := backup.NewClient(&refusalClient{AerospikeClient: j.Conn.Aerospike, ignore: cfg.IgnoreRecordError, tally: tally},
			backup.WithLogger(j.Log), backup.WithInfoPolicies(ip, rp))
		if err != nil {
			return fail(fmt.Errorf("%s: %w", s.Label, err))
		}
		bc = c
	default:
		// backup-go maps only the records' namespace (see nsmap.go), and
		// an index already there under another name needs care, mapped
		// or not (see sindexdup.go).
		c, err := j.indexBackupClient(ctx, &refusalClient{AerospikeClient: j.Conn.Aerospike, ignore: cfg.IgnoreRecordError, tally: tally},
			src, dest)
		if err != nil {
			return fail(fmt.Errorf("%s: %w", s.Label, err))
		}
		bc = c
	}
	if src != "" && dest != src && !cfg.ValidateOnly {
		cfg.Namespace = &backup.RestoreNamespaceConfig{Source: &src, Destination: &dest}
	}
	if c := strings.ToUpper(s.Compression); c != "" && c != "NONE" {
		cfg.CompressionPolicy = backup.NewCompressionPolicy(c, -1)
	}
	if e := strings.ToUpper(s.Encryption); e != "" && e != "NONE" {
		pol, err := j.encryptionPolicy(e)
		if err != nil {
			return fail(fmt.Errorf("%s: %w", s.Label, err))
		}
		cfg.EncryptionPolicy = pol
		cfg.SecretAgentConfig = j.SecretAgent
	}

	// Checked before anything is written (see integrity.go).
	want, err := expect(ctx, j.Store, s.Dir)
	if err != nil {
		return fail(fmt.Errorf("%s: %w", s.Label, err))
	}
	storeReader, err := j.Store.RestoreReader(ctx, s.Dir, storage.ReaderOptions{})
	if err != nil {
		return fail(fmt.Errorf("%s: %s: %w", s.Label, j.Store, err))
	}
	reader := newCheckingReader(storeReader, s.Dir, want)
	h, err := bc.Restore(ctx, &cfg, reader)
	if err != nil {
		return fail(fmt.Errorf("%s: %w", s.Label, err))
	}
	stats := h.GetStats()
	tr := j.Progress.Track(fmt.Sprintf("restore %s -> %s", s.Label, dest), int64(s.ExpectedRecords), func() progress.Counts {
		return progress.Counts{Records: stats.GetReadRecords(), Bytes: stats.GetTotalBytesRead()}
	})
	err = h.Wait(ctx)
	tr.Stop()
	out.Read = stats.GetReadRecords()
	out.Inserted = stats.GetRecordsInserted()
	out.Existed = stats.GetRecordsExisted()
	out.Fresher = stats.GetRecordsFresher()
	out.Skipped = stats.GetRecordsSkipped()
	out.Expired = stats.GetRecordsExpired()
	out.Ignored = stats.GetRecordsIgnored()
	out.Refused = out.Ignored
	if out.Refused > 0 {
		out.Refusals = tally.refusals(out.Refused)
	}
	out.InDoubt = stats.GetErrorsInDoubt()
	out.BytesRead = stats.GetTotalBytesRead()
	out.SIndexes = stats.GetSIndexes()
	out.UDFs = stats.GetUDFs()
	if err != nil {
		if ctx.Err() != nil {
			return fail(ctx.Err())
		}
		if code, ok := refusalCode(err, ignorable); ok {
			return fail(fmt.Errorf("%s: %w", s.Label, &stoppedError{code: code, ignoring: cfg.IgnoreRecordError, err: err}))
		}
		return fail(fmt.Errorf("%s: %w", s.Label, reader.describe(err)))
	}
	if err := reader.after(want, out.Read); err != nil {
		return fail(fmt.Errorf("%s: %w", s.Label, err))
	}
	if out.Refused > 0 {
		// A record read and neither written nor passed over by the write
		// policy is a record lost, unless the user said so.
		if !cfg.IgnoreRecordError {
			return fail(fmt.Errorf("%s: %w", s.Label, &RefusedError{Read: out.Read, Refused: out.Refused, Refusals: out.Refusals}))
		}
		j.Log.Warn("records refused by the server were not restored (--ignore-record-error)", "backup", s.Label,
			"namespace", dest, "records-refused", out.Refused, "records-read", out.Read, "reasons", describeRefusals(out.Refusals))
	}
	out.Duration = time.Since(started)
	out.Millis = out.Duration.Milliseconds()
	msg := "restored"
	if cfg.ValidateOnly {
		msg = "validated"
	}
	j.Log.Info(msg, "backup", s.Label, "namespace", dest, "records-read", out.Read,
		"records-inserted", out.Inserted, "records-existed", out.Existed, "records-fresher", out.Fresher,
		"duration", out.Duration.Round(time.Millisecond).String())
	return out, nil
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

// warmUp fills the connection pools before restoring, so the first
// batches do not pay for opening connections (the client's WarmUp: count
// per node, capped by the pool's size).
func (j *Job) warmUp() error {
	if j.WarmUp <= 0 || j.Conn == nil || j.Conn.Aerospike == nil {
		return nil
	}
	n, err := j.Conn.Aerospike.WarmUp(j.WarmUp)
	if err != nil {
		return fmt.Errorf("warming up %d connections per node: %w (lower --warm-up or check the server's proto-fd-max)", j.WarmUp, err)
	}
	j.Log.Info("warmed up connections", "connections", n, "per-node", j.WarmUp,
		"nodes", len(j.Conn.Aerospike.GetNodes()))
	return nil
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
