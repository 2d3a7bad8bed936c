package report

import (
	"encoding/json"
	"fmt"
	"io"
	"strings"
)

// Failure is the document of a run that ended with an error, written to
// stderr. Its fields are in the order the --json line has always had.
type Failure struct {
	ExitStatus int    `json:"exit-status"`
	Kind       string `json:"kind"` // outcome's class: "skipped", "error"...
	Message    string `json:"message"`
	Type       string `json:"type"` // always "error"
}

// NewFailure is the failure of class kind with exit status code; message
// is the error's text, already redacted, which it tidies (Tidy).
func NewFailure(kind string, code int, message string) *Failure {
	return &Failure{ExitStatus: code, Kind: kind, Message: Tidy(message), Type: "error"}
}

// JSON writes the failure as one line (no indent: log collectors read
// stderr line by line).
func (f *Failure) JSON(w io.Writer) error { return json.NewEncoder(w).Encode(f) }

// Write writes the failure to errOut: as one JSON line for --json, else
// in its human form.
func (f *Failure) Write(asJSON bool, errOut io.Writer) error {
	if asJSON {
		return f.JSON(errOut)
	}
	return f.Human(nil, errOut)
}

// Human writes one line per line of the message (a config with several
// problems reports each), prefixed "aerobackup: error: ", or "aerobackup: "
// for a skip, which is no failure of the tool.
func (f *Failure) Human(_, errOut io.Writer) error {
	prefix := "aerobackup: error: "
	if f.Kind == "skipped" {
		prefix = "aerobackup: "
	}
	for _, line := range strings.Split(strings.TrimRight(f.Message, "\n"), "\n") {
		if _, err := fmt.Fprintf(errOut, "%s%s\n", prefix, line); err != nil {
			return err
		}
	}
	return nil
}
