package report

import (
	"bytes"
	"testing"
)

func TestFailure(t *testing.T) {
	for _, tt := range []struct {
		name      string
		f         *Failure
		json, hum string
	}{
		{"error", NewFailure("error", 1, "backup x not found"),
			`{"exit-status":1,"kind":"error","message":"backup x not found","type":"error"}` + "\n",
			"aerobackup: error: backup x not found\n"},
		{"skip has no error prefix", NewFailure("skipped", 3, "routine \"r\" is disabled"),
			`{"exit-status":3,"kind":"skipped","message":"routine \"r\" is disabled","type":"error"}` + "\n",
			"aerobackup: routine \"r\" is disabled\n"},
		{"one line per problem", NewFailure("usage", 2, "a: bad\nb: bad\n"),
			`{"exit-status":2,"kind":"usage","message":"a: bad\nb: bad\n","type":"error"}` + "\n",
			"aerobackup: error: a: bad\naerobackup: error: b: bad\n"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			var j, out, errOut bytes.Buffer
			if err := tt.f.JSON(&j); err != nil || j.String() != tt.json {
				t.Errorf("JSON = %q (%v), want %q", j.String(), err, tt.json)
			}
			if err := tt.f.Human(&out, &errOut); err != nil || errOut.String() != tt.hum || out.Len() != 0 {
				t.Errorf("Human = %q, stdout %q (%v); want %q on stderr only", errOut.String(), out.String(), err, tt.hum)
			}
		})
	}
}

// Write gives the JSON line for --json, the human lines otherwise, both on
// stderr.
func TestFailureWrite(t *testing.T) {
	f := NewFailure("usage", 2, "bad flag")
	var j, h bytes.Buffer
	if err := f.Write(true, &j); err != nil || j.String() != `{"exit-status":2,"kind":"usage","message":"bad flag","type":"error"}`+"\n" {
		t.Errorf("json: %v %q", err, j.String())
	}
	if err := f.Write(false, &h); err != nil || h.String() != "aerobackup: error: bad flag\n" {
		t.Errorf("human: %v %q", err, h.String())
	}
}
