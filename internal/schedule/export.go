package schedule

import (
	"fmt"
	"sort"
	"strconv"
	"strings"
)

// Kind is what a job runs.
type Kind string

// The two kinds of scheduled backup of an ABS routine.
const (
	Full        Kind = "full"
	Incremental Kind = "incremental"
)

// Job is one scheduled run: a routine's full or incremental backup.
type Job struct {
	Routine  string
	Kind     Kind
	Cron     string // as written in the config
	TimeZone string // schedule-timezone, "" when unset
}

// Options are the install-specific parts of the rendered files.
type Options struct {
	Binary     string // aerobackup on the host (systemd, crontab)
	ConfigPath string // config file as the job sees it
	Image      string // container image (Kubernetes)
	Secret     string // Kubernetes Secret holding the config file (Kubernetes)
	Namespace  string // Kubernetes namespace; "" leaves it out
	// Extra flags appended to every backup command, e.g. --metrics-file.
	Extra []string
	// Slices > 1 makes each Kubernetes CronJob run an Indexed Job of that
	// many pods, each backing up one slice (backup --slices).
	Slices int
}

// File is one rendered file.
type File struct {
	Name    string
	Content string
}

func (j Job) args(o Options, configPath string) []string {
	a := []string{"backup", "--config", configPath, "--routine", j.Routine}
	if j.Kind == Incremental {
		a = append(a, "--incremental")
	}
	return append(a, o.Extra...)
}

// key names the config field the job's expression comes from.
func (j Job) key() string {
	if j.Kind == Incremental {
		return "incr-interval-cron"
	}
	return "interval-cron"
}

func (j Job) name() string { return "aerobackup-" + j.Routine + "-" + string(j.Kind) }

// Systemd renders one service and one timer per job.
func Systemd(jobs []Job, o Options) ([]File, error) {
	var files []File
	for _, j := range jobs {
		e, err := Parse(j.Cron)
		if err != nil {
			return nil, jobErr(j, err)
		}
		cal, err := e.OnCalendar(j.TimeZone)
		if err != nil {
			return nil, jobErr(j, err)
		}
		unit := unitEscape(j.name())
		cmd := append([]string{o.Binary}, j.args(o, o.ConfigPath)...)
		files = append(files, File{Name: unit + ".service", Content: fmt.Sprintf(`# %s backup of ABS routine %q, started by %s.timer.
[Unit]
Description=aerobackup: %s backup of routine %s
Wants=network-online.target
After=network-online.target

[Service]
Type=oneshot
ExecStart=%s
# 3: skipped (another run holds the routine's lock, or no full backup yet).
SuccessExitStatus=3
Nice=10
IOSchedulingClass=idle
`, j.Kind, j.Routine, unit, j.Kind, j.Routine, shellJoin(cmd, systemdQuote))})
		files = append(files, File{Name: unit + ".timer", Content: fmt.Sprintf(`# %s %q of ABS routine %q.
[Unit]
Description=aerobackup: %s backup of routine %s (%s)

[Timer]
OnCalendar=%s
# Fire on the second, as ABS's scheduler does.
AccuracySec=1s

[Install]
WantedBy=timers.target
`, j.key(), j.Cron, j.Routine, j.Kind, j.Routine, j.Cron, cal)})
	}
	return files, nil
}

// Crontab renders one crontab (for crontab -e or /etc/cron.d without the
// user field) with a line per job.
func Crontab(jobs []Job, o Options) (string, error) {
	var b strings.Builder
	b.WriteString("# aerobackup: the schedules of the ABS routines in " + o.ConfigPath + "\n")
	b.WriteString("# --quiet: a successful run prints nothing, so cron mails only warnings and errors\n")
	zone := ""
	for _, j := range sorted(jobs) {
		e, err := Parse(j.Cron)
		if err != nil {
			return "", jobErr(j, err)
		}
		spec, err := e.Cron()
		if err != nil {
			return "", jobErr(j, err)
		}
		// Jobs are sorted host zone first, so CRON_TZ only ever needs to be
		// set, never unset, for the lines below it.
		if z := cronZone(j.TimeZone); z != zone {
			// CRON_TZ is read by cronie (RHEL, Fedora, SUSE, Arch) and by
			// busybox crond; Debian's cron ignores it.
			fmt.Fprintf(&b, "CRON_TZ=%s\n", z)
			zone = z
		}
		fmt.Fprintf(&b, "# %s backup of routine %s, %s %s\n%s %s\n", j.Kind, j.Routine, j.key(), j.Cron, spec,
			shellJoin(quiet(append([]string{o.Binary}, j.args(o, o.ConfigPath)...)), crontabQuote))
	}
	return b.String(), nil
}

