package cli

import (
	"os"
	"os/exec"
	"regexp"
	"sort"
	"strings"
	"testing"
)

// docs/architecture.md is the package map for maintainers: every package it
// names must exist, and every package of the module must be named in it.
func TestArchitectureMapNamesEveryPackage(t *testing.T) {
	b, err := os.ReadFile("../../docs/architecture.md")
	if err != nil {
		t.Fatal(err)
	}
	named := map[string]bool{}
	for _, m := range regexp.MustCompile("`((?:cmd|internal)/[a-z0-9/-]+)`").FindAllStringSubmatch(string(b), -1) {
		named[m[1]] = true
	}
	out, err := exec.Command("go", "list", "-f", "{{.Dir}}", "../../...").Output()
	if err != nil {
		t.Fatalf("go list: %v", err)
	}
	root, err := os.Getwd()
	if err != nil {
		t.Fatal(err)
	}
	root = strings.TrimSuffix(root, "/internal/cli")
	exists := map[string]bool{}
	for _, dir := range strings.Fields(string(out)) {
		exists[strings.TrimPrefix(dir, root+"/")] = true
	}
	var unknown, missing []string
	for p := range named {
		if !exists[p] {
			unknown = append(unknown, p)
		}
	}
	for p := range exists {
		if !named[p] {
			missing = append(missing, p)
		}
	}
	sort.Strings(unknown)
	sort.Strings(missing)
	for _, p := range unknown {
		t.Errorf("docs/architecture.md names %s, which is no package of the module", p)
	}
	for _, p := range missing {
		t.Errorf("package %s is missing from docs/architecture.md's map", p)
	}
}
