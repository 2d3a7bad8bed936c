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
