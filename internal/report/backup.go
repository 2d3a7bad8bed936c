package report

import (
	"fmt"
	"io"
	"time"

	"github.com/aerobackup/aerobackup/internal/backupjob"
	"github.com/aerobackup/aerobackup/internal/catalog"
)

// Backup is what a backup run did (or, as BackupDryRun, would do).
type Backup struct {
	Type    string            `json:"type"`
	Outcome string            `json:"outcome"`
	DryRun  bool              `json:"dry-run,omitempty"`
	Reason  string            `json:"reason,omitempty"`
	Backup  *backupjob.Result `json:"backup,omitempty"`
	Plan    []BackupPlanEntry `json:"plan,omitempty"`
	Totals  map[string]uint64 `json:"totals,omitempty"`
	Prune   *Prune            `json:"prune,omitempty"`
	// RunComplete, for a slice: every slice of the run is now done.
	RunComplete *bool `json:"run-complete,omitempty"`
	Resumed     bool  `json:"resumed,omitempty"`
	DurationMs  int64 `json:"duration-millis"`
}

// BackupPlanEntry is one namespace of a dry run: its window and folder.
type BackupPlanEntry struct {
	Namespace string    `json:"namespace"`
	Type      string    `json:"type"`
	From      time.Time `json:"from,omitzero"`
	Until     time.Time `json:"until,omitzero"`
	Dir       string    `json:"dir"`
}

// NewBackup reports a run that wrote res: a success, or partial when the
// run failed after writing some namespaces; an incremental that found
// nothing to write has no changes.
func NewBackup(res *backupjob.Result, failed, resumed bool, took time.Duration) *Backup {
	s := &Backup{Type: "backup", Outcome: "success", Backup: res, Resumed: resumed, DurationMs: took.Milliseconds()}
	if failed {
		s.Outcome = "partial"
	}
	if res.Empty() && res.Type == catalog.Incremental {
		s.Outcome = "no-changes"
	}
	s.Totals = map[string]uint64{"record-count": res.Records(), "byte-count": res.Bytes(), "file-count": res.Files()}
	if res.Slice != "" {
		done := res.RunComplete()
		s.RunComplete = &done
	}
	return s
}

// Failed says the run wrote only some namespaces.
func (s *Backup) Failed() bool { return s.Outcome == "partial" }

// QuietHuman prints nothing: under --quiet (cron mails every byte) a
// successful backup is silent; its key is in --json's document, the log
// file and the metrics.
func (s *Backup) QuietHuman(io.Writer) error { return nil }

// Human prints the run's one-line summary (and the prune's) to errOut and
// its key, the result scripts read, to out.
func (s *Backup) Human(out, errOut io.Writer) error {
	s.printRun(out, errOut)
	if s.Prune != nil {
		fmt.Fprintf(errOut, "retention: removed %d backups and %d leftover folders, kept %d\n",
			s.Prune.Removed, len(s.Prune.Leftovers), s.Prune.Kept)
	}
	return nil
}

func (s *Backup) printRun(out, errOut io.Writer) {
	res := s.Backup
	if s.Outcome == "no-changes" {
		fmt.Fprintf(errOut, "%s backup of routine %q: no changes, nothing written\n", res.Type, res.Routine)
		return
	}
	d := time.Duration(s.DurationMs) * time.Millisecond
	rate := 0.0
	if d > 0 {
		rate = float64(res.Records()) / d.Seconds()
	}
	what := fmt.Sprintf("%s backup of routine %q", res.Type, res.Routine)
	if res.Slice != "" {
		what = fmt.Sprintf("slice %s of the %s", res.Slice, what)
	}
	fmt.Fprintf(errOut, "%s %s: %d records, %s in %d files, %s (%.0f records/s)\n",
		what, s.Outcome, res.Records(), humanBytes(res.Bytes()), res.Files(),
		d.Round(time.Millisecond), rate)
	if res.Slice != "" {
		if res.RunComplete() {
			fmt.Fprintf(errOut, "run %s: every slice is complete; it is a backup\n", res.Key)
		} else {
			fmt.Fprintf(errOut, "run %s: waiting for other slices (list shows it as incomplete until all are done)\n", res.Key)
		}
	}
	if res.Key != "" {
		fmt.Fprintf(out, "%s\n", res.Key)
	}
}

