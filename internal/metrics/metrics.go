package metrics

import (
	"bytes"
	"errors"
	"fmt"
	"math"
	"slices"
	"strings"
	"time"

	"github.com/aerobackup/aerobackup/internal/outcome"
	"github.com/prometheus/client_golang/prometheus"
	dto "github.com/prometheus/client_model/go"
	"github.com/prometheus/common/expfmt"
	"github.com/prometheus/common/model"
	"google.golang.org/protobuf/proto"
)

// Operation is what the run did.
type Operation string

// Operations.
const (
	Backup  Operation = "backup"
	Restore Operation = "restore"
)

// Outcome is how the run ended, in aerobackup's terms (see the package
// documentation for the mapping onto ABS's outcome label).
type Outcome string

// Outcomes.
const (
	Success  Outcome = "success"
	Failure  Outcome = "failure"
	Partial  Outcome = "partial"
	Canceled Outcome = "canceled"
	Skip     Outcome = "skip"
	// Running marks a run that has started: only the in-progress and
	// progress gauges change.
	Running Outcome = "running"
)

// Backup types, the ABS "type" label.
const (
	Full        = "full"
	Incremental = "incremental"
)

// ByPath is the routine label of a restore that names a path, not a routine.
const ByPath = "@by-path"

// Run is one backup or restore as the metrics see it.
type Run struct {
	Operation Operation
	Routine   string // required for backups; empty for a restore means ByPath
	Type      string // Full or Incremental; backups only
	Outcome   Outcome
	Started   time.Time
	Finished  time.Time // ignored when Outcome is Running
	Records   uint64    // records written (backup) or restored
	Bytes     uint64    // bytes written (backup) or read (restore)
	// Refused are the records a restore read and the server refused.
	Refused uint64
	// ProgressPct is the last known progress in percent, for Running and
	// unfinished backups; a successful backup always reports 100.
	ProgressPct float64
	// FullInterval and IncrInterval are the longest times between two
	// scheduled runs of the routine's full and incremental backups
	// (schedule.LongestGaps), 0 for a schedule it has not; backups only.
	// Every backup run writes them, so an alert compares the age of the
	// last success with the routine's own schedule.
	FullInterval, IncrInterval time.Duration
}

// OutcomeOf maps the error a command returned to a metrics outcome, using
// the same classification as the exit status. ok is false for usage errors,
// which must not be recorded: nothing was attempted.
func OutcomeOf(err error) (o Outcome, ok bool) {
	switch outcome.Kind(err) {
	case outcome.ClassSuccess:
		return Success, true
	case outcome.ClassUsage:
		return "", false
	case outcome.ClassSkipped:
		return Skip, true
	case outcome.ClassPartial:
		return Partial, true
	case outcome.ClassInterrupted:
		return Canceled, true
	}
	return Failure, true
}

const prefix = "aerospike_backup_service_"

// Metric names.
const (
	backupEvents        = prefix + "backup_events_total"
	backupDuration      = prefix + "backup_duration_seconds"
	backupInProgress    = prefix + "backup_in_progress"
	backupProgressPct   = prefix + "backup_progress_pct"
	lastSuccessfulTS    = prefix + "last_successful_backup_timestamp"
	restoreEvents       = prefix + "restore_events_total"
	restoreInProgress   = prefix + "restore_in_progress"
	runsTotal           = prefix + "runs_total"
	incrRunsTotal       = prefix + "incremental_runs_total"
	skipTotal           = prefix + "skip_total"
	incrSkipTotal       = prefix + "incremental_skip_total"
	failureTotal        = prefix + "failure_total"
	incrFailureTotal    = prefix + "incremental_failure_total"
	durationMillis      = prefix + "duration_millis"
	incrDurationMillis  = prefix + "incremental_duration_millis"
	lastBackupRecords   = prefix + "last_backup_records"
	lastBackupBytes     = prefix + "last_backup_bytes"
	restoreDuration     = prefix + "restore_duration_seconds"
	lastRestoreRecords  = prefix + "last_restore_records"
	lastRestoreBytes    = prefix + "last_restore_bytes"
	lastRestoreRefused  = prefix + "last_restore_refused_records"
	backupInterval      = prefix + "backup_interval_seconds"
	lastFailedTS        = prefix + "last_failed_backup_timestamp"
	backupSkips         = prefix + "backup_consecutive_skips"
	lastFailedRestoreTS = prefix + "last_failed_restore_timestamp"
	deprecatedEventsUse = "(Deprecated: use aerospike_backup_service_backup_events_total instead.)"
	deprecatedDurUse    = "(Deprecated: use aerospike_backup_service_backup_duration_seconds instead.)"
)

