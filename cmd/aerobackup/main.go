// Command aerobackup backs up and restores Aerospike databases.
package main

import (
	"os"

	"github.com/aerobackup/aerobackup/internal/cli"
)

func main() {
	os.Exit(cli.Main(os.Args[1:], os.Stdin, os.Stdout, os.Stderr))
}
