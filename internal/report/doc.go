// Package report holds the documents a command prints: each command's
// typed result, written as its --json document or in its human form
// (tables and results on stdout, summaries for a person watching on
// stderr), and the builders that turn a job's result or a planner's
// decision into one.
//
// It renders and decides nothing: no storage, no cluster, no clock, no
// exit status. The JSON field names and the human lines are the command
// contract; scripts and monitoring read them, so they change only by
// adding.
package report

import (
	"encoding/json"
	"io"
)

// A Document is a command's typed result. Its exported fields, as JSON,
// are the --json document; Human writes the human form.
type Document interface {
	// Human writes the human form: tables and results to out, summaries
	// meant for a person watching the run to errOut.
	Human(out, errOut io.Writer) error
}

// Emit writes doc as an indented JSON document on out when asJSON, else
// in its human form. A command's run function emits its document once
// and never asks which form is wanted.
func Emit(asJSON bool, out, errOut io.Writer, doc Document) error {
	if !asJSON {
		return doc.Human(out, errOut)
	}
	enc := json.NewEncoder(out)
	enc.SetIndent("", "  ")
	return enc.Encode(doc)
}