type spec struct {
	typ  dto.MetricType
	help string
	// labels are the labels of the family's series, in the order the
	// renderer passes their values. A family without routine is
	// process-wide in ABS (and per group on a Pushgateway).
	labels []string
}

// Label sets of the families.
var (
	byRoutineType = []string{"routine", "type"}
	byRoutine     = []string{"routine"}
)

// specs holds every family this package writes; the renderer takes each
// series' label names from it, and Families lists it. Help texts are
// ABS's, word for word, for the ABS names.
var specs = map[string]spec{
	backupEvents:        {dto.MetricType_COUNTER, "Backup service job events by routine, type (full/incremental), and outcome (success, failure, canceled, retry, skip)", []string{"routine", "type", "outcome"}},
	backupDuration:      {dto.MetricType_HISTOGRAM, "Duration in seconds of finished backups by routine and type (full/incremental)", byRoutineType},
	backupInProgress:    {dto.MetricType_GAUGE, "Number of backups currently running for the given routine and backup type (full/incremental)", byRoutineType},
	backupProgressPct:   {dto.MetricType_GAUGE, "Progress of backup processes in percentage", byRoutineType},
	lastSuccessfulTS:    {dto.MetricType_GAUGE, "Unix timestamp (seconds) of the last successful backup per routine", byRoutineType},
	restoreEvents:       {dto.MetricType_COUNTER, "Total completed restore jobs by outcome (success, failure, canceled)", []string{"outcome"}},
	restoreInProgress:   {dto.MetricType_GAUGE, "Number of restore processes running", nil},
	runsTotal:           {dto.MetricType_COUNTER, "Successful backup runs counter " + deprecatedEventsUse, nil},
	incrRunsTotal:       {dto.MetricType_COUNTER, "Successful incremental backup runs counter " + deprecatedEventsUse, nil},
	skipTotal:           {dto.MetricType_COUNTER, "Full backup skip counter " + deprecatedEventsUse, nil},
	incrSkipTotal:       {dto.MetricType_COUNTER, "Incremental backup skip counter " + deprecatedEventsUse, nil},
	failureTotal:        {dto.MetricType_COUNTER, "Full backup failure counter " + deprecatedEventsUse, nil},
	incrFailureTotal:    {dto.MetricType_COUNTER, "Incremental backup failure counter " + deprecatedEventsUse, nil},
	durationMillis:      {dto.MetricType_GAUGE, "Full backup duration in milliseconds " + deprecatedDurUse, nil},
	incrDurationMillis:  {dto.MetricType_GAUGE, "Incremental backup duration in milliseconds " + deprecatedDurUse, nil},
	lastBackupRecords:   {dto.MetricType_GAUGE, "Records in the last backup written per routine and type (full/incremental), successful or partial (aerobackup)", byRoutineType},
	lastBackupBytes:     {dto.MetricType_GAUGE, "Bytes of the last backup written per routine and type (full/incremental), successful or partial (aerobackup)", byRoutineType},
	backupInterval:      {dto.MetricType_GAUGE, "Longest time in seconds between two scheduled runs of the routine's interval-cron (full) or incr-interval-cron (incremental): the age its last successful backup may reach on schedule (aerobackup)", byRoutineType},
	lastFailedTS:        {dto.MetricType_GAUGE, "Unix timestamp (seconds) of the last failed or partial backup per routine and type (aerobackup)", byRoutineType},
	backupSkips:         {dto.MetricType_GAUGE, "Runs skipped (lock held, routine disabled, no full backup to build on) since the last run of the routine and type that was not skipped (aerobackup)", byRoutineType},
	lastFailedRestoreTS: {dto.MetricType_GAUGE, "Unix timestamp (seconds) of the last failed or partial restore per routine (aerobackup)", byRoutine},
	restoreDuration:     {dto.MetricType_HISTOGRAM, "Duration in seconds of successful restores by routine (aerobackup)", byRoutine},
	lastRestoreRecords:  {dto.MetricType_GAUGE, "Records restored by the last successful or partial restore per routine (aerobackup)", byRoutine},
	lastRestoreBytes:    {dto.MetricType_GAUGE, "Bytes read by the last successful or partial restore per routine (aerobackup)", byRoutine},
	lastRestoreRefused:  {dto.MetricType_GAUGE, "Records the server refused in the last finished restore per routine, whatever its outcome (aerobackup)", byRoutine},
}

