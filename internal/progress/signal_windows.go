//go:build windows

package progress

import "context"

// StatusOnSignal does nothing on Windows, which has no SIGUSR1; progress
// log lines (--progress-interval) report on a running operation there.
func StatusOnSignal(context.Context, func()) {}
