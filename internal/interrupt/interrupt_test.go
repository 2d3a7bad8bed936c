//go:build unix

package interrupt

import (
	"context"
	"syscall"
	"testing"
	"time"
)

// Each signal ends the context and is named as the exit status needs it.
func TestContext(t *testing.T) {
	for sig, name := range map[syscall.Signal]string{syscall.SIGHUP: "hangup", syscall.SIGINT: "interrupt",
		syscall.SIGQUIT: "quit", syscall.SIGTERM: "terminated"} {
		t.Run(name, func(t *testing.T) {
			ctx, which, stop := Context(context.Background())
			defer stop()
			if err := syscall.Kill(syscall.Getpid(), sig); err != nil {
				t.Fatal(err)
			}
			select {
			case <-ctx.Done():
			case <-time.After(5 * time.Second):
				t.Fatal("the context did not end")
			}
			if got, _ := which.Load().(string); got != name {
				t.Errorf("which = %q, want %q", got, name)
			}
		})
	}
}

// stop cancels without a signal, and which stays empty.
func TestStop(t *testing.T) {
	ctx, which, stop := Context(context.Background())
	stop()
	<-ctx.Done()
	if which.Load() != nil {
		t.Errorf("which = %v after stop, want nothing", which.Load())
	}
}