func (sp spec) perRoutine() bool { return slices.Contains(sp.labels, "routine") }

// Family describes one metric family the package writes, as it appears in
// a textfile: a Pushgateway adds PushLabels to every series.
type Family struct {
	Name string
	Type string // "counter", "gauge" or "histogram"
	Help string
	// Labels of its series; a histogram's _bucket series add "le".
	Labels []string
}

// Samples are the names of the family's samples in the exposition
// format: the name itself, or a histogram's _bucket, _sum and _count.
func (f Family) Samples() []string {
	if f.Type == "histogram" {
		return []string{f.Name + "_bucket", f.Name + "_sum", f.Name + "_count"}
	}
	return []string{f.Name}
}

// Families lists every family the package writes, by name, from the table
// the renderer itself uses: dashboards and alert rules are checked
// against it.
func Families() []Family {
	out := make([]Family, 0, len(specs))
	for name, sp := range specs {
		out = append(out, Family{Name: name, Type: strings.ToLower(sp.typ.String()), Help: sp.help,
			Labels: slices.Clone(sp.labels)})
	}
	slices.SortFunc(out, func(a, b Family) int { return strings.Compare(a.Name, b.Name) })
	return out
}

// PushLabels are the labels a Pushgateway gives every series of a push:
// job (always Job) and the grouping key, routine. (The gateway adds an
// empty instance too, which Prometheus drops.)
func PushLabels() []string { return []string{"job", "routine"} }

// durationBuckets are ABS's: one minute to about ten hours.
var durationBuckets = prometheus.ExponentialBuckets(60, 1.5, 16)

// state is a set of metric families keyed by name, the model of both the
// file and a Pushgateway group.
type state map[string]*dto.MetricFamily

// parse reads the text exposition format. Families this package owns must
// have the type it writes; anything else is kept verbatim.
func parse(prev []byte) (state, error) {
	p := expfmt.NewTextParser(model.UTF8Validation)
	fams, err := p.TextToMetricFamilies(bytes.NewReader(prev))
	if err != nil {
		return nil, err
	}
	for name, mf := range fams {
		if sp, ok := specs[name]; ok && mf.GetType() != sp.typ {
			return nil, fmt.Errorf("metric %s has type %s, want %s", name,
				strings.ToLower(mf.GetType().String()), strings.ToLower(sp.typ.String()))
		} else if ok {
			// One help text per family everywhere: a Pushgateway
			// compares them across groups.
			mf.Help = proto.String(sp.help)
		}
	}
	return state(fams), nil
}

// Render is the pure core of UpdateFile: it merges run into the previous
// file's content (nil or empty for none) and returns the new content.
func Render(prev []byte, run Run) ([]byte, error) {
	s, err := parse(prev)
	if err != nil {
		return nil, err
	}
	if err := s.apply(run); err != nil {
		return nil, err
	}
	return s.text()
}

func (run Run) validate() error {
	switch run.Outcome {
	case Success, Failure, Partial, Canceled, Skip, Running:
	default:
		return fmt.Errorf("metrics: unknown outcome %q", run.Outcome)
	}
	if run.Outcome != Running && (run.Started.IsZero() || run.Finished.IsZero()) {
		return errors.New("metrics: a finished run needs its start and finish times")
	}
	switch run.Operation {
	case Backup:
		if run.Routine == "" {
			return errors.New("metrics: a backup needs a routine name")
		}
		if run.Type != Full && run.Type != Incremental {
			return fmt.Errorf("metrics: backup type %q is neither %q nor %q", run.Type, Full, Incremental)
		}
	case Restore:
	default:
		return fmt.Errorf("metrics: unknown operation %q", run.Operation)
	}
	return nil
}

// routineLabel is the routine label value, and the Pushgateway group.
func (run Run) routineLabel() string {
	if run.Operation == Restore && run.Routine == "" {
		return ByPath
	}
	return run.Routine
}

func (run Run) seconds() float64 {
	d := run.Finished.Sub(run.Started).Seconds()
	return math.Max(d, 0)
}

