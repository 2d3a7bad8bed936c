package metrics_test

import (
	"bufio"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/aerobackup/aerobackup/internal/backupjob"
	"github.com/aerobackup/aerobackup/internal/metrics"
)

// A command records its result at the end of the run, whatever the result:
// a partial backup is reported as an ABS failure.
func ExampleUpdateFile() {
	dir, _ := os.MkdirTemp("", "metrics")
	defer os.RemoveAll(dir)
	path := filepath.Join(dir, "aerobackup.prom")

	started := time.Date(2026, 5, 4, 1, 0, 0, 0, time.UTC)
	runErr := &backupjob.PartialError{Failed: []string{"ns2"}, Err: errors.New("namespace ns2 failed")}
	if o, ok := metrics.OutcomeOf(runErr); ok {
		err := metrics.UpdateFile(path, metrics.Run{
			Operation: metrics.Backup, Routine: "nightly", Type: metrics.Full, Outcome: o,
			Started: started, Finished: started.Add(10 * time.Minute), Records: 5000, Bytes: 1 << 20,
		})
		if err != nil {
			fmt.Println(err)
		}
	}

	f, _ := os.Open(path)
	defer f.Close()
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		if strings.HasPrefix(sc.Text(), "aerospike_backup_service_backup_events_total") ||
			strings.HasPrefix(sc.Text(), "aerospike_backup_service_failure_total") {
			fmt.Println(sc.Text())
		}
	}
	// Output:
	// aerospike_backup_service_backup_events_total{outcome="failure",routine="nightly",type="full"} 1
	// aerospike_backup_service_failure_total 1
}
