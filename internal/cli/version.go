package cli

import (
	"runtime"
	"runtime/debug"

	"github.com/spf13/cobra"

	"github.com/aerobackup/aerobackup/internal/report"
)

// Set at build time with -ldflags "-X github.com/aerobackup/aerobackup/internal/cli.version=...".
var (
	version = "dev"
	commit  = "none"
	date    = "unknown"
)

// Version returns the build's version information.
func Version() report.Version {
	v := report.Version{Version: version, Commit: commit, Date: date, Go: runtime.Version(),
		BackupGo: "unknown", AerospikeClient: "unknown"}
	if bi, ok := debug.ReadBuildInfo(); ok {
		for _, d := range bi.Deps {
			switch d.Path {
			case "github.com/aerospike/backup-go":
				v.BackupGo = d.Version
			case "github.com/aerospike/aerospike-client-go/v8":
				v.AerospikeClient = d.Version
			}
		}
	}
	return v
}

func newVersionCmd(app *App) *cobra.Command {
	return &cobra.Command{
		Use:   "version",
		Short: "Print version, commit, build date, Go and backup-go versions",
		Args:  cobra.NoArgs,
		RunE: func(*cobra.Command, []string) error {
			v := Version()
			return app.emit(&v)
		},
	}
}
