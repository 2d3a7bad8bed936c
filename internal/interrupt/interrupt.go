// Package interrupt owns which signals stop a run: SIGHUP, SIGINT,
// SIGQUIT and SIGTERM end its context, and the one that came is kept by
// name for the exit status; and SIGPIPE, which must not kill a run whose
// standard output has lost its reader. It does not choose the status
// (outcome does).
package interrupt

import (
	"context"
	"os"
	"os/signal"
	"sync/atomic"
	"syscall"
)

// Signals stop a run. A closed terminal or dropped SSH session (SIGHUP)
// must clean up and release the routine lock like any interrupt; catching
// SIGQUIT gives up Go's goroutine dump for the same clean-up.
var Signals = []os.Signal{syscall.SIGHUP, os.Interrupt, syscall.SIGQUIT, syscall.SIGTERM}

// Context is parent, cancelled on the first of Signals; which then holds
// that signal's name ("hangup", "interrupt", "quit", "terminated"). stop
// stops listening and cancels.
func Context(parent context.Context) (ctx context.Context, which *atomic.Value, stop func()) {
	ctx, cancel := context.WithCancel(parent)
	which = new(atomic.Value)
	ch := make(chan os.Signal, 2)
	signal.Notify(ch, Signals...)
	go func() {
		select {
		case s := <-ch:
			which.Store(s.String())
			cancel()
		case <-ctx.Done():
		}
	}()
	return ctx, which, func() { signal.Stop(ch); cancel() }
}
