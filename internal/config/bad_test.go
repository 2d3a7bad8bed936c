package config

import (
	"bufio"
	"bytes"
	"flag"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"testing"
)

var update = flag.Bool("update", false, "rewrite testdata/config/bad/expected.txt from the current output")

const badDir = "../../testdata/config/bad"

// TestBadConfigs parses every malformed config under testdata/config/bad and
// compares the error, line by line, with expected.txt ("file<TAB>error",
// one line per reported problem, in order).
func TestBadConfigs(t *testing.T) {
	files, err := filepath.Glob(filepath.Join(badDir, "*.yml"))
	if err != nil {
		t.Fatal(err)
	}
	sort.Strings(files)
	if len(files) < 40 {
		t.Fatalf("want at least 40 bad configs, have %d", len(files))
	}

	got := map[string][]string{}
	var golden bytes.Buffer
	for _, f := range files {
		name := filepath.Base(f)
		cfg, err := Load(f)
		if err == nil {
			t.Errorf("%s: loaded without error: %+v", name, cfg)
			continue
		}
		if AsErrors(err) == nil {
			t.Errorf("%s: error is not config.Errors: %T", name, err)
		}
		// Load names the file by the path given; the golden file uses base names.
		msg := strings.ReplaceAll(err.Error(), f, name)
		for _, line := range strings.Split(msg, "\n") {
			got[name] = append(got[name], line)
			golden.WriteString(name + "\t" + line + "\n")
		}
	}

	expectedPath := filepath.Join(badDir, "expected.txt")
	if *update {
		if err := os.WriteFile(expectedPath, golden.Bytes(), 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	want := readExpected(t, expectedPath)
	for _, f := range files {
		name := filepath.Base(f)
		if _, ok := want[name]; !ok {
			t.Errorf("%s: no expected line in expected.txt", name)
			continue
		}
		if strings.Join(got[name], "\n") != strings.Join(want[name], "\n") {
			t.Errorf("%s:\n got: %s\nwant: %s", name, strings.Join(got[name], "\n      "), strings.Join(want[name], "\n      "))
		}
	}
	for name := range want {
		if _, ok := got[name]; !ok {
			if _, err := os.Stat(filepath.Join(badDir, name)); err != nil {
				t.Errorf("expected.txt names %s, which does not exist", name)
			}
		}
	}
}

func readExpected(t *testing.T, path string) map[string][]string {
	t.Helper()
	f, err := os.Open(path)
	if err != nil {
		t.Fatalf("%v (run go test -run TestBadConfigs -update to create it)", err)
	}
	defer f.Close()
	want := map[string][]string{}
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		name, line, ok := strings.Cut(sc.Text(), "\t")
		if !ok {
			t.Fatalf("expected.txt: malformed line %q", sc.Text())
		}
		want[name] = append(want[name], line)
	}
	return want
}
