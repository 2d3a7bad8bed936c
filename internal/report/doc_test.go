package report

import (
	"bytes"
	"errors"
	"io"
	"testing"
)

// stub is a document whose human form is fixed, to watch Emit choose.
type stub struct {
	Type string `json:"type"`
	N    int    `json:"count"`
	fail error
}

func (s *stub) Human(out, errOut io.Writer) error {
	io.WriteString(out, "table\n")
	io.WriteString(errOut, "summary\n")
	return s.fail
}

// Emit writes the indented JSON document on stdout alone, or the human
// form on both streams, passing its error on.
func TestEmit(t *testing.T) {
	var out, errOut bytes.Buffer
	if err := Emit(true, &out, &errOut, &stub{Type: "x", N: 2}); err != nil {
		t.Fatal(err)
	}
	if want := "{\n  \"type\": \"x\",\n  \"count\": 2\n}\n"; out.String() != want || errOut.Len() != 0 {
		t.Errorf("json: stdout %q stderr %q, want %q", out.String(), errOut.String(), want)
	}
	out.Reset()
	boom := errors.New("boom")
	if err := Emit(false, &out, &errOut, &stub{fail: boom}); err != boom {
		t.Errorf("human: error %v, want %v", err, boom)
	}
	if out.String() != "table\n" || errOut.String() != "summary\n" {
		t.Errorf("human: stdout %q stderr %q", out.String(), errOut.String())
	}
}

func TestVersionHuman(t *testing.T) {
	v := Version{Version: "1.2.3", Commit: "abc1234", Date: "2026-11-21T10:00:00Z", Go: "go1.26.8",
		BackupGo: "v0.11.0", AerospikeClient: "v8.2.0"}
	var out, errOut bytes.Buffer
	if err := v.Human(&out, &errOut); err != nil {
		t.Fatal(err)
	}
	want := "aerobackup 1.2.3\ncommit:           abc1234\nbuilt:            2026-11-21T10:00:00Z\n" +
		"go:               go1.26.8\nbackup-go:        v0.11.0\naerospike-client: v8.2.0\n"
	if out.String() != want || errOut.Len() != 0 {
		t.Errorf("stdout %q stderr %q, want %q", out.String(), errOut.String(), want)
	}
}
