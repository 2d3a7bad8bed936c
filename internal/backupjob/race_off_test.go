//go:build !race

package backupjob

// raceEnabled: the tests run under the race detector (go test -race).
const raceEnabled = false