// quiet adds --quiet to a command line that lacks it: a successful run
// then writes nothing to stderr.
func quiet(cmd []string) []string {
	for _, a := range cmd {
		if a == "--quiet" || a == "-q" {
			return cmd
		}
	}
	return append(cmd, "--quiet")
}

func cronZone(tz string) string {
	if strings.EqualFold(tz, "Local") {
		return ""
	}
	return tz
}

// Kubernetes renders one CronJob per job, as a multi-document YAML stream.
func Kubernetes(jobs []Job, o Options) (string, error) {
	const mount = "/etc/aerobackup"
	var docs []string
	for _, j := range sorted(jobs) {
		e, err := Parse(j.Cron)
		if err != nil {
			return "", jobErr(j, err)
		}
		spec, err := e.Cron()
		if err != nil {
			return "", jobErr(j, err)
		}
		var b strings.Builder
		fmt.Fprintf(&b, "# %s backup of ABS routine %q, %s %s\n", j.Kind, j.Routine, j.key(), j.Cron)
		if o.Slices > 1 {
			fmt.Fprintf(&b, `# taken by %d pods at once, each over 1/%d of the partitions: an Indexed
# Job gives each pod its slice in JOB_COMPLETION_INDEX, and the Job's name
# (<cronjob>-<scheduled Unix minute>) names the run folder they share.
`, o.Slices, o.Slices)
		}
		b.WriteString("apiVersion: batch/v1\nkind: CronJob\nmetadata:\n")
		fmt.Fprintf(&b, "  name: %s\n", dnsName(j.name()))
		if o.Namespace != "" {
			fmt.Fprintf(&b, "  namespace: %s\n", o.Namespace)
		}
		b.WriteString("  labels:\n    app.kubernetes.io/name: aerobackup\n")
		fmt.Fprintf(&b, "spec:\n  schedule: %s\n", yamlQuote(spec))
		if z := cronZone(j.TimeZone); z != "" {
			fmt.Fprintf(&b, "  timeZone: %s\n", yamlQuote(z))
		}
		b.WriteString(`  # aerobackup also locks the routine in storage; Forbid saves a pod.
  concurrencyPolicy: Forbid
  successfulJobsHistoryLimit: 3
  failedJobsHistoryLimit: 3
  jobTemplate:
    spec:
`)
		if o.Slices > 1 {
			fmt.Fprintf(&b, `      completionMode: Indexed
      completions: %d # must equal --slices
      parallelism: %d
      # A slice may be retried on its own (Kubernetes 1.29+); one that
      # already finished exits 0 at once.
      backoffLimitPerIndex: 2
      maxFailedIndexes: 0
`, o.Slices, o.Slices)
		} else {
			b.WriteString("      backoffLimit: 0\n")
		}
		b.WriteString(`      template:
        metadata:
          labels:
            app.kubernetes.io/name: aerobackup
        spec:
          restartPolicy: Never
          containers:
            - name: aerobackup
`)
		fmt.Fprintf(&b, "              image: %s\n", yamlQuote(o.Image))
		args := j.args(o, mount+"/aerobackup.yml")
		if o.Slices > 1 {
			b.WriteString(`              env:
                - name: JOB_NAME
                  valueFrom:
                    fieldRef:
                      fieldPath: metadata.labels['batch.kubernetes.io/job-name']
`)
			args = append(args[:len(args)-len(o.Extra)], "--slices", strconv.Itoa(o.Slices), "--scheduled-time", "$(JOB_NAME)")
			args = append(args, o.Extra...)
		}
		b.WriteString("              args:\n")
		for _, a := range args {
			fmt.Fprintf(&b, "                - %s\n", yamlQuote(a))
		}
		fmt.Fprintf(&b, `              volumeMounts:
                - name: config
                  mountPath: %s
                  readOnly: true
          volumes:
            - name: config
              secret:
                secretName: %s
`, mount, o.Secret)
		docs = append(docs, b.String())
	}
	return strings.Join(docs, "---\n"), nil
}

