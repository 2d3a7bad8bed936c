package verify

import (
	"reflect"
	"testing"
)

func TestParseSubset(t *testing.T) {
	for in, want := range map[string]float64{"10%": 0.1, "100": 1, " 2.5 % ": 0.025, "0.5%": 0.005} {
		if got, err := ParseSubset(in); err != nil || got != want {
			t.Errorf("ParseSubset(%q) = %g, %v; want %g", in, got, err, want)
		}
	}
	for _, in := range []string{"", "0", "0%", "-5%", "101%", "ten%", "%"} {
		want := `--read-data-subset "` + in + `": want a percentage above 0 and up to 100, e.g. 10%`
		if _, err := ParseSubset(in); err == nil || err.Error() != want {
			t.Errorf("ParseSubset(%q): %v, want %q", in, err, want)
		}
	}
}

func TestKeepNamespaces(t *testing.T) {
	rs := []Result{{Key: "a", Namespace: "test"}, {Key: "a", Namespace: "bar"}, {Key: "b"}}
	if got := KeepNamespaces(rs, nil); !reflect.DeepEqual(got, rs) {
		t.Errorf("no namespaces given: %+v", got)
	}
	got := KeepNamespaces(rs, []string{"test"})
	if len(got) != 2 || got[0].Namespace != "test" || got[1].Key != "b" {
		t.Errorf("test only (and the run without a namespace): %+v", got)
	}
}

func TestSummarize(t *testing.T) {
	counts, err := Summarize(nil)
	if want := map[string]int{"ok": 0, "incomplete": 0, "corrupt": 0}; err != nil || !reflect.DeepEqual(counts, want) {
		t.Errorf("none: %v %v", counts, err)
	}
	counts, err = Summarize([]Result{{Status: OK}, {Status: OK}})
	if counts["ok"] != 2 || err != nil {
		t.Errorf("all ok: %v %v", counts, err)
	}
	counts, err = Summarize([]Result{{Status: OK}, {Status: Incomplete}, {Status: Corrupt}, {Status: Corrupt}})
	want := "verify: 3 of 4 backups not ok (1 incomplete, 2 corrupt)"
	if counts["corrupt"] != 2 || counts["incomplete"] != 1 || err == nil || err.Error() != want {
		t.Errorf("some not ok: %v %v, want %q", counts, err, want)
	}
}
