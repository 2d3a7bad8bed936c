package envflag

import (
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/spf13/pflag"
)

func varName(f string) string { return "X_" + strings.ToUpper(strings.ReplaceAll(f, "-", "_")) }

func TestApply(t *testing.T) {
	for _, tt := range []struct {
		name    string
		args    []string
		env     map[string]string
		want    string // "count wait"
		wantErr string
	}{
		{name: "defaults", want: "1 1s"},
		{name: "environment over default", env: map[string]string{"X_COUNT": "5", "X_LOCK_WAIT": "2m"}, want: "5 2m0s"},
		{name: "flag over environment", args: []string{"--count", "7"}, env: map[string]string{"X_COUNT": "5"}, want: "7 1s"},
		{name: "empty variable ignored", env: map[string]string{"X_COUNT": ""}, want: "1 1s"},
		{name: "bad value names the variable", env: map[string]string{"X_LOCK_WAIT": "soon"},
			wantErr: `environment variable X_LOCK_WAIT: invalid argument "soon" for "--lock-wait" flag: time: invalid duration "soon"`},
	} {
		t.Run(tt.name, func(t *testing.T) {
			fs := pflag.NewFlagSet("t", pflag.ContinueOnError)
			count := fs.Int("count", 1, "")
			wait := fs.Duration("lock-wait", time.Second, "")
			if err := fs.Parse(tt.args); err != nil {
				t.Fatal(err)
			}
			err := Apply(fs, varName, func(k string) string { return tt.env[k] })
			if tt.wantErr != "" {
				if err == nil || err.Error() != tt.wantErr {
					t.Fatalf("err %v, want %s", err, tt.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if got := strings.Join([]string{strconv.Itoa(*count), wait.String()}, " "); got != tt.want {
				t.Errorf("got %q, want %q", got, tt.want)
			}
		})
	}
}

// Optional's destination stays nil unless the flag is given, on the
// command line or through its variable.
func TestOptional(t *testing.T) {
	for _, tt := range []struct {
		name string
		args []string
		env  map[string]string
		want *int
	}{
		{name: "not given", want: nil},
		{name: "on the command line", args: []string{"--n=3"}, want: ptr(3)},
		{name: "the default given explicitly", args: []string{"--n=7"}, want: ptr(7)},
		{name: "in the environment", env: map[string]string{"X_N": "5"}, want: ptr(5)},
	} {
		t.Run(tt.name, func(t *testing.T) {
			fs := pflag.NewFlagSet("t", pflag.ContinueOnError)
			var g Given
			var dst *int
			Optional(&g, fs.IntVar, &dst, "n", 7, "n")
			if err := fs.Parse(tt.args); err != nil {
				t.Fatal(err)
			}
			if err := Apply(fs, func(f string) string { return "X_" + strings.ToUpper(f) }, func(k string) string { return tt.env[k] }); err != nil {
				t.Fatal(err)
			}
			g.Apply(fs)
			if (dst == nil) != (tt.want == nil) || (dst != nil && *dst != *tt.want) {
				t.Fatalf("destination %v, want %v", dst, tt.want)
			}
		})
	}
}

func ptr(v int) *int { return &v }

// Replacing's destination stays nil unless the flag is given; given empty,
// it is empty, not nil.
func TestReplacing(t *testing.T) {
	for _, tt := range []struct {
		name string
		args []string
		env  map[string]string
		want []string
	}{
		{name: "not given", want: nil},
		{name: "on the command line", args: []string{"--racks=a,b"}, want: []string{"a", "b"}},
		{name: "given empty", args: []string{"--racks="}, want: []string{}},
		{name: "in the environment", env: map[string]string{"X_RACKS": "c"}, want: []string{"c"}},
	} {
		t.Run(tt.name, func(t *testing.T) {
			fs := pflag.NewFlagSet("t", pflag.ContinueOnError)
			var g Given
			var dst []string
			Replacing(&g, fs.StringSliceVar, &dst, "racks", "racks")
			if err := fs.Parse(tt.args); err != nil {
				t.Fatal(err)
			}
			if err := Apply(fs, func(f string) string { return "X_" + strings.ToUpper(f) }, func(k string) string { return tt.env[k] }); err != nil {
				t.Fatal(err)
			}
			g.Apply(fs)
			if (dst == nil) != (tt.want == nil) || !slices.Equal(dst, tt.want) {
				t.Fatalf("destination %#v, want %#v", dst, tt.want)
			}
		})
	}
}
