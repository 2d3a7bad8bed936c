//go:build !windows

package progress

import (
	"context"
	"os"
	"os/signal"
	"syscall"
)

// StatusOnSignal calls status each time the process gets SIGUSR1 (kill
// -USR1 <pid>), until ctx ends: a status line of the running operations,
// for runs without a terminal. Windows has no SIGUSR1 (signal_windows.go).
func StatusOnSignal(ctx context.Context, status func()) {
	ch := make(chan os.Signal, 1)
	signal.Notify(ch, syscall.SIGUSR1)
	go func() {
		defer signal.Stop(ch)
		for {
			select {
			case <-ctx.Done():
				return
			case <-ch:
				status()
			}
		}
	}()
}
