package envflag

import (
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
