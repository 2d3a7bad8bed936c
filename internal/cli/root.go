// Package cli owns the command tree: flag parsing, environment overrides,
// wiring of the domain packages, and emitting each command's result (a
// document of internal/report, written as --json or in its human form).
// Each command lives in its own file; the work itself happens in the
// domain packages under internal/.
package cli

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"os"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/spf13/cobra"
	"golang.org/x/term"

	"github.com/aerobackup/aerobackup/internal/cluster"
	"github.com/aerobackup/aerobackup/internal/envflag"
	"github.com/aerobackup/aerobackup/internal/interrupt"
	"github.com/aerobackup/aerobackup/internal/logging"
	"github.com/aerobackup/aerobackup/internal/metrics"
	"github.com/aerobackup/aerobackup/internal/outcome"
	"github.com/aerobackup/aerobackup/internal/profiling"
	"github.com/aerobackup/aerobackup/internal/progress"
	"github.com/aerobackup/aerobackup/internal/report"
	"github.com/aerobackup/aerobackup/internal/routine"
	"github.com/aerobackup/aerobackup/internal/storage/backend"
	"github.com/aerobackup/aerobackup/internal/storage/localstore"
)

// EnvPrefix prefixes the environment variable of every flag.
const EnvPrefix = "AEROBACKUP"

// IO is the set of streams a command talks to; tests pass buffers.
type IO struct {
	In  io.Reader
	Out io.Writer // results only
	Err io.Writer // logs, progress, prompts
	// ErrTerminal reports whether Err is a terminal (bar, colours).
	ErrTerminal bool
}

// Globals are the flags every command has.
type Globals struct {
	ConfigFile       string
	LogLevel         string
	LogFormat        string
	LogFile          string
	Quiet            bool
	JSON             bool
	ProgressInterval time.Duration
	MetricsFile      string
	MetricsPush      string
	GroupReadable    bool
}

// App is what a command's run function gets: streams, globals, a logger.
type App struct {
	IO      IO
	Globals *Globals
	Log     *slog.Logger
	// Now is the clock; tests replace it.
	Now func() time.Time
	// Getenv reads the environment; tests replace it.
	Getenv func(string) string

	closeLog func() error
	rt       *routine.Runtime
	rtOnce   sync.Once
	// mu guards progress and Log against the SIGUSR1 goroutine, which
	// reads them while the command's goroutine sets them up.
	mu       sync.Mutex
	progress *progress.Reporter
	// metrics keeps the run the command reports to --metrics-file and
	// --metrics-push once it ends; none: the command has nothing to report.
	metrics metrics.Reporter
	// started is set when a command's own run function begins.
	started bool
	// clusterInfo and storeTuning are the tuning flags' client and SDK
	// settings (see tuningFlags); zero where a command has none.
	clusterInfo *cluster.Info
	storeTuning backend.Tuning
	// setUmask, when set, narrows the process umask once local storage
	// is opened (see openStore); only Main sets it, as the umask is the
	// whole process's and tests run commands in theirs.
	setUmask func(localstore.Modes) int
}

// Progress returns the run's reporter, matching the globals and the
// terminal; one per run, so SIGUSR1 can ask it for a status line.
func (a *App) Progress() *progress.Reporter {
	a.mu.Lock()
	defer a.mu.Unlock()
	if a.progress != nil {
		return a.progress
	}
	a.progress = progress.New(progress.Options{
		Writer:   a.IO.Err,
		Terminal: a.IO.ErrTerminal && !a.Globals.JSON,
		Quiet:    a.Globals.Quiet,
		Interval: a.Globals.ProgressInterval,
		Logger:   a.Log,
	})
	return a.progress
}

// status logs a status line of the running operations, from any goroutine.
func (a *App) status() {
	a.mu.Lock()
	p, log := a.progress, a.Log
	a.mu.Unlock()
	switch {
	case p != nil:
		p.Status()
	case log != nil:
		log.InfoContext(logging.Asked(context.Background()), "status: starting up")
	}
}

