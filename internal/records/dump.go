package records

import (
	"context"
	"fmt"

	"github.com/aerospike/backup-go/models"
)

// DumpOptions narrow a dump.
type DumpOptions struct {
	// Only, when set, keeps just these records (and reads only the files
	// that can hold them); indexes and UDFs are left out.
	Only *Selection
	// Set, when set, keeps the records (and indexes) of this set only.
	Set string
}

// DumpStats count what a dump wrote.
type DumpStats struct {
	Records, SIndexes, UDFs uint64
}

// Dump streams the tokens of each folder to emit, in the order of its
// files: secondary indexes and UDFs first, then every data file by name.
// Nothing is kept between tokens. A whole folder's records must add up to
// its metadata.yaml's record-count.
func Dump(ctx context.Context, rd *Reader, folders []*Folder, o DumpOptions, emit func(*models.Token) error) (DumpStats, error) {
	var st DumpStats
	for _, f := range folders {
		files := f.metadataFirst()
		if o.Only != nil {
			files = f.For(o.Only.Partitions())
		}
		var records uint64
		for _, file := range files {
			err := rd.Read(ctx, f, file, func(t *models.Token) error {
				switch t.Type {
				case models.TokenTypeRecord:
					records++
					if o.Only != nil {
						if _, ok := o.Only.Match(t.Record); !ok {
							return nil
						}
					}
					if o.Set != "" && t.Record.Key.SetName() != o.Set {
						return nil
					}
					st.Records++
				case models.TokenTypeSIndex:
					if o.Only != nil || (o.Set != "" && t.SIndex.Set != o.Set) {
						return nil
					}
					st.SIndexes++
				case models.TokenTypeUDF:
					if o.Only != nil || o.Set != "" {
						return nil
					}
					st.UDFs++
				}
				return emit(t)
			})
			if err != nil {
				return st, err
			}
		}
		if o.Only == nil && records != f.Meta.RecordCount && f.Meta.RecordCount > 0 {
			return st, fmt.Errorf("%s: metadata.yaml counts %d records, the files hold %d (the backup is incomplete or altered)",
				f.Dir, f.Meta.RecordCount, records)
		}
	}
	return st, nil
}

// metadataFirst is the folder's files, the index and UDF files first.
func (f *Folder) metadataFirst() []File {
	out := make([]File, 0, len(f.Files))
	for _, file := range f.Files {
		if isMetadataFile(file.Name) {
			out = append(out, file)
		}
	}
	for _, file := range f.Files {
		if !isMetadataFile(file.Name) {
			out = append(out, file)
		}
	}
	return out
}
