package cli

import "github.com/aerobackup/aerobackup/internal/report"

// emit renders a command's document in the form the run asked for.
func (a *App) emit(doc report.Document) error {
	return report.Emit(a.Globals.JSON, a.Globals.Quiet, a.IO.Out, a.IO.Err, doc)
}
