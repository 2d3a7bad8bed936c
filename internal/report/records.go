package report

import (
	"fmt"
	"io"

	"github.com/aerobackup/aerobackup/internal/restorejob"
)

// RecordsDryRun is what a restore of selected records would write: the
// version of each, and the records no backup holds.
type RecordsDryRun struct {
	Type      string            `json:"type"`
	Outcome   string            `json:"outcome"`
	DryRun    bool              `json:"dry-run"`
	WritePlan string            `json:"write-policy"`
	Selected  *restorejob.Picks `json:"selected"`
}

// NewRecordsDryRun reports picks for a dry run.
func NewRecordsDryRun(picks *restorejob.Picks, writeMode string) *RecordsDryRun {
	return &RecordsDryRun{Type: "restore", Outcome: "dry-run", DryRun: true, WritePlan: writeMode, Selected: picks}
}

// Human lists each record and the backup its version would come from.
func (d *RecordsDryRun) Human(out, _ io.Writer) error {
	fmt.Fprintf(out, "dry run: would write %d of %d selected records (%s):\n",
		len(d.Selected.Records)-d.Selected.Missing(), len(d.Selected.Records), d.WritePlan)
	pickLines(out, d.Selected)
	return nil
}

// pickLines prints one line per selected record, then what was read.
func pickLines(w io.Writer, p *restorejob.Picks) {
	for _, r := range p.Records {
		if r.Found {
			fmt.Fprintf(w, "  %s -> %s: from %s (generation %d)\n", r.Record, r.Namespace, r.Backup, r.Generation)
		} else {
			fmt.Fprintf(w, "  %s -> %s: in no backup searched: not written, the record is left as it is\n", r.Record, r.Namespace)
		}
	}
	fmt.Fprintf(w, "  read %d of %d data files (%s)\n", p.FilesRead, p.FilesHeld, humanBytes(uint64(p.BytesRead)))
}
