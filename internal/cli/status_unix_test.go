//go:build !windows

package cli

import (
	"context"
	"os"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/aerobackup/aerobackup/internal/progress"
)

// SIGUSR1 is answered by its own goroutine while the command's goroutine
// builds the logger and the progress reporter: under -race this fails if
// the two share them unguarded.
func TestStatusSignalWhileTheCommandSetsUp(t *testing.T) {
	errOut := &lockedBuffer{}
	app := &App{IO: IO{Err: errOut}, Globals: &Globals{Quiet: true, LogFormat: "text"}}
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	statusOnSignal(ctx, app)

	if err := app.setup(); err != nil {
		t.Fatal(err)
	}
	tr := app.Progress().Track("backup nightly test", 100, func() progress.Counts {
		return progress.Counts{Records: 40}
	})
	defer tr.Stop()
	want := "status: backup nightly test"
	deadline := time.Now().Add(10 * time.Second)
	for !strings.Contains(errOut.String(), want) {
		if time.Now().After(deadline) {
			t.Fatalf("no %q line after SIGUSR1:\n%s", want, errOut.String())
		}
		if err := syscall.Kill(os.Getpid(), syscall.SIGUSR1); err != nil {
			t.Fatal(err)
		}
		time.Sleep(20 * time.Millisecond)
	}
	if out := errOut.String(); !strings.Contains(out, "records=40") || !strings.Contains(out, "percent=40.0") {
		t.Errorf("status line lacks the counts:\n%s", out)
	}
}
