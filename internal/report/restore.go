package report

import (
	"fmt"
	"io"
	"sort"
	"time"

	"github.com/aerobackup/aerobackup/internal/policy"
	"github.com/aerobackup/aerobackup/internal/restorejob"
)

// Restore is what a restore (or restore-at-timestamp) did: its --json
// document, or a line on stderr for the person watching.
type Restore struct {
	Type      string             `json:"type"`
	Outcome   string             `json:"outcome"`
	DryRun    bool               `json:"dry-run,omitempty"`
	Validate  bool               `json:"validate-only,omitempty"`
	WritePlan string             `json:"write-policy"`
	Steps     []RestorePlanStep  `json:"plan,omitempty"`
	Result    *restorejob.Result `json:"result,omitempty"`
	Totals    *restorejob.Counts `json:"totals,omitempty"`
	Recovery  *time.Time         `json:"recovery-point,omitempty"`
	// Selected, for a restore of selected records, is the version of
	// each that was written, and the records no backup held.
	Selected   *restorejob.Picks `json:"selected,omitempty"`
	Warnings   []string          `json:"warnings,omitempty"`
	DurationMs int64             `json:"duration-millis"`
}

// RestorePlanStep is one backup folder of a restore dry run, in order.
type RestorePlanStep struct {
	Order       int       `json:"order"`
	Key         string    `json:"key"`
	Type        string    `json:"type,omitempty"`
	Created     time.Time `json:"created,omitzero"`
	Source      string    `json:"source-namespace"`
	Destination string    `json:"destination-namespace"`
	Records     uint64    `json:"record-count"`
	WritePolicy string    `json:"write-policy"`
}

// NewRestore reports a restore job's result (nil when it read nothing):
// a success, failed when err, interrupted when err came of the run being
// cancelled.
func NewRestore(res *restorejob.Result, err error, interrupted bool) *Restore {
	s := &Restore{Type: "restore", Outcome: "success", Result: res}
	if res != nil {
		t := res.Totals()
		s.Totals = &t
		s.Selected = res.Picks
	}
	switch {
	case err != nil && interrupted:
		s.Outcome = "interrupted"
	case err != nil:
		s.Outcome = "failed"
	}
	return s
}

// Failed says the restore failed or was interrupted.
func (s *Restore) Failed() bool { return s.Outcome != "success" }

// Human prints the restore's totals on stderr.
func (s *Restore) Human(_, errOut io.Writer) error {
	t := s.Totals
	if t == nil {
		return nil
	}
	d := (time.Duration(s.DurationMs) * time.Millisecond).Round(time.Millisecond)
	if s.Validate {
		fmt.Fprintf(errOut, "validate %s: %d records found, %d indexes, %d UDFs, %d bytes read in %s, %s checked (nothing written)\n",
			s.Outcome, t.Read, t.SIndexes, t.UDFs, t.BytesRead, d, plural(len(s.Result.Steps), "backup"))
		return nil
	}
	// Refused records fail the restore, or were skipped with
	// --ignore-record-error.
	refused := ""
	if t.Refused > 0 {
		refused = fmt.Sprintf(", %d refused by the server", t.Refused)
	}
	// Versions older than one the restore wrote, skipped client-side by a
	// newest-first restore-at-timestamp.
	superseded := ""
	if t.Superseded > 0 {
		superseded = fmt.Sprintf(", %d superseded versions skipped (not sent)", t.Superseded)
	}
	fmt.Fprintf(errOut, "restore %s: %d records read, %d written, %d already present%s, %d older than the cluster's, %d expired, %d skipped%s, %d indexes, %d UDFs in %s\n",
		s.Outcome, t.Read, t.Inserted, t.Existed, superseded, t.Fresher, t.Expired, t.Skipped, refused, t.SIndexes, t.UDFs, d)
	if s.Selected != nil {
		pickLines(errOut, s.Selected)
	}
	return nil
}

// RestoreDryRun is the plan a restore dry run prints: in --json, a
// restore summary whose outcome is "dry-run".
type RestoreDryRun Restore

// NewRestoreDryRun lists the chains' steps by destination namespace,
// sorting chains in place.
func NewRestoreDryRun(chains []restorejob.Chain, writeMode string) *RestoreDryRun {
	d := &RestoreDryRun{Type: "restore", Outcome: "dry-run", DryRun: true, WritePlan: writeMode}
	sort.SliceStable(chains, func(i, j int) bool { return chains[i].Namespace < chains[j].Namespace })
	for _, c := range chains {
		for _, s := range c.Steps {
			wm := writeMode
			if s.Config != nil {
				wm = policy.WriteMode(s.Config)
			}
			d.Steps = append(d.Steps, RestorePlanStep{Order: len(d.Steps) + 1, Key: s.Label, Source: s.Source,
				Destination: s.Destination, Records: s.ExpectedRecords, WritePolicy: wm})
		}
	}
	return d
}

// Human lists the steps in order on stdout.
func (d *RestoreDryRun) Human(out, _ io.Writer) error {
	fmt.Fprintln(out, "dry run: would restore, in this order:")
	for _, p := range d.Steps {
		fmt.Fprintf(out, "  %2d. %s  %s -> %s  (%d records, %s)\n", p.Order, p.Key, p.Source, p.Destination, p.Records, p.WritePolicy)
	}
	return nil
}
