package report

import (
	"fmt"
	"io"

	"github.com/aerobackup/aerobackup/internal/catalog"
)

// Pin is the result of pin and unpin.
type Pin struct {
	Type   string `json:"type"`   // pin, unpin
	Action string `json:"action"` // pinned, would-pin, unpinned, would-unpin, not-pinned
	DryRun bool   `json:"dry-run"`
	Key    string `json:"key"`
	// Pin is the pin written, or the one removed (nil: none was there).
	Pin *catalog.Pin `json:"pin,omitempty"`
	// Replaced is the earlier pin a pin replaced.
	Replaced *catalog.Pin `json:"replaced,omitempty"`
}

// Human prints what was done in one line.
func (d *Pin) Human(out, _ io.Writer) error {
	var line string
	switch d.Action {
	case "pinned", "would-pin":
		verb := map[string]string{"pinned": "pinned", "would-pin": "would pin"}[d.Action]
		line = fmt.Sprintf("%s %s (%s)", verb, d.Key, d.Pin.Rule())
		if d.Replaced != nil {
			line += fmt.Sprintf(", replacing %q", d.Replaced.Rule())
		}
	case "unpinned", "would-unpin":
		verb := map[string]string{"unpinned": "unpinned", "would-unpin": "would unpin"}[d.Action]
		line = fmt.Sprintf("%s %s (was %s)", verb, d.Key, d.Pin.Rule())
	default:
		line = d.Key + " was not pinned: nothing to do"
	}
	_, err := fmt.Fprintln(out, line)
	return err
}
