package schedule

import (
	"errors"
	"fmt"
	"log/slog"
	"path/filepath"

	"github.com/aerobackup/aerobackup/internal/config"
)

// Formats are the schedulers Render writes for.
var Formats = []string{"systemd", "crontab", "kubernetes"}

// Routine is a backup routine as a scheduler sees it.
type Routine struct {
	Name             string
	IntervalCron     string
	IncrIntervalCron *string
	Timezone         *string
	Disabled         bool
}

// JobsOf lists the jobs of routines. A disabled routine is left out, and
// named in leftOut, unless keepDisabled (it was asked for by name).
func JobsOf(routines []Routine, keepDisabled bool) (jobs []Job, leftOut []string) {
	for _, r := range routines {
		if r.Disabled && !keepDisabled {
			leftOut = append(leftOut, r.Name)
			continue
		}
		jobs = append(jobs, JobsFor(r.Name, r.IntervalCron, r.IncrIntervalCron, r.Timezone)...)
	}
	return jobs, leftOut
}

// Render renders jobs for the scheduler format (one of Formats) as the
// files to install: a service and a timer per job for systemd, one
// crontab, one manifest of CronJobs.
func Render(format string, jobs []Job, o Options) ([]File, error) {
	switch format {
	case "systemd":
		return Systemd(jobs, o)
	case "crontab":
		s, err := Crontab(jobs, o)
		return []File{{Name: "aerobackup.crontab", Content: s}}, err
	case "kubernetes":
		s, err := Kubernetes(jobs, o)
		return []File{{Name: "aerobackup-cronjobs.yaml", Content: s}}, err
	}
	return nil, fmt.Errorf("format %q: want systemd, crontab or kubernetes", format)
}

// RefusedError is an export the config cannot give as asked: no enabled
// routine, or an expression the scheduler cannot represent exactly.
// outcome classes it as a usage error.
type RefusedError struct{ Err error }

func (e *RefusedError) Error() string { return e.Err.Error() }
func (e *RefusedError) Unwrap() error { return e.Err }

// Export renders for format (as CheckFormat reads it) the jobs of cfg's
// routines, or of only the one named, a disabled routine left out (and
// logged) unless named. The jobs read configFile, unless o names the path
// they see (then made absolute).
func Export(cfg *config.Config, configFile, format, only string, o Options, log *slog.Logger) ([]File, error) {
	routines, err := RoutinesOf(cfg, only)
	if err != nil {
		return nil, err
	}
	jobs, leftOut := JobsOf(routines, only != "")
	for _, n := range leftOut {
		log.Info("leaving out a disabled routine", "routine", n)
	}
	if len(jobs) == 0 {
		return nil, &RefusedError{Err: errors.New("no enabled routine to export")}
	}
	if o.ConfigPath == "" {
		if o.ConfigPath, err = filepath.Abs(configFile); err != nil {
			return nil, err
		}
	}
	files, err := Render(format, jobs, o)
	if err != nil {
		return nil, &RefusedError{Err: err}
	}
	return files, nil
}
