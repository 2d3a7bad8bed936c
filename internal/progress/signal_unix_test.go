//go:build !windows

package progress

import (
	"context"
	"os"
	"syscall"
	"testing"
	"time"
)

// StatusOnSignal calls status on SIGUSR1, and no longer once ctx ends.
func TestStatusOnSignal(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	called := make(chan struct{}, 16)
	StatusOnSignal(ctx, func() { called <- struct{}{} })
	deadline := time.After(10 * time.Second)
	for got := false; !got; {
		if err := syscall.Kill(os.Getpid(), syscall.SIGUSR1); err != nil {
			t.Fatal(err)
		}
		select {
		case <-called:
			got = true
		case <-time.After(20 * time.Millisecond):
		case <-deadline:
			t.Fatal("status not called after SIGUSR1")
		}
	}
	cancel()
}
