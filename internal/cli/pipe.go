package cli

import (
	"io"
	"os"
	"os/signal"
	"syscall"
)

// notifyBrokenPipe makes writes to out fail with EPIPE when the reader of
// the pipe has gone, instead of the Go runtime killing the process with
// SIGPIPE (its default for standard output): the stream's failure is then
// reported and exits 1 like any other. The returned function restores the
// default.
func notifyBrokenPipe(out io.Writer) func() {
	if _, ok := out.(*os.File); !ok {
		return func() {}
	}
	ch := make(chan os.Signal, 1)
	signal.Notify(ch, syscall.SIGPIPE)
	return func() { signal.Stop(ch) }
}