// Main runs the command line and returns the process exit status.
func Main(args []string, stdin io.Reader, stdout, stderr io.Writer) int {
	streams := IO{In: stdin, Out: stdout, Err: stderr}
	if f, ok := stderr.(*os.File); ok {
		streams.ErrTerminal = term.IsTerminal(int(f.Fd()))
	}
	stopProfiling := profiling.Start(os.Getenv, stderr)
	defer stopProfiling()
	ctx, sig, stop := interrupt.Context(context.Background())
	defer stop()
	return runCommandLine(ctx, args, streams, sig, localstore.SetUmask)
}

// Run executes args with the given streams; sig, when non-nil, tells which
// signal cancelled ctx.
func Run(ctx context.Context, args []string, streams IO, sig *atomic.Value) int {
	return runCommandLine(ctx, args, streams, sig, nil)
}

func runCommandLine(ctx context.Context, args []string, streams IO, sig *atomic.Value, setUmask func(localstore.Modes) int) int {
	app := &App{IO: streams, Globals: &Globals{}, Now: time.Now, Getenv: os.Getenv, setUmask: setUmask}
	sctx, cancelStatus := context.WithCancel(ctx)
	defer cancelStatus()
	statusOnSignal(sctx, app)
	return app.run(ctx, args, sig)
}

func (app *App) metricsTargets() metrics.Targets {
	return metrics.Targets{File: app.Globals.MetricsFile, Push: app.Globals.MetricsPush}
}

// running reports the command's run as running, with its progress, from
// now until it ends.
func (app *App) running(ctx context.Context) {
	app.metrics.Running(ctx, app.metricsTargets(), app.Globals.ProgressInterval, app.Progress().Percent, app.Log)
}

// run executes one command line on a prepared App (tests build the App
// with their own clock and environment) and returns the exit status.
func (app *App) run(ctx context.Context, args []string, sig *atomic.Value) int {
	if app.Globals == nil {
		app.Globals = &Globals{}
	}
	app.metrics.Now = app.Now
	root := NewRootCmd(app)
	root.SetArgs(args)
	root.SetIn(app.IO.In)
	root.SetOut(app.IO.Out)
	root.SetErr(app.IO.Err)
	_, err := root.ExecuteContextC(ctx)
	// Cobra's own checks (unknown commands, arguments, flag groups) fail
	// before a command runs: they are usage errors.
	err = outcome.Final(err, app.started, ctx.Err() != nil, sig)
	app.metrics.Finish(ctx, err, app.metricsTargets(), app.Log)
	code := outcome.ExitCode(err)
	if err != nil {
		_ = report.NewFailure(string(outcome.Kind(err)), code, logging.Redact(err.Error())).Write(app.Globals.JSON, app.IO.Err)
	}
	if app.closeLog != nil {
		_ = app.closeLog()
	}
	return code
}

