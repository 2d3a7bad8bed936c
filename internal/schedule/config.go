package schedule

import (
	"errors"
	"fmt"
	"slices"
	"strings"

	"github.com/aerobackup/aerobackup/internal/backupslice"
	"github.com/aerobackup/aerobackup/internal/config"
)

// CheckFormat reads a scheduler's name, in any case, as one of Formats,
// and checks that a sliced export (nSlices > 0) is one only an Indexed Job
// can run. The messages name the command line's flags.
func CheckFormat(format string, nSlices int) (string, error) {
	f := strings.ToLower(format)
	if !slices.Contains(Formats, f) {
		return "", fmt.Errorf("--format %q: want systemd, crontab or kubernetes", format)
	}
	switch {
	case nSlices == 0:
	case f != "kubernetes":
		return "", errors.New("--slices goes with --format kubernetes: only an Indexed Job gives every slice its index and a shared run name")
	case nSlices < 2 || nSlices > backupslice.MaxSlices:
		return "", fmt.Errorf("--slices %d: want 2..%d", nSlices, backupslice.MaxSlices)
	}
	return f, nil
}

// RoutinesOf are cfg's routines as a scheduler sees them: every one, by
// name, or only the one named (an error when cfg has none of that name).
func RoutinesOf(cfg *config.Config, only string) ([]Routine, error) {
	names := cfg.RoutineNames()
	if only != "" {
		if _, err := cfg.Routine(only); err != nil {
			return nil, err
		}
		names = []string{only}
	}
	var out []Routine
	for _, n := range names {
		r := cfg.BackupRoutines[n]
		out = append(out, Routine{Name: n, IntervalCron: r.IntervalCron, IncrIntervalCron: r.IncrIntervalCron,
			Timezone: r.ScheduleTimezone, Disabled: r.IsDisabled()})
	}
	return out, nil
}
