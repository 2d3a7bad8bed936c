package report

import (
	"fmt"
	"io"
	"log/slog"
	"text/tabwriter"

	"github.com/aerobackup/aerobackup/internal/verify"
)

// Verify is verify's result: a status per backup and namespace, counted.
type Verify struct {
	Type    string          `json:"type"`
	OK      bool            `json:"ok"`
	Counts  map[string]int  `json:"counts"`
	Results []verify.Result `json:"results"`
	// Log receives the human form's one warning per problem.
	Log *slog.Logger `json:"-"`
}

// NewVerify counts the results by status (every status present, at zero
// when none); it is OK when none is incomplete or corrupt.
func NewVerify(results []verify.Result, log *slog.Logger) *Verify {
	counts, notOK := verify.Summarize(results)
	if results == nil {
		results = []verify.Result{}
	}
	return &Verify{Type: "verify", OK: notOK == nil, Counts: counts, Results: results, Log: log}
}

// Failed says a backup is incomplete or corrupt.
func (d *Verify) Failed() bool { return !d.OK }

// QuietHuman logs each problem, as warnings, and prints no table.
func (d *Verify) QuietHuman(io.Writer) error {
	d.logProblems()
	return nil
}

// Human prints a line per backup and namespace, then logs each problem.
func (d *Verify) Human(out, errOut io.Writer) error {
	if len(d.Results) == 0 {
		fmt.Fprintln(errOut, "no backups found")
		return nil
	}
	tw := tabwriter.NewWriter(out, 0, 0, 2, ' ', 0)
	fmt.Fprintln(tw, "STATUS\tKEY\tNAMESPACE\tFILES\tREAD\tRECORDS\tCHECKSUMS\tREASON")
	for _, r := range d.Results {
		reason := r.Reason()
		if reason == "" && len(r.Notes) > 0 {
			reason = r.Notes[0]
		}
		if n := len(r.Problems); n > 1 {
			reason += fmt.Sprintf(" (+%d more)", n-1)
		}
		sums := "yes"
		if !r.Checksums {
			sums = "no"
		}
		fmt.Fprintf(tw, "%s\t%s\t%s\t%d\t%d\t%d\t%s\t%s\n", r.Status, r.Key, r.Namespace, r.Files, r.FilesRead,
			r.RecordsExpected, sums, reason)
	}
	if err := tw.Flush(); err != nil {
		return err
	}
	d.logProblems()
	return nil
}

func (d *Verify) logProblems() {
	for _, r := range d.Results {
		for _, p := range r.Problems {
			d.Log.Warn("verify", "status", string(p.Status), "key", r.Key, "namespace", r.Namespace,
				"file", p.File, "fault", p.Fault)
		}
	}
}
