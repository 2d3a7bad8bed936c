package report

import (
	"fmt"
	"io"

	"github.com/aerobackup/aerobackup/internal/verify"
)

// Check is check's result. A failed check's reason is the command's
// error line, so the human form prints only success.
type Check struct {
	Type string `json:"type"`
	verify.Freshness
}

// NewCheck wraps a freshness check's result.
func NewCheck(f verify.Freshness) *Check { return &Check{Type: "check", Freshness: f} }

// QuietHuman prints nothing: the exit status says whether it passed.
func (d *Check) QuietHuman(io.Writer) error { return nil }

// Human prints "OK: " and the reason when the check passed.
func (d *Check) Human(out, _ io.Writer) error {
	if d.OK {
		fmt.Fprintln(out, "OK: "+d.Reason)
	}
	return nil
}
