package cli

import (
	"io"
	"time"

	"github.com/spf13/cobra"
)

// DocsRoot returns the command tree as the documentation describes it: no
// environment read, the completion command included (cobra adds it only
// when a command line runs), no generated-on stamps.
func DocsRoot() *cobra.Command {
	app := &App{
		IO:      IO{In: nil, Out: io.Discard, Err: io.Discard},
		Globals: &Globals{},
		Now:     time.Now,
		Getenv:  func(string) string { return "" },
	}
	root := NewRootCmd(app)
	root.InitDefaultCompletionCmd()
	root.DisableAutoGenTag = true
	var walk func(*cobra.Command)
	walk = func(c *cobra.Command) {
		c.DisableAutoGenTag = true
		for _, s := range c.Commands() {
			walk(s)
		}
	}
	walk(root)
	return root
}
