//go:build windows

package cli

import "context"

// statusOnSignal does nothing on Windows, which has no SIGUSR1; progress
// log lines (--progress-interval) report on a running operation there.
func statusOnSignal(context.Context, *App) {}