// JobsFor lists a routine's jobs: the full backup, and the incremental one
// when incr-interval-cron is set.
func JobsFor(routine, full string, incr, tz *string) []Job {
	z := ""
	if tz != nil {
		z = *tz
	}
	jobs := []Job{{Routine: routine, Kind: Full, Cron: full, TimeZone: z}}
	if incr != nil && *incr != "" {
		jobs = append(jobs, Job{Routine: routine, Kind: Incremental, Cron: *incr, TimeZone: z})
	}
	return jobs
}

func sorted(jobs []Job) []Job {
	out := append([]Job(nil), jobs...)
	sort.SliceStable(out, func(a, b int) bool {
		if cronZone(out[a].TimeZone) != cronZone(out[b].TimeZone) {
			return cronZone(out[a].TimeZone) < cronZone(out[b].TimeZone)
		}
		return false
	})
	return out
}

func jobErr(j Job, err error) error {
	return fmt.Errorf("routine %q, %s backup: %w", j.Routine, j.Kind, err)
}

// unitEscape escapes a unit name the way systemd-escape does for the
// characters it does not allow.
func unitEscape(s string) string {
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == ':' || c == '_' || c == '-' || c == '.' && i > 0 {
			b.WriteByte(c)
		} else {
			fmt.Fprintf(&b, `\x%02x`, c)
		}
	}
	return b.String()
}

// dnsName turns a name into an RFC 1123 label as Kubernetes wants it.
func dnsName(s string) string {
	var b strings.Builder
	for _, c := range strings.ToLower(s) {
		if c >= 'a' && c <= 'z' || c >= '0' && c <= '9' {
			b.WriteRune(c)
		} else {
			b.WriteByte('-')
		}
	}
	out := strings.Trim(b.String(), "-")
	if len(out) > 52 { // CronJob names are limited to 52 characters
		out = strings.TrimRight(out[:52], "-")
	}
	return out
}

func shellJoin(args []string, quote func(string) string) string {
	q := make([]string, len(args))
	for i, a := range args {
		q[i] = quote(a)
	}
	return strings.Join(q, " ")
}

func plain(s string) bool {
	if s == "" {
		return false
	}
	for _, c := range s {
		if !(c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || strings.ContainsRune("-_./=:,@+", c)) {
			return false
		}
	}
	return true
}

func shellQuote(s string) string {
	if plain(s) {
		return s
	}
	return "'" + strings.ReplaceAll(s, "'", `'\''`) + "'"
}

// crontabQuote also escapes %, which cron turns into a newline.
func crontabQuote(s string) string {
	return strings.ReplaceAll(shellQuote(s), "%", `\%`)
}

// systemdQuote quotes for ExecStart=; % is a specifier and must be doubled.
func systemdQuote(s string) string {
	s = strings.ReplaceAll(s, "%", "%%")
	if plain(s) {
		return s
	}
	return `"` + strings.NewReplacer(`\`, `\\`, `"`, `\"`).Replace(s) + `"`
}

func yamlQuote(s string) string {
	if _, err := strconv.ParseFloat(s, 64); err == nil {
		return `"` + s + `"`
	}
	switch strings.ToLower(s) {
	case "true", "false", "yes", "no", "on", "off", "y", "n", "null", "~":
		return `"` + s + `"`
	}
	if plain(s) && !strings.ContainsAny(s[:1], "-@:,") {
		return s
	}
	return `"` + strings.NewReplacer(`\`, `\\`, `"`, `\"`).Replace(s) + `"`
}
