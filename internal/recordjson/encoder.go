package recordjson

import (
	"bufio"
	"context"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"time"
	"unicode/utf8"

	"github.com/aerospike/backup-go/models"

	"github.com/aerobackup/aerobackup/internal/records"
)

// Encoder writes tokens as JSON lines. It keeps nothing between lines: each
// call writes one whole line with one Write.
type Encoder struct {
	enc *json.Encoder
}

// NewEncoder returns an Encoder writing to w. HTML characters are written
// as they are (no \u003c), for reading and for jq.
func NewEncoder(w io.Writer) *Encoder {
	enc := json.NewEncoder(w)
	enc.SetEscapeHTML(false)
	return &Encoder{enc: enc}
}

// Dump writes what o keeps of folders, read with rd, to out as JSON lines
// through a buffer, flushed before it returns.
func Dump(ctx context.Context, rd *records.Reader, folders []*records.Folder, o records.DumpOptions, out io.Writer) (records.DumpStats, error) {
	w := bufio.NewWriterSize(out, 256<<10)
	st, err := records.Dump(ctx, rd, folders, o, NewEncoder(w).Token)
	if ferr := w.Flush(); err == nil {
		err = ferr
	}
	return st, err
}

// Token writes a record, secondary index or UDF token as its line.
func (e *Encoder) Token(t *models.Token) error {
	if t == nil {
		return errors.New("render token: nil token")
	}
	switch t.Type {
	case models.TokenTypeRecord:
		return e.Record(t.Record)
	case models.TokenTypeSIndex:
		return e.SIndex(t.SIndex)
	case models.TokenTypeUDF:
		return e.UDF(t.UDF)
	}
	return fmt.Errorf("render token: unknown token type %d", t.Type)
}

// Record writes a record's line. A bin that cannot be rendered is an error
// naming the record's digest and the bin; nothing is written then.
func (e *Encoder) Record(r *models.Record) error {
	line, err := recordLine(r)
	if err != nil {
		return err
	}
	return e.write(line)
}

// SIndex writes a secondary index's line.
func (e *Encoder) SIndex(s *models.SIndex) error {
	line, err := sindexLine(s)
	if err != nil {
		return err
	}
	return e.write(line)
}

// UDF writes a UDF's line.
func (e *Encoder) UDF(u *models.UDF) error {
	line, err := udfLine(u)
	if err != nil {
		return err
	}
	return e.write(line)
}

func (e *Encoder) write(line any) error {
	if err := e.enc.Encode(line); err != nil {
		return fmt.Errorf("write JSON line: %w", err)
	}
	return nil
}

type recordJSON struct {
	Type       string                `json:"type"`
	Namespace  string                `json:"namespace"`
	Set        string                `json:"set,omitempty"`
	Digest     string                `json:"digest"`
	Partition  int                   `json:"partition"`
	Key        *TypedValue           `json:"key,omitempty"`
	Generation uint32                `json:"generation"`
	VoidTime   string                `json:"void-time,omitempty"`
	Bins       map[string]TypedValue `json:"bins"`
}

func recordLine(r *models.Record) (*recordJSON, error) {
	if r == nil || r.Record == nil || r.Key == nil {
		return nil, errors.New("render record: record without a key")
	}
	digest := r.Key.Digest()
	line := &recordJSON{
		Type:       "record",
		Namespace:  r.Key.Namespace(),
		Set:        r.Key.SetName(),
		Digest:     hex.EncodeToString(digest),
		Partition:  records.PartitionOf(digest),
		Generation: r.Generation,
		Bins:       make(map[string]TypedValue, len(r.Bins)),
	}
	if uk := r.Key.Value(); uk != nil && uk.GetObject() != nil {
		k, err := Value(uk)
		if err != nil {
			return nil, fmt.Errorf("record %s: user key: %w", line.Digest, err)
		}
		line.Key = &k
	}
	if t := records.VoidTime(r); !t.IsZero() {
		line.VoidTime = t.Format(time.RFC3339)
	}
	for name, v := range r.Bins {
		tv, err := Value(v)
		if err != nil {
			return nil, fmt.Errorf("record %s: bin %q: %w", line.Digest, name, err)
		}
		line.Bins[name] = tv
	}
	return line, nil
}

type sindexJSON struct {
	Type       string `json:"type"`
	Namespace  string `json:"namespace"`
	Set        string `json:"set,omitempty"`
	Name       string `json:"name"`
	Bin        string `json:"bin"`
	IndexType  string `json:"index-type"`
	Collection string `json:"collection"`
	Context    string `json:"context,omitempty"`
	Expression string `json:"expression,omitempty"`
}

// The names of backup-go's secondary index bin types and index types.
var (
	sindexBinTypes = map[models.SIPathBinType]string{
		models.NumericSIDataType:     "numeric",
		models.StringSIDataType:      "string",
		models.GEO2DSphereSIDataType: "geo2dsphere",
		models.BlobSIDataType:        "blob",
	}
	sindexCollections = map[models.SIndexType]string{
		models.BinSIndex:         "default",
		models.ListElementSIndex: "list",
		models.MapKeySIndex:      "mapkeys",
		models.MapValueSIndex:    "mapvalues",
	}
)

func sindexLine(s *models.SIndex) (*sindexJSON, error) {
	if s == nil {
		return nil, errors.New("render secondary index: nil index")
	}
	indexType, ok := sindexBinTypes[s.Path.BinType]
	if !ok {
		return nil, fmt.Errorf("secondary index %q: unknown bin type %q", s.Name, byte(s.Path.BinType))
	}
	collection, ok := sindexCollections[s.IndexType]
	if !ok {
		return nil, fmt.Errorf("secondary index %q: unknown index type %q", s.Name, byte(s.IndexType))
	}
	return &sindexJSON{
		Type:       "sindex",
		Namespace:  s.Namespace,
		Set:        s.Set,
		Name:       s.Name,
		Bin:        s.Path.BinName,
		IndexType:  indexType,
		Collection: collection,
		Context:    s.Path.B64Context,
		Expression: s.Expression,
	}, nil
}

// udfJSON holds a UDF's content as text; content that is not UTF-8 (which
// JSON strings cannot carry unchanged) goes to content-base64 instead.
type udfJSON struct {
	Type          string  `json:"type"`
	Name          string  `json:"name"`
	Language      string  `json:"language"`
	Content       *string `json:"content,omitempty"`
	ContentBase64 string  `json:"content-base64,omitempty"`
}

func udfLine(u *models.UDF) (*udfJSON, error) {
	if u == nil {
		return nil, errors.New("render UDF: nil UDF")
	}
	if u.UDFType != models.UDFTypeLUA {
		return nil, fmt.Errorf("UDF %q: unknown language %q", u.Name, byte(u.UDFType))
	}
	line := &udfJSON{Type: "udf", Name: u.Name, Language: "lua"}
	if utf8.Valid(u.Content) {
		text := string(u.Content)
		line.Content = &text
	} else {
		line.ContentBase64 = base64.StdEncoding.EncodeToString(u.Content)
	}
	return line, nil
}
