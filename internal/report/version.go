package report

import (
	"fmt"
	"io"
)

// Version is what `aerobackup version` reports.
type Version struct {
	Version         string `json:"version"`
	Commit          string `json:"commit"`
	Date            string `json:"date"`
	Go              string `json:"go"`
	BackupGo        string `json:"backup-go"`
	AerospikeClient string `json:"aerospike-client"`
}

// Human prints one line per component, the values aligned.
func (v *Version) Human(out, _ io.Writer) error {
	_, err := fmt.Fprintf(out, "aerobackup %s\ncommit:           %s\nbuilt:            %s\ngo:               %s\nbackup-go:        %s\naerospike-client: %s\n",
		v.Version, v.Commit, v.Date, v.Go, v.BackupGo, v.AerospikeClient)
	return err
}