// absOutcome is the ABS outcome label: ABS has no partial, and a partial
// backup is not a backup one can rely on, so it counts as a failure.
func (run Run) absOutcome() string {
	if run.Outcome == Partial {
		return string(Failure)
	}
	return string(run.Outcome)
}

func (s state) apply(run Run) error {
	if err := run.validate(); err != nil {
		return err
	}
	if run.Operation == Restore {
		return s.applyRestore(run)
	}
	rt := []string{run.Routine, run.Type}
	incr := run.Type == Incremental
	pick := func(full, inc string) string {
		if incr {
			return inc
		}
		return full
	}

	// The schedule is the routine's, whatever this run's outcome.
	s.setInterval(run.Routine, Full, run.FullInterval)
	s.setInterval(run.Routine, Incremental, run.IncrInterval)
	if run.Outcome == Running {
		s.set(backupInProgress, 1, rt...)
		s.set(backupProgressPct, run.ProgressPct, rt...)
		return nil
	}
	s.add(backupEvents, 1, append(rt, run.absOutcome())...)
	if run.Outcome == Skip {
		s.add(pick(skipTotal, incrSkipTotal), 1)
		s.set(backupSkips, s.series(backupSkips, rt...).GetGauge().GetValue()+1, rt...)
		// Skip must not touch in_progress: the run holding the lock owns it.
		return nil
	}
	s.set(backupInProgress, 0, rt...)
	s.set(backupSkips, 0, rt...)
	s.observe(backupDuration, run.seconds(), rt...)
	switch run.Outcome {
	case Success:
		s.set(backupProgressPct, 100, rt...)
		s.set(lastSuccessfulTS, float64(run.Finished.Unix()), rt...)
		s.add(pick(runsTotal, incrRunsTotal), 1)
		s.set(pick(durationMillis, incrDurationMillis), float64(run.Finished.Sub(run.Started).Milliseconds()))
	case Failure, Partial:
		s.set(backupProgressPct, run.ProgressPct, rt...)
		s.set(lastFailedTS, float64(run.Finished.Unix()), rt...)
		s.add(pick(failureTotal, incrFailureTotal), 1)
	case Canceled:
		s.set(backupProgressPct, run.ProgressPct, rt...)
	}
	if run.Outcome == Success || run.Outcome == Partial {
		s.set(lastBackupRecords, float64(run.Records), rt...)
		s.set(lastBackupBytes, float64(run.Bytes), rt...)
	}
	return nil
}

func (s state) applyRestore(run Run) error {
	r := []string{run.routineLabel()}
	if run.Outcome == Running {
		s.set(restoreInProgress, 1)
		return nil
	}
	s.add(restoreEvents, 1, run.absOutcome())
	if run.Outcome == Skip {
		return nil
	}
	s.set(restoreInProgress, 0)
	// Refusals fail a restore (or were accepted with --ignore-record-error):
	// an alert needs the count whatever the outcome.
	s.set(lastRestoreRefused, float64(run.Refused), r...)
	if run.Outcome == Success {
		s.observe(restoreDuration, run.seconds(), r...)
	}
	if run.Outcome == Failure || run.Outcome == Partial {
		s.set(lastFailedRestoreTS, float64(run.Finished.Unix()), r...)
	}
	if run.Outcome == Success || run.Outcome == Partial {
		s.set(lastRestoreRecords, float64(run.Records), r...)
		s.set(lastRestoreBytes, float64(run.Bytes), r...)
	}
	return nil
}

// setInterval sets the routine's schedule gauge for backups of type typ,
// or removes it when the routine has no such schedule (any more).
func (s state) setInterval(routine, typ string, d time.Duration) {
	if d > 0 {
		s.set(backupInterval, d.Seconds(), routine, typ)
		return
	}
	mf, ok := s[backupInterval]
	if !ok {
		return
	}
	want := labelsOf(backupInterval, routine, typ)
	mf.Metric = slices.DeleteFunc(mf.Metric, func(m *dto.Metric) bool { return sameLabels(m.GetLabel(), want) })
	if len(mf.Metric) == 0 {
		delete(s, backupInterval)
	}
}