// NewRootCmd builds the command tree around app.
func NewRootCmd(app *App) *cobra.Command {
	g := app.Globals
	root := &cobra.Command{
		Use:   "aerobackup",
		Short: "Back up and restore Aerospike databases, one run at a time",
		Long: `aerobackup backs up and restores Aerospike databases in single runs, reading
Aerospike Backup Service (ABS) config files unchanged and writing backups that ABS
can read. Run it by hand, from cron, systemd timers, Kubernetes jobs or CI.`,
		SilenceErrors: true,
		SilenceUsage:  true,
		PersistentPreRunE: func(cmd *cobra.Command, _ []string) error {
			if err := envflag.Apply(cmd.Flags(), EnvVar, app.Getenv); err != nil {
				return outcome.AsUsage(err)
			}
			return app.setup()
		},
	}
	root.SetFlagErrorFunc(func(cmd *cobra.Command, err error) error {
		return outcome.AsUsage(fmt.Errorf("%w (see '%s --help')", err, cmd.CommandPath()))
	})
	root.SetUsageTemplate(root.UsageTemplate() + outcome.Help())

	pf := root.PersistentFlags()
	pf.StringVarP(&g.ConfigFile, "config", "c", "", "config file (ABS format; default $AEROBACKUP_CONFIG or ./aerobackup.yml)")
	pf.StringVar(&g.LogLevel, "log-level", "info", "log level: debug, info, warn, error")
	pf.StringVar(&g.LogFormat, "log-format", "auto", "log format: auto (coloured on a terminal), text, json")
	pf.StringVar(&g.LogFile, "log-file", "", "also write logs to this file")
	pf.BoolVarP(&g.Quiet, "quiet", "q", false, "silence a successful run: only warnings, errors and what is asked for (--json, a list); no progress, summaries, info logs or backup key")
	pf.BoolVar(&g.JSON, "json", false, "machine output: one JSON document on stdout")
	pf.DurationVar(&g.ProgressInterval, "progress-interval", 10*time.Second, "period of progress log lines when stderr is not a terminal")
	pf.StringVar(&g.MetricsFile, "metrics-file", "", "write a Prometheus textfile at the end of the run")
	pf.StringVar(&g.MetricsPush, "metrics-push", "", "push metrics to this Pushgateway URL at the end of the run")
	pf.BoolVar(&g.GroupReadable, "group-readable", false, "let the owner's group read local backups: files 0640 and folders 0750 (default 0600 and 0700)")
	_ = root.RegisterFlagCompletionFunc("log-level", fixedCompletion(logging.Levels...))
	_ = root.RegisterFlagCompletionFunc("log-format", fixedCompletion(logging.Formats...))

	root.AddCommand(
		newVersionCmd(app),
		newBackupCmd(app),
		newRestoreCmd(app),
		newListCmd(app),
		newRestoreAtCmd(app),
		newRetentionCmd(app),
		newScheduleCmd(app),
		newVerifyCmd(app),
		newCheckCmd(app),
		newFindCmd(app),
		newDumpCmd(app),
		newPinCmd(app, false),
		newPinCmd(app, true),
		newCopyCmd(app),
	)
	registerCompletions(app, root)
	markStart(app, root)
	return root
}

// markStart wraps every command's run function so that Run can tell
// errors of the command itself from cobra's argument checks.
func markStart(app *App, c *cobra.Command) {
	if run := c.RunE; run != nil {
		c.RunE = func(cmd *cobra.Command, args []string) error {
			app.started = true
			return run(cmd, args)
		}
	}
	for _, sub := range c.Commands() {
		markStart(app, sub)
	}
}

func fixedCompletion(values ...string) func(*cobra.Command, []string, string) ([]string, cobra.ShellCompDirective) {
	return func(*cobra.Command, []string, string) ([]string, cobra.ShellCompDirective) {
		return values, cobra.ShellCompDirectiveNoFileComp
	}
}

// EnvVar names the environment variable that sets flag name.
func EnvVar(name string) string {
	return EnvPrefix + "_" + strings.ToUpper(strings.ReplaceAll(name, "-", "_"))
}

// setup builds the logger once flags are final. On a terminal, stderr
// becomes a progress.Screen, so that log lines and messages written while
// a progress bar is drawn go above it instead of into it.
func (a *App) setup() error {
	a.IO.Err = progress.ScreenOf(a.IO.Err, a.IO.ErrTerminal)
	log, closeFn, err := logging.New(a.IO.Err, logging.Options{
		Format:   a.Globals.LogFormat,
		Level:    a.Globals.LogLevel,
		File:     a.Globals.LogFile,
		Terminal: a.IO.ErrTerminal,
		Quiet:    a.Globals.Quiet,
	})
	if err != nil {
		return outcome.AsUsage(err)
	}
	a.mu.Lock()
	a.Log, a.closeLog = log, closeFn
	a.mu.Unlock()
	return nil
}
