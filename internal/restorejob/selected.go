package restorejob

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"sync"

	"github.com/aerospike/backup-go"
	"github.com/aerospike/backup-go/models"

	"github.com/aerobackup/aerobackup/internal/records"
	"github.com/aerobackup/aerobackup/internal/storage"
)

// Picked is the version of one selected record that a record-level
// restore writes into one destination namespace.
type Picked struct {
	Record    string `json:"record"`
	Digest    string `json:"digest"`
	Namespace string `json:"namespace"`
	// Found is set when a backup of the chain holds the record.
	Found bool `json:"found"`
	// Backup is the step holding the version written: the newest of the
	// chain to hold the record; empty when none does.
	Backup     string `json:"backup,omitempty"`
	Generation uint32 `json:"generation,omitempty"`

	rec    *models.Record
	source string
}

// Picks are what Pick found, and what it read to find it.
type Picks struct {
	Records []Picked `json:"records"`
	// FilesRead of FilesHeld: a lookup reads only the files whose
	// partitions can hold a selected record.
	FilesRead int   `json:"files-read"`
	FilesHeld int   `json:"files-held"`
	BytesRead int64 `json:"bytes-read"`
}

// Missing counts the records no backup of their chain holds.
func (p *Picks) Missing() int {
	n := 0
	for _, r := range p.Records {
		if !r.Found {
			n++
		}
	}
	return n
}

// Pick finds, for every chain, the version of each record of j.Only that
// it writes: its steps are searched in their order (the planner puts a
// record-level chain newest first) and the first version found of a
// record is kept. Only the files that can hold a record still sought
// are read.
func (j *Job) Pick(ctx context.Context) (*Picks, error) {
	rd := &records.Reader{Key: records.Key{File: j.KeyFile, Env: j.KeyEnv, Secret: j.KeySecret, Agent: j.SecretAgent}, Log: j.Log}
	out := &Picks{}
	for _, c := range j.Chains {
		picked, held, err := j.pickChain(ctx, rd, c)
		if err != nil {
			return out, err
		}
		out.Records = append(out.Records, picked...)
		out.FilesHeld += held
	}
	out.FilesRead, out.BytesRead = rd.FilesRead(), rd.BytesRead()
	return out, nil
}

func (j *Job) pickChain(ctx context.Context, rd *records.Reader, c Chain) ([]Picked, int, error) {
	picked := make([]Picked, len(j.Only.Wants))
	for i, w := range j.Only.Wants {
		picked[i] = Picked{Record: w.Label, Digest: w.DigestHex(), Namespace: c.Namespace}
	}
	held := 0
	for _, s := range c.Steps {
		left := remaining(j.Only, picked)
		if len(left) == 0 {
			break
		}
		f, err := records.Open(ctx, j.Store, s.Dir)
		if errors.Is(err, storage.ErrNotFound) {
			// Foreign files (restore --path): the flags say their modes.
			f, err = records.OpenBare(ctx, j.Store, s.Dir, s.Compression, s.Encryption)
		}
		if err != nil {
			return nil, held, fmt.Errorf("%s: %w", s.Label, err)
		}
		held += f.DataFiles()
		var mu sync.Mutex
		for _, file := range f.For(left) {
			err := rd.Read(ctx, f, file, func(t *models.Token) error {
				if t.Type != models.TokenTypeRecord {
					return nil
				}
				i, ok := j.Only.Match(t.Record)
				mu.Lock()
				defer mu.Unlock()
				if ok && picked[i].rec == nil {
					picked[i].rec, picked[i].source = t.Record, s.Source
					picked[i].Backup, picked[i].Generation, picked[i].Found = s.Label, t.Record.Generation, true
				}
				return nil
			})
			if err != nil {
				return nil, held, fmt.Errorf("%s: %w", s.Label, err)
			}
		}
		j.Log.Debug("searched a backup for the selected records", "backup", s.Label, "files-read", rd.FilesRead(),
			"files", f.DataFiles(), "indexed", f.Indexed)
	}
	return picked, held, nil
}

// remaining are the partitions of the records not found yet.
func remaining(sel *records.Selection, picked []Picked) []int {
	seen := map[int]bool{}
	var out []int
	for i, w := range sel.Wants {
		if p := w.Partition(); picked[i].rec == nil && !seen[p] {
			seen[p] = true
			out = append(out, p)
		}
	}
	return out
}