// labelsOf pairs the values given with the label names of family name, in
// the order of its spec. A count that does not match is a bug here.
func labelsOf(name string, values ...string) map[string]string {
	names := specs[name].labels
	if len(values) != len(names) {
		panic(fmt.Sprintf("metrics: %s takes the labels %v, given %d values", name, names, len(values)))
	}
	want := make(map[string]string, len(names))
	for i, n := range names {
		want[n] = values[i]
	}
	return want
}

// series finds the series of family name whose labels (named by its spec)
// have exactly these values, creating family and series as needed.
func (s state) series(name string, values ...string) *dto.Metric {
	mf, ok := s[name]
	if !ok {
		sp := specs[name]
		mf = &dto.MetricFamily{Name: proto.String(name), Help: proto.String(sp.help), Type: sp.typ.Enum()}
		s[name] = mf
	}
	want := labelsOf(name, values...)
	for _, m := range mf.Metric {
		if sameLabels(m.GetLabel(), want) {
			return m
		}
	}
	m := &dto.Metric{}
	for k, v := range want {
		m.Label = append(m.Label, &dto.LabelPair{Name: proto.String(k), Value: proto.String(v)})
	}
	slices.SortFunc(m.Label, func(a, b *dto.LabelPair) int { return strings.Compare(a.GetName(), b.GetName()) })
	mf.Metric = append(mf.Metric, m)
	return m
}

func sameLabels(have []*dto.LabelPair, want map[string]string) bool {
	n := 0
	for _, l := range have {
		if l.GetValue() == "" { // an empty label is the same as no label
			continue
		}
		if v, ok := want[l.GetName()]; !ok || v != l.GetValue() {
			return false
		}
		n++
	}
	return n == len(want)
}

func (s state) add(name string, v float64, values ...string) {
	m := s.series(name, values...)
	if m.Counter == nil {
		m.Counter = &dto.Counter{}
	}
	m.Counter.Value = proto.Float64(m.Counter.GetValue() + v)
}

func (s state) set(name string, v float64, values ...string) {
	m := s.series(name, values...)
	m.Gauge = &dto.Gauge{Value: proto.Float64(v)}
}

// observe adds one observation. Buckets already in the previous state are
// kept as they are (whatever bounds an older writer used) and counted into.
func (s state) observe(name string, v float64, values ...string) {
	m := s.series(name, values...)
	h := m.Histogram
	if h == nil {
		h = &dto.Histogram{SampleCount: proto.Uint64(0), SampleSum: proto.Float64(0)}
		for _, b := range durationBuckets {
			h.Bucket = append(h.Bucket, &dto.Bucket{UpperBound: proto.Float64(b), CumulativeCount: proto.Uint64(0)})
		}
		m.Histogram = h
	}
	for _, b := range h.Bucket {
		if v > b.GetUpperBound() {
			continue
		}
		if b.CumulativeCountFloat != nil {
			b.CumulativeCountFloat = proto.Float64(b.GetCumulativeCountFloat() + 1)
		} else {
			b.CumulativeCount = proto.Uint64(b.GetCumulativeCount() + 1)
		}
	}
	if h.SampleCountFloat != nil {
		h.SampleCountFloat = proto.Float64(h.GetSampleCountFloat() + 1)
	} else {
		h.SampleCount = proto.Uint64(h.GetSampleCount() + 1)
	}
	h.SampleSum = proto.Float64(h.GetSampleSum() + v)
}

// sorted returns the families by name with series sorted by labels, so
// output is stable across runs and diffs stay small.
func (s state) sorted() []*dto.MetricFamily {
	names := make([]string, 0, len(s))
	for n := range s {
		names = append(names, n)
	}
	slices.Sort(names)
	out := make([]*dto.MetricFamily, 0, len(names))
	for _, n := range names {
		mf := s[n]
		slices.SortStableFunc(mf.Metric, func(a, b *dto.Metric) int {
			return strings.Compare(labelKey(a), labelKey(b))
		})
		out = append(out, mf)
	}
	return out
}

func labelKey(m *dto.Metric) string {
	var b strings.Builder
	for _, l := range m.GetLabel() {
		b.WriteString(l.GetName())
		b.WriteByte(0)
		b.WriteString(l.GetValue())
		b.WriteByte(0)
	}
	return b.String()
}

func (s state) text() ([]byte, error) {
	var buf bytes.Buffer
	for _, mf := range s.sorted() {
		if _, err := expfmt.MetricFamilyToText(&buf, mf); err != nil {
			return nil, err
		}
	}
	return buf.Bytes(), nil
}
