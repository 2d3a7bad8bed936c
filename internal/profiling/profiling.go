// Package profiling writes CPU and heap profiles and a runtime execution
// trace of one run, for developers measuring the tool (make bench). It is
// set through environment variables only, so it stays out of --help, the
// man pages and the completions. It must not change the run: a profile
// that cannot be written is reported on stderr and the run goes on.
package profiling

import (
	"fmt"
	"io"
	"os"
	"runtime/pprof"
	"runtime/trace"
)

// The environment variables, each naming the file to write.
const (
	EnvCPUProfile = "AEROBACKUP_CPUPROFILE" // CPU profile of the whole run
	// Heap profile at exit: allocations of the run, and the in-use heap
	// as of the last collection, which ran while the run was working.
	EnvMemProfile = "AEROBACKUP_MEMPROFILE"
	EnvTrace      = "AEROBACKUP_TRACE" // runtime execution trace
)

// Start starts what the environment asks for and returns the function
// that finishes it; a failure is reported on stderr and never changes the
// run.
func Start(getenv func(string) string, stderr io.Writer) func() {
	var stops []func()
	warn := func(what string, err error) {
		fmt.Fprintf(stderr, "aerobackup: %s: %v\n", what, err)
	}
	if path := getenv(EnvCPUProfile); path != "" {
		if f, err := os.Create(path); err != nil {
			warn(EnvCPUProfile, err)
		} else if err := pprof.StartCPUProfile(f); err != nil {
			f.Close()
			warn(EnvCPUProfile, err)
		} else {
			stops = append(stops, func() { pprof.StopCPUProfile(); f.Close() })
		}
	}
	if path := getenv(EnvTrace); path != "" {
		if f, err := os.Create(path); err != nil {
			warn(EnvTrace, err)
		} else if err := trace.Start(f); err != nil {
			f.Close()
			warn(EnvTrace, err)
		} else {
			stops = append(stops, func() { trace.Stop(); f.Close() })
		}
	}
	if path := getenv(EnvMemProfile); path != "" {
		stops = append(stops, func() {
			f, err := os.Create(path)
			if err != nil {
				warn(EnvMemProfile, err)
				return
			}
			defer f.Close()
			if err := pprof.Lookup("allocs").WriteTo(f, 0); err != nil {
				warn(EnvMemProfile, err)
			}
		})
	}
	return func() {
		for i := len(stops) - 1; i >= 0; i-- {
			stops[i]()
		}
	}
}