// BackupDryRun is a backup dry run's summary (its --json document) and
// what its human form says besides: which run it would take or continue.
type BackupDryRun struct {
	Backup
	routine   string
	typ       catalog.Type
	runDir    string
	continues bool
}

// NewBackupDryRun reports what job would write, namespace by namespace.
func NewBackupDryRun(job *backupjob.Job) *BackupDryRun {
	d := &BackupDryRun{Backup: Backup{Type: "backup", Outcome: "dry-run", DryRun: true},
		routine: job.Routine, typ: job.Type, runDir: job.RunDir(), continues: job.Resume != nil}
	for _, ns := range job.Namespaces {
		d.Plan = append(d.Plan, BackupPlanEntry{Namespace: ns.Name, Type: string(job.Type), From: ns.From,
			Until: job.Until, Dir: catalog.NamespaceDir(d.runDir, ns.Name)})
	}
	return d
}

// Human says what the run would do, namespace by namespace.
func (d *BackupDryRun) Human(out, _ io.Writer) error {
	if d.continues {
		fmt.Fprintf(out, "dry run: would continue the interrupted %s backup %s of routine %q\n", d.typ, d.runDir, d.routine)
	} else {
		fmt.Fprintf(out, "dry run: would take a %s backup of routine %q\n", d.typ, d.routine)
	}
	for _, p := range d.Plan {
		window := "all records"
		if !p.From.IsZero() {
			window = "records changed since " + p.From.UTC().Format(time.RFC3339Nano)
		}
		if !p.Until.IsZero() {
			window += " until " + p.Until.UTC().Format(time.RFC3339Nano)
		}
		fmt.Fprintf(out, "  %-20s %s -> %s\n", p.Namespace, window, p.Dir)
	}
	return nil
}

// Estimate is backup --estimate's result: a full backup's size per
// namespace and in all.
type Estimate struct {
	Type       string                        `json:"type"`
	Routine    string                        `json:"routine"`
	Samples    int64                         `json:"estimate-samples"`
	Namespaces []backupjob.NamespaceEstimate `json:"namespaces"`
	Bytes      uint64                        `json:"estimated-bytes"`
}

// NewEstimate totals the namespaces' estimates.
func NewEstimate(routine string, samples int64, namespaces []backupjob.NamespaceEstimate) *Estimate {
	e := &Estimate{Type: "estimate", Routine: routine, Samples: samples, Namespaces: namespaces}
	for _, n := range namespaces {
		e.Bytes += n.Bytes
	}
	return e
}

// Human prints the estimate per namespace and the total.
func (s *Estimate) Human(out, _ io.Writer) error {
	fmt.Fprintf(out, "estimated size of a full backup of routine %q (%d samples per namespace):\n", s.Routine, s.Samples)
	for _, e := range s.Namespaces {
		fmt.Fprintf(out, "  %-20s %s\n", e.Namespace, humanBytes(e.Bytes))
	}
	fmt.Fprintf(out, "  %-20s %s\n", "total", humanBytes(s.Bytes))
	return nil
}

// Stream is what backup --output - wrote to standard output. It has only
// a human form: --json cannot go with --output -, standard output
// carrying the stream.
type Stream struct {
	Type      catalog.Type
	Routine   string
	Namespace string
	// From is an incremental's lower bound; zero for a full.
	From   time.Time
	Result backupjob.NamespaceResult
	Took   time.Duration
}

// NewStream is the summary of s, which wrote res in took.
func NewStream(s *backupjob.Stream, res backupjob.NamespaceResult, took time.Duration) *Stream {
	return &Stream{Type: s.Type, Routine: s.Routine, Namespace: s.Namespace.Name, From: s.Namespace.From, Result: res, Took: took}
}

// Human prints the stream's one-line summary to errOut.
func (s *Stream) Human(_, errOut io.Writer) error {
	window := ""
	if !s.From.IsZero() {
		window = " changed since " + s.From.UTC().Format(time.RFC3339Nano)
	}
	res := s.Result
	_, err := fmt.Fprintf(errOut, "%s backup of namespace %q (routine %q) streamed to standard output: %d records%s, %d indexes, %d UDFs, %s in %s\n",
		s.Type, s.Namespace, s.Routine, res.Records, window, res.SIndexes, res.UDFs, humanBytes(res.Bytes),
		s.Took.Round(time.Millisecond))
	return err
}
