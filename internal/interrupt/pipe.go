package interrupt

import (
	"io"
	"os"
	"os/signal"
	"syscall"
)

// NotifyBrokenPipe makes writes to out fail with EPIPE when the reader of
// the pipe has gone, instead of the Go runtime killing the process with
// SIGPIPE (its default for standard output): the failure is then reported
// and exits 1 like any other. The returned function restores the default.
// A writer that is no file needs nothing.
func NotifyBrokenPipe(out io.Writer) func() {
	if _, ok := out.(*os.File); !ok {
		return func() {}
	}
	ch := make(chan os.Signal, 1)
	signal.Notify(ch, syscall.SIGPIPE)
	return func() { signal.Stop(ch) }
}
