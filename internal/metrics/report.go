package metrics

import (
	"context"
	"log/slog"
	"time"
)

// Targets are where a run's metrics go: --metrics-file and --metrics-push.
type Targets struct {
	File string // Prometheus textfile; "" writes none
	Push string // Pushgateway URL; "" pushes nowhere
}

// Reporter keeps the record of the backup or restore a command makes and
// reports it once the command ends. A command that never calls Start
// reports nothing. The zero value is ready to use.
type Reporter struct {
	Now func() time.Time // default time.Now
	run *Run
}

func (r *Reporter) now() time.Time {
	if r.Now == nil {
		return time.Now()
	}
	return r.Now()
}

// Start records what the run is about as soon as it is known, so that
// even a failure or a skip reaches the metrics. The command fills in the
// returned record (type, records, bytes) as the run goes.
func (r *Reporter) Start(op Operation, routine, typ string) *Run {
	r.run = &Run{Operation: op, Routine: routine, Type: typ, Started: r.now()}
	return r.run
}

// Drop forgets the run: a dry run or an estimate changes nothing, so it
// reports nothing.
func (r *Reporter) Drop() { r.run = nil }

// Current is the run being recorded, nil when there is none.
func (r *Reporter) Current() *Run { return r.run }

// Restored records what a restore wrote, read and had refused, when a run
// is being recorded.
func (r *Reporter) Restored(written, bytesRead, refused uint64) {
	if r.run != nil {
		r.run.Records, r.run.Bytes, r.run.Refused = written, bytesRead, refused
	}
}

// Finish classifies the error the command ended with, stamps the end of
// the run and writes it to the targets. A metrics failure is logged, never
// returned: the backup itself is what matters. Usage errors report nothing
// (nothing was attempted), nor does a command without a run.
func (r *Reporter) Finish(ctx context.Context, err error, to Targets, log *slog.Logger) {
	run := r.run
	if run == nil || (to.File == "" && to.Push == "") {
		return
	}
	o, ok := OutcomeOf(err)
	if !ok {
		return
	}
	run.Outcome, run.Finished = o, r.now()
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	if to.File != "" {
		if merr := UpdateFile(to.File, *run); merr != nil {
			log.Error("could not write the metrics file", "file", to.File, "error", merr)
		}
	}
	if to.Push != "" {
		// A run ended by a signal still pushes; Push bounds the wait.
		if merr := Push(context.WithoutCancel(ctx), to.Push, *run); merr != nil {
			log.Error("could not push metrics", "error", merr)
		}
	}
}
