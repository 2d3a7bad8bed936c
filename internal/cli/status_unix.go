//go:build !windows

package cli

import (
	"context"
	"os"
	"os/signal"
	"syscall"
)

// statusOnSignal prints a status line of the running operations each time
// the process gets SIGUSR1 (kill -USR1 <pid>), for runs without a terminal.
// Windows has no SIGUSR1; see status_windows.go.
func statusOnSignal(ctx context.Context, app *App) {
	ch := make(chan os.Signal, 1)
	signal.Notify(ch, syscall.SIGUSR1)
	go func() {
		defer signal.Stop(ch)
		for {
			select {
			case <-ctx.Done():
				return
			case <-ch:
				app.status()
			}
		}
	}()
}
