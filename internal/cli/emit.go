package cli

import "io"

// A document is a command's typed result. The emitter renders it: as the
// --json document on stdout, or in its human form. Run functions build a
// document and emit it; none of them asks which form is wanted.
type document interface {
	// human writes the human form: tables and results to out, summaries
	// meant for a person watching the run to errOut.
	human(out, errOut io.Writer) error
}

// emit renders doc in the form the run asked for.
func (a *App) emit(doc document) error {
	if a.Globals.JSON {
		return a.writeJSON(doc)
	}
	return doc.human(a.IO.Out, a.IO.Err)
}
