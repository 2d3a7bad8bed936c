package cli

import (
	"fmt"
	"io"
	"os"
	"runtime/pprof"
	"runtime/trace"
)

// Profiling is for developers measuring the tool (make bench):
// set through environment variables only, so it stays out of --help, the
// man pages and the completions. Each names the file to write.
const (
	envCPUProfile = "AEROBACKUP_CPUPROFILE" // CPU profile of the whole run
	// Heap profile at exit: allocations of the run, and the in-use heap
	// as of the last collection, which ran while the run was working.
	envMemProfile = "AEROBACKUP_MEMPROFILE"
	envTrace      = "AEROBACKUP_TRACE" // runtime execution trace
)

// startProfiling starts what the environment asks for and returns the
// function that finishes it; a failure is reported on stderr and never
// changes the run.
func startProfiling(getenv func(string) string, stderr io.Writer) func() {
	var stops []func()
	warn := func(what string, err error) {
		fmt.Fprintf(stderr, "aerobackup: %s: %v\n", what, err)
	}
	if path := getenv(envCPUProfile); path != "" {
		if f, err := os.Create(path); err != nil {
			warn(envCPUProfile, err)
		} else if err := pprof.StartCPUProfile(f); err != nil {
			f.Close()
			warn(envCPUProfile, err)
		} else {
			stops = append(stops, func() { pprof.StopCPUProfile(); f.Close() })
		}
	}
	if path := getenv(envTrace); path != "" {
		if f, err := os.Create(path); err != nil {
			warn(envTrace, err)
		} else if err := trace.Start(f); err != nil {
			f.Close()
			warn(envTrace, err)
		} else {
			stops = append(stops, func() { trace.Stop(); f.Close() })
		}
	}
	if path := getenv(envMemProfile); path != "" {
		stops = append(stops, func() {
			f, err := os.Create(path)
			if err != nil {
				warn(envMemProfile, err)
				return
			}
			defer f.Close()
			if err := pprof.Lookup("allocs").WriteTo(f, 0); err != nil {
				warn(envMemProfile, err)
			}
		})
	}
	return func() {
		for i := len(stops) - 1; i >= 0; i-- {
			stops[i]()
		}
	}
}
