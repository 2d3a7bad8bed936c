// Command aerobackup-docs writes aerobackup's man pages and shell
// completions from the command tree, for `make docs` and `make docs-check`.
//
//	aerobackup-docs [-man DIR] [-completions DIR] [-date YYYY-MM-DD]
//
// The date printed in the man pages is fixed (-date, else SOURCE_DATE_EPOCH,
// else 2026-01-01) so that the output only changes with the code.
package main

import (
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"time"

	"github.com/spf13/cobra"
	"github.com/spf13/cobra/doc"

	"github.com/aerobackup/aerobackup/internal/cli"
)

func main() {
	if err := run(os.Args[1:]); err != nil {
		fmt.Fprintln(os.Stderr, "aerobackup-docs:", err)
		os.Exit(1)
	}
}

func run(args []string) error {
	fs := flag.NewFlagSet("aerobackup-docs", flag.ContinueOnError)
	manDir := fs.String("man", "man", "directory for the man pages")
	complDir := fs.String("completions", "completions", "directory for the shell completions")
	dateFlag := fs.String("date", "", "date printed in the man pages (YYYY-MM-DD)")
	if err := fs.Parse(args); err != nil {
		return err
	}
	date, err := docDate(*dateFlag)
	if err != nil {
		return err
	}
	for _, d := range []string{*manDir, *complDir} {
		if err := os.MkdirAll(d, 0o755); err != nil {
			return err
		}
	}
	root := cli.DocsRoot()
	header := &doc.GenManHeader{Title: "AEROBACKUP", Section: "1", Date: &date,
		Source: "aerobackup", Manual: "aerobackup manual"}
	if err := doc.GenManTree(root, header, *manDir); err != nil {
		return fmt.Errorf("man pages: %w", err)
	}
	return completions(root, *complDir)
}

func completions(root *cobra.Command, dir string) error {
	gens := map[string]func(f *os.File) error{
		"aerobackup.bash": func(f *os.File) error { return root.GenBashCompletionV2(f, true) },
		"aerobackup.zsh":  func(f *os.File) error { return root.GenZshCompletion(f) },
		"aerobackup.fish": func(f *os.File) error { return root.GenFishCompletion(f, true) },
		"aerobackup.ps1":  func(f *os.File) error { return root.GenPowerShellCompletionWithDesc(f) },
	}
	for name, gen := range gens {
		f, err := os.Create(filepath.Join(dir, name))
		if err != nil {
			return err
		}
		if err := gen(f); err != nil {
			f.Close()
			return fmt.Errorf("%s: %w", name, err)
		}
		if err := f.Close(); err != nil {
			return err
		}
	}
	return nil
}

func docDate(flagValue string) (time.Time, error) {
	if flagValue != "" {
		return time.Parse(time.DateOnly, flagValue)
	}
	if s := os.Getenv("SOURCE_DATE_EPOCH"); s != "" {
		sec, err := strconv.ParseInt(s, 10, 64)
		if err != nil {
			return time.Time{}, fmt.Errorf("SOURCE_DATE_EPOCH %q: %w", s, err)
		}
		return time.Unix(sec, 0).UTC(), nil
	}
	return time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC), nil
}
