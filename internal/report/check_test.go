package report

import (
	"bytes"
	"encoding/json"
	"testing"

	"github.com/aerobackup/aerobackup/internal/verify"
)

// A passed check says OK and why on stdout; a failed one prints nothing,
// its reason being the command's error. Its JSON document is the
// freshness result tagged with its type.
func TestCheck(t *testing.T) {
	for _, tt := range []struct {
		name string
		f    verify.Freshness
		want string
	}{
		{"fresh", verify.Freshness{OK: true, Reason: "newest backup 2h old"}, "OK: newest backup 2h old\n"},
		{"stale", verify.Freshness{Reason: "newest backup 30h old, over --max-age 26h"}, ""},
	} {
		var out, errOut bytes.Buffer
		d := NewCheck(tt.f)
		if err := d.Human(&out, &errOut); err != nil {
			t.Fatal(err)
		}
		if out.String() != tt.want || errOut.Len() != 0 {
			t.Errorf("%s: stdout %q stderr %q, want %q", tt.name, out.String(), errOut.String(), tt.want)
		}
	}
	b, err := json.Marshal(NewCheck(verify.Freshness{OK: true, Routine: "r", Reason: "ok", Records: 3}))
	if err != nil {
		t.Fatal(err)
	}
	if want := `{"type":"check","ok":true,"routine":"r","reason":"ok","age-seconds":0,"incrementals":0,"records":3}`; string(b) != want {
		t.Errorf("json %s, want %s", b, want)
	}
}
