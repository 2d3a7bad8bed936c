package verify

import (
	"errors"
	"fmt"
	"io"
	"log/slog"
	"path"
	"strconv"
	"strings"

	"github.com/aerospike/backup-go/io/encoding/asb"
	"github.com/aerospike/backup-go/models"

	"github.com/aerobackup/aerobackup/internal/catalog"
)

// partitionCheck finds the records of one plain (neither compressed nor
// encrypted) file that lie outside the partitions its manifest entry
// records: a lookup by key trusting those ranges would miss them.
type partitionCheck struct {
	entry catalog.ManifestEntry
	log   *slog.Logger

	outside int // records outside the ranges
	first   int // the partition of the first of them
}

// read decodes the file's records from r. A file that does not decode is
// left to the backup-go decode, which names the fault.
func (pc *partitionCheck) read(r io.Reader, file string) {
	dec, err := asb.NewDecoder[*models.Token](r, path.Base(file), false, pc.log)
	if err != nil {
		return
	}
	for {
		tok, err := dec.NextToken()
		if err != nil {
			if !errors.Is(err, io.EOF) {
				pc.log.Debug("partition check stopped: the file does not decode", "file", file, "error", err)
			}
			return
		}
		if tok.Type != models.TokenTypeRecord || tok.Record == nil || tok.Record.Key == nil {
			continue
		}
		if p := tok.Record.Key.PartitionId(); !pc.entry.MayHold(p) {
			if pc.outside == 0 {
				pc.first = p
			}
			pc.outside++
		}
	}
}

// problem is the Corrupt problem of file when records lay outside its
// ranges (none for a nil check).
func (pc *partitionCheck) problem(file string) (Problem, bool) {
	if pc == nil || pc.outside == 0 {
		return Problem{}, false
	}
	return Problem{Status: Corrupt, File: file,
		Fault: fmt.Sprintf("record of partition %d outside the file's recorded partitions %s (%d such records; a lookup by key would miss them)",
			pc.first, rangesText(pc.entry.Partitions), pc.outside)}, true
}

// rangesText writes ranges as "0..1023, 2048": first and last partition.
func rangesText(rs []catalog.PartitionRange) string {
	parts := make([]string, 0, len(rs))
	for _, r := range rs {
		if r.Count == 1 {
			parts = append(parts, strconv.Itoa(r.Begin))
			continue
		}
		parts = append(parts, fmt.Sprintf("%d..%d", r.Begin, r.Begin+r.Count-1))
	}
	return strings.Join(parts, ", ")
}
