package cli

import (
	"fmt"
	"io"
	"runtime"
	"runtime/debug"

	"github.com/spf13/cobra"
)

// Set at build time with -ldflags "-X github.com/aerobackup/aerobackup/internal/cli.version=...".
var (
	version = "dev"
	commit  = "none"
	date    = "unknown"
)

// VersionInfo is what `aerobackup version` reports.
type VersionInfo struct {
	Version         string `json:"version"`
	Commit          string `json:"commit"`
	Date            string `json:"date"`
	Go              string `json:"go"`
	BackupGo        string `json:"backup-go"`
	AerospikeClient string `json:"aerospike-client"`
}

func (v *VersionInfo) human(out, _ io.Writer) error {
	_, err := fmt.Fprintf(out, "aerobackup %s\ncommit:           %s\nbuilt:            %s\ngo:               %s\nbackup-go:        %s\naerospike-client: %s\n",
		v.Version, v.Commit, v.Date, v.Go, v.BackupGo, v.AerospikeClient)
	return err
}

// Version returns the build's version information.
func Version() VersionInfo {
	v := VersionInfo{Version: version, Commit: commit, Date: date, Go: runtime.Version(),
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
