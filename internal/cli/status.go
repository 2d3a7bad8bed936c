package cli

import (
	"context"

	"github.com/aerobackup/aerobackup/internal/progress"
)

// statusOnSignal logs app's status line on SIGUSR1 (where there is one).
func statusOnSignal(ctx context.Context, app *App) { progress.StatusOnSignal(ctx, app.status) }
