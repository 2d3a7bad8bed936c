package schedule

import "fmt"

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
