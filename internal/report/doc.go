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

// A run's document that can say the run did not succeed: a failed run's
// summary is printed even when quiet, beside its error.
type failer interface{ Failed() bool }

// A quieter is a run's document whose human form on stdout is a report
// of the run, not a result to keep: QuietHuman writes what is left of it
// when quiet (nothing, or warnings through a logger).
type quieter interface{ QuietHuman(out io.Writer) error }

// Emit writes doc as an indented JSON document on out when asJSON, else
// in its human form. When quiet, a run that did not fail prints its
// results only: no summaries (the human form's errOut), and of a
// quieter, only its QuietHuman. A command's run function emits its
// document once and never asks which form is wanted.
func Emit(asJSON, quiet bool, out, errOut io.Writer, doc Document) error {
	if !asJSON {
		if f, ok := doc.(failer); !quiet || ok && f.Failed() {
			return doc.Human(out, errOut)
		}
		if q, ok := doc.(quieter); ok {
			return q.QuietHuman(out)
		}
		return doc.Human(out, io.Discard)
	}
	enc := json.NewEncoder(out)
	enc.SetIndent("", "  ")
	return enc.Encode(doc)
}
