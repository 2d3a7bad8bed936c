// Package envflag fills command-line flags from environment variables:
// a flag given on the command line wins, then its variable, then its
// default. It knows nothing of the commands or of the variables' prefix.
package envflag

import (
	"fmt"

	"github.com/spf13/pflag"
	"github.com/spf13/viper"
)

// Apply sets every flag of fs not given on the command line to the value
// of the environment variable varName(flag) when it is set and not empty.
// The first value a flag refuses is the error, naming the variable.
func Apply(fs *pflag.FlagSet, varName func(flag string) string, getenv func(string) string) error {
	v := viper.New()
	var firstErr error
	fs.VisitAll(func(f *pflag.Flag) {
		if f.Changed || firstErr != nil {
			return
		}
		name := varName(f.Name)
		val := getenv(name)
		if val == "" {
			return
		}
		v.Set(f.Name, val)
		if err := fs.Set(f.Name, v.GetString(f.Name)); err != nil {
			firstErr = fmt.Errorf("environment variable %s: %w", name, err)
		}
	})
	return firstErr
}

// Given sets, once the flags are parsed, the destinations of the flags
// registered with Optional.
type Given []func(*pflag.FlagSet)

// Optional registers a flag with add (fs.IntVar, fs.BoolVar...) whose
// value reaches *dst only when the flag is given, on the command line or
// in the environment (Apply marks it changed): otherwise *dst stays nil,
// so that a nil keeps what a config file says.
func Optional[T any](g *Given, add func(*T, string, T, string), dst **T, name string, def T, usage string) {
	v := new(T)
	add(v, name, def, usage)
	*g = append(*g, func(fs *pflag.FlagSet) {
		if fs.Changed(name) {
			*dst = v
		}
	})
}

// Replacing registers a slice flag with add (fs.StringSliceVar,
// fs.IntSliceVar...) whose value replaces *dst only when the flag is
// given, as an empty slice when its value is empty: otherwise *dst stays
// nil, so that a nil keeps what a config file says.
func Replacing[E any](g *Given, add func(*[]E, string, []E, string), dst *[]E, name, usage string) {
	v := new([]E)
	add(v, name, nil, usage)
	*g = append(*g, func(fs *pflag.FlagSet) {
		if fs.Changed(name) {
			*dst = append([]E{}, *v...)
		}
	})
}

// Apply points the destination of every flag of g that fs was given at
// its value.
func (g Given) Apply(fs *pflag.FlagSet) {
	for _, set := range g {
		set(fs)
	}
}
