package stdinstore

import (
	"bytes"
	"errors"
	"io"
	"strings"
	"testing"

	"github.com/klauspost/compress/zstd"
)

func TestPeekNamespace(t *testing.T) {
	records := "## 1\n+ k S 1 a\n+ n test\n"
	for _, tc := range []struct {
		name   string
		in     string
		want   string // namespace
		errSub string // error substring
	}{
		{"backup-go header", "Version 3.1\n# namespace test\n# first-file\n" + records, "test", ""},
		{"first-file before namespace", "Version 3.0\n# first-file\n# namespace bar\n" + records, "bar", ""},
		{"escaped name", "Version 3.1\n# namespace a\\ b\\\\c\n" + records, "a b\\c", ""},
		{"header only", "Version 3.1\n# namespace test\n", "test", ""},
		{"no namespace line", "Version 3.1\n# first-file\n" + records, "", "has no namespace line"},
		{"empty namespace", "Version 3.1\n# namespace \n", "", "has no namespace line"},
		{"not ASB", "\x28\xb5\x2f\xfd\x00\x01garbage", "", "does not start with an ASB header"},
		{"cut in the header", "Version 3.1\n# names", "", "inside the header"},
		{"cut in the version", "Vers", "", "inside the header"},
		{"empty", "", "", "standard input is empty"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			ns, replay, err := PeekNamespace(strings.NewReader(tc.in), false)
			check(t, tc.in, ns, replay, err, tc.want, tc.errSub)
		})
	}
}

func TestPeekNamespaceCompressed(t *testing.T) {
	var plain bytes.Buffer
	plain.WriteString("Version 3.1\n# namespace test\n# first-file\n")
	// Enough records that the stream is several ZSTD blocks and more than
	// the first peek.
	for i := range 100000 {
		plain.WriteString("+ k I ")
		plain.WriteString(strings.Repeat("x", i%50))
		plain.WriteString("\n")
	}
	var z bytes.Buffer
	w, err := zstd.NewWriter(&z)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := w.Write(plain.Bytes()); err != nil {
		t.Fatal(err)
	}
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	ns, replay, err := PeekNamespace(bytes.NewReader(z.Bytes()), true)
	check(t, z.String(), ns, replay, err, "test", "")

	// Plain ASB said to be compressed, and compressed said to be plain.
	_, _, err = PeekNamespace(bytes.NewReader(plain.Bytes()), true)
	if err == nil || !strings.Contains(err.Error(), "not ZSTD-compressed") {
		t.Errorf("plain stream as ZSTD: %v", err)
	}
	_, _, err = PeekNamespace(bytes.NewReader(z.Bytes()), false)
	if !errors.Is(err, ErrNotASB) {
		t.Errorf("ZSTD stream as plain: %v, want ErrNotASB", err)
	}
}

// check compares the result and that replay gives the input back whole.
func check(t *testing.T, in, ns string, replay io.Reader, err error, want, errSub string) {
	t.Helper()
	if errSub != "" {
		if err == nil || !strings.Contains(err.Error(), errSub) {
			t.Fatalf("error %v, want %q", err, errSub)
		}
	} else if err != nil || ns != want {
		t.Fatalf("got %q, %v; want %q", ns, err, want)
	}
	got, rerr := io.ReadAll(replay)
	if rerr != nil || string(got) != in {
		t.Fatalf("replay gave %d bytes (%v), want the %d of the input", len(got), rerr, len(in))
	}
}