// runSelected restores the picked versions: per chain one backup-go
// restore of an ASB stream holding them, with the chain's first step's
// policy (the planner's record-level one) and neither indexes nor UDFs.
func (j *Job) runSelected(ctx context.Context) (*Result, error) {
	res := &Result{}
	picks, err := j.Pick(ctx)
	res.Picks = picks
	if err != nil {
		return res, err
	}
	if err := NoneFound(picks); err != nil {
		return res, err
	}
	var errs []error
	for _, c := range j.Chains {
		var recs []*models.Record
		source := ""
		for _, p := range picks.Records {
			if p.Namespace == c.Namespace && p.rec != nil {
				recs = append(recs, p.rec)
				source = p.source
			}
		}
		if len(recs) == 0 || len(c.Steps) == 0 {
			continue
		}
		s := c.Steps[0]
		cfg := *s.Config
		cfg.NoIndexes, cfg.NoUDFs = true, true
		s = Step{Label: fmt.Sprintf("%d selected records", len(recs)), Source: source, Destination: c.Namespace,
			ExpectedRecords: uint64(len(recs)), Config: &cfg}
		out := StepResult{Label: s.Label, Source: s.Source, Destination: s.destination()}
		err := j.writeRecords(ctx, s, recs, &out)
		res.Steps = append(res.Steps, out)
		if err != nil {
			errs = append(errs, err)
			if ctx.Err() != nil {
				return res, ctx.Err()
			}
		}
	}
	return res, errors.Join(errs...)
}

func (j *Job) writeRecords(ctx context.Context, s Step, recs []*models.Record, out *StepResult) error {
	data, err := encodeRecords(s.Source, recs)
	if err != nil {
		return fmt.Errorf("%s: %w", s.Label, err)
	}
	bc, cfg, tally, err := j.writer(ctx, s, out.Destination, nil)
	if err != nil {
		return err
	}
	reader := &memoryReader{name: "selected.asb", data: data}
	if err := j.restoreFrom(ctx, s, out, bc, cfg, reader, func(e error) error { return e }, tally, nil); err != nil {
		return err
	}
	return j.refused(s, cfg, out)
}

// encodeRecords is an ASB file of namespace ns holding recs.
func encodeRecords(ns string, recs []*models.Record) ([]byte, error) {
	enc := backup.NewEncoder[*models.Token](backup.EncoderTypeASB, ns, false, false)
	var out bytes.Buffer
	out.Write(enc.GetHeader(1, true))
	for _, r := range recs {
		if err := enc.EncodeToken(models.NewRecordToken(r, 0, nil), &out); err != nil {
			return nil, fmt.Errorf("encoding record %x: %w", r.Key.Digest(), err)
		}
	}
	return out.Bytes(), nil
}

// memoryReader serves one ASB file held in memory to backup-go.
type memoryReader struct {
	name string
	data []byte
}

func (m *memoryReader) StreamFiles(ctx context.Context, out chan<- models.File, _ chan<- error, _ []string) {
	defer close(out)
	select {
	case out <- models.File{Name: m.name, Reader: io.NopCloser(bytes.NewReader(m.data))}:
	case <-ctx.Done():
	}
}

func (m *memoryReader) StreamFile(ctx context.Context, _ string, out chan<- models.File, errs chan<- error) {
	select {
	case out <- models.File{Name: m.name, Reader: io.NopCloser(bytes.NewReader(m.data))}:
	case <-ctx.Done():
	}
}

func (m *memoryReader) GetType() string { return "memory" }
func (m *memoryReader) ListObjects(context.Context, string) ([]string, error) {
	return []string{m.name}, nil
}
func (m *memoryReader) GetSize() int64       { return int64(len(m.data)) }
func (m *memoryReader) GetNumber() int64     { return 1 }
func (m *memoryReader) GetSkipped() []string { return nil }

// NoneFoundError is a restore of selected records of which no backup
// searched holds any: nothing was written.
type NoneFoundError struct{ Selected int }

func (e *NoneFoundError) Error() string {
	if e.Selected == 1 {
		return "the selected record is in no backup searched: nothing written (see 'aerobackup find')"
	}
	return fmt.Sprintf("none of the %d selected records is in a backup searched: nothing written (see 'aerobackup find')", e.Selected)
}

// NoneFound is a *NoneFoundError when picks found no record, else nil.
func NoneFound(p *Picks) error {
	if p != nil && len(p.Records) > 0 && p.Missing() == len(p.Records) {
		return &NoneFoundError{Selected: len(p.Records)}
	}
	return nil
}
