package metrics

import (
	"context"
	"log/slog"
	"sync"
	"time"

	"github.com/aerobackup/aerobackup/internal/config"
	"github.com/aerobackup/aerobackup/internal/schedule"
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

	// The running run's writer (Running), stopped by Finish.
	stop    chan struct{}
	stopped sync.WaitGroup
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

// StartBackup starts recording a backup of rt, incremental or full, with
// the longest gaps rt's schedule leaves between two runs of each type
// (backup_interval_seconds).
func (r *Reporter) StartBackup(rt *config.Routine, incremental bool) *Run {
	typ := Full
	if incremental {
		typ = Incremental
	}
	run := r.Start(Backup, rt.Name, typ)
	run.FullInterval, run.IncrInterval = schedule.LongestGaps(rt, r.now())
	return run
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

// Running writes the run as running (in progress, its progress so far)
// to the targets now and every interval until Finish, so that a dashboard
// shows a backup or restore while it runs. pct is its progress in percent
// (false: not known yet). Call it when the work starts, not for a dry run.
func (r *Reporter) Running(ctx context.Context, to Targets, every time.Duration, pct func() (float64, bool), log *slog.Logger) {
	if r.run == nil || r.stop != nil || (to.File == "" && to.Push == "") {
		return
	}
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	if every <= 0 {
		every = 10 * time.Second
	}
	snapshot := *r.run
	snapshot.Outcome = Running
	write := func() {
		if p, ok := pct(); ok {
			snapshot.ProgressPct = p
		}
		r.write(ctx, to, snapshot, log)
	}
	write()
	r.stop = make(chan struct{})
	r.stopped.Add(1)
	go func() {
		defer r.stopped.Done()
		tick := time.NewTicker(every)
		defer tick.Stop()
		for {
			select {
			case <-r.stop:
				return
			case <-ctx.Done():
				return
			case <-tick.C:
				write()
			}
		}
	}()
}

func (r *Reporter) stopRunning() {
	if r.stop != nil {
		close(r.stop)
		r.stopped.Wait()
		r.stop = nil
	}
}

// write sends one sample of the run to the targets; a failure is logged.
func (r *Reporter) write(ctx context.Context, to Targets, run Run, log *slog.Logger) {
	if to.File != "" {
		if merr := UpdateFile(to.File, run); merr != nil {
			log.Error("could not write the metrics file", "file", to.File, "error", merr)
		}
	}
	if to.Push != "" {
		// A run ended by a signal still pushes; Push bounds the wait.
		if merr := Push(context.WithoutCancel(ctx), to.Push, run); merr != nil {
			log.Error("could not push metrics", "error", merr)
		}
	}
}

// Finish classifies the error the command ended with, stamps the end of
// the run and writes it to the targets. A metrics failure is logged, never
// returned: the backup itself is what matters. Usage errors report nothing
// (nothing was attempted), nor does a command without a run.
func (r *Reporter) Finish(ctx context.Context, err error, to Targets, log *slog.Logger) {
	r.stopRunning()
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
	r.write(ctx, to, *run, log)
}
