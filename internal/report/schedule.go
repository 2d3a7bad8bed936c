package report

import (
	"fmt"
	"io"

	"github.com/aerobackup/aerobackup/internal/schedule"
)

// ScheduleFiles is what `schedule export` prints without --output-dir: the
// files one after another, each headed by its name when there are several.
// It has no --json form: the files are the output.
type ScheduleFiles []schedule.File

// Human writes the files to out.
func (fs ScheduleFiles) Human(out, _ io.Writer) error {
	for i, f := range fs {
		if len(fs) > 1 {
			if i > 0 {
				fmt.Fprintln(out)
			}
			fmt.Fprintf(out, "# ==> %s <==\n", f.Name)
		}
		if _, err := fmt.Fprint(out, f.Content); err != nil {
			return err
		}
	}
	return nil
}
