package records

import (
	"bytes"
	"context"
	"crypto/rand"
	"crypto/rsa"
	"crypto/x509"
	"encoding/base64"
	"encoding/pem"
	"errors"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	as "github.com/aerospike/aerospike-client-go/v8"
	"github.com/aerospike/backup-go"
	"github.com/aerospike/backup-go/io/compression"
	"github.com/aerospike/backup-go/io/encryption"
	"github.com/aerospike/backup-go/models"

	"github.com/aerobackup/aerobackup/internal/catalog"
	"github.com/aerobackup/aerobackup/internal/checksum"
	"github.com/aerobackup/aerobackup/internal/storage/localstore"
)

type nopCloser struct{ io.Writer }

func (nopCloser) Close() error { return nil }

// asbFile encodes records with backup-go's encoder, then compresses and
// encrypts them as a backup does.
func asbFile(t *testing.T, ns string, keys []string, aes []byte, zstd bool) []byte {
	t.Helper()
	enc := backup.NewEncoder[*models.Token](backup.EncoderTypeASB, ns, false, false)
	var out bytes.Buffer
	var w io.WriteCloser = nopCloser{&out}
	var err error
	if aes != nil {
		if w, err = encryption.NewWriter(w, aes); err != nil {
			t.Fatal(err)
		}
	}
	if zstd {
		if w, err = compression.NewWriter(w, 3); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := w.Write(enc.GetHeader(1, true)); err != nil {
		t.Fatal(err)
	}
	for i, k := range keys {
		key, err := as.NewKey(ns, "s", k)
		if err != nil {
			t.Fatal(err)
		}
		rec := &models.Record{Record: &as.Record{Key: key, Bins: as.BinMap{"v": k, "n": i}, Generation: uint32(i + 1)}}
		var b bytes.Buffer
		if err := enc.EncodeToken(models.NewRecordToken(rec, 0, nil), &b); err != nil {
			t.Fatal(err)
		}
		if _, err := w.Write(b.Bytes()); err != nil {
			t.Fatal(err)
		}
	}
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	return out.Bytes()
}

// putFolder stores a namespace folder with files, metadata.yaml and
// (withManifest) a manifest holding each file's CRC32C and partitions.
func putFolder(t *testing.T, root, dir string, files map[string][]byte, parts map[string][]catalog.PartitionRange, enc, comp string, withManifest bool) {
	t.Helper()
	s, err := localstore.New(root)
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	man := &catalog.Manifest{Tool: "aerobackup", Namespace: "test", Type: catalog.Full}
	for name, data := range files {
		if err := s.WriteFile(ctx, dir+"/"+name, data); err != nil {
			t.Fatal(err)
		}
		h := checksum.CRC32C.New()
		h.Write(data)
		e := catalog.ManifestEntry{Name: name, Size: int64(len(data)), Partitions: parts[name]}
		e.SetSum(checksum.Sum{Algorithm: checksum.CRC32C, Hex: checksum.Format(h)})
		man.Files = append(man.Files, e)
	}
	if withManifest {
		if err := catalog.WriteManifest(ctx, s, dir, man); err != nil {
			t.Fatal(err)
		}
	}
	md := &catalog.Metadata{Created: time.Now(), Finished: time.Now(), Namespace: "test", FileCount: uint64(len(files)),
		Compression: comp, Encryption: enc}
	if err := catalog.WriteMetadata(ctx, s, dir, md); err != nil {
		t.Fatal(err)
	}
}

func readAll(t *testing.T, r *Reader, root, dir string) ([]string, error) {
	t.Helper()
	s, err := localstore.New(root)
	if err != nil {
		t.Fatal(err)
	}
	f, err := Open(context.Background(), s, dir)
	if err != nil {
		return nil, err
	}
	var got []string
	for _, file := range f.Files {
		err := r.Read(context.Background(), f, file, func(tk *models.Token) error {
			got = append(got, tk.Record.Bins["v"].(string))
			return nil
		})
		if err != nil {
			return got, err
		}
	}
	return got, nil
}

func pemKey(t *testing.T) (string, []byte) {
	t.Helper()
	k, err := rsa.GenerateKey(rand.Reader, 2048)
	if err != nil {
		t.Fatal(err)
	}
	return string(pem.EncodeToMemory(&pem.Block{Type: "RSA PRIVATE KEY", Bytes: x509.MarshalPKCS1PrivateKey(k)})), nil
}

func TestReadPlainCompressedEncrypted(t *testing.T) {
	keyPEM, _ := pemKey(t)
	keyFile := filepath.Join(t.TempDir(), "key.pem")
	if err := os.WriteFile(keyFile, []byte(keyPEM), 0o600); err != nil {
		t.Fatal(err)
	}
	aes, err := Key{File: keyFile}.AES(context.Background(), "AES256")
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range []struct {
		name, enc, comp string
		aes             []byte
	}{
		{"plain", "NONE", "NONE", nil},
		{"zstd", "NONE", "ZSTD", nil},
		{"aes256+zstd", "AES256", "ZSTD", aes},
	} {
		t.Run(c.name, func(t *testing.T) {
			root := t.TempDir()
			data := asbFile(t, "test", []string{"a", "b", "c"}, c.aes, c.comp == "ZSTD")
			putFolder(t, root, "r/backup/1/data/test", map[string][]byte{"0_test_1.asb": data}, nil, c.enc, c.comp, true)
			r := &Reader{Key: Key{File: keyFile}}
			got, err := readAll(t, r, root, "r/backup/1/data/test")
			if err != nil {
				t.Fatal(err)
			}
			if strings.Join(got, ",") != "a,b,c" {
				t.Fatalf("read %q", got)
			}
			if r.BytesRead() != int64(len(data)) || r.FilesRead() != 1 {
				t.Errorf("counted %d bytes in %d files, want %d in 1", r.BytesRead(), r.FilesRead(), len(data))
			}
		})
	}
}

func TestReadFaults(t *testing.T) {
	keyPEM, _ := pemKey(t)
	otherPEM, _ := pemKey(t)
	dir := "r/backup/1/data/test"
	aes, err := Key{Env: "K1"}.withEnv(t, keyPEM).AES(context.Background(), "AES128")
	if err != nil {
		t.Fatal(err)
	}
	t.Run("no key", func(t *testing.T) {
		root := t.TempDir()
		putFolder(t, root, dir, map[string][]byte{"0_test_1.asb": asbFile(t, "test", []string{"a"}, aes, false)}, nil, "AES128", "NONE", true)
		_, err := readAll(t, &Reader{}, root, dir)
		if !errors.Is(err, ErrKeyNeeded) {
			t.Fatalf("got %v, want ErrKeyNeeded", err)
		}
	})
	t.Run("wrong key", func(t *testing.T) {
		root := t.TempDir()
		putFolder(t, root, dir, map[string][]byte{"0_test_1.asb": asbFile(t, "test", []string{"a"}, aes, false)}, nil, "AES128", "NONE", true)
		t.Setenv("K2", base64.StdEncoding.EncodeToString([]byte(otherPEM)))
		_, err := readAll(t, &Reader{Key: Key{Env: "K2"}}, root, dir)
		var fe *FileError
		if !errors.As(err, &fe) || fe.Checksum || !strings.Contains(err.Error(), "wrong encryption key") ||
			!strings.Contains(err.Error(), dir+"/0_test_1.asb") {
			t.Fatalf("got %v, want a decode error naming the file and the key", err)
		}
	})
	t.Run("corrupt", func(t *testing.T) {
		root := t.TempDir()
		data := asbFile(t, "test", []string{"abc", "def"}, nil, false)
		putFolder(t, root, dir, map[string][]byte{"0_test_1.asb": data}, nil, "NONE", "NONE", true)
		bad := bytes.Replace(data, []byte("def"), []byte("xyz"), 1)
		if err := os.WriteFile(filepath.Join(root, dir, "0_test_1.asb"), bad, 0o600); err != nil {
			t.Fatal(err)
		}
		_, err := readAll(t, &Reader{}, root, dir)
		var fe *FileError
		if !errors.As(err, &fe) || !fe.Checksum || !strings.Contains(err.Error(), "checksum mismatch") {
			t.Fatalf("got %v, want a checksum mismatch", err)
		}
	})
	t.Run("missing file", func(t *testing.T) {
		root := t.TempDir()
		putFolder(t, root, dir, map[string][]byte{"0_test_1.asb": asbFile(t, "test", []string{"a"}, nil, false)}, nil, "NONE", "NONE", true)
		if err := os.Remove(filepath.Join(root, dir, "0_test_1.asb")); err != nil {
			t.Fatal(err)
		}
		_, err := readAll(t, &Reader{}, root, dir)
		if err == nil || !strings.Contains(err.Error(), "0_test_1.asb is missing") {
			t.Fatalf("got %v", err)
		}
	})
}

func (k Key) withEnv(t *testing.T, v string) Key {
	t.Setenv(k.Env, v)
	return k
}

func TestForReadsOnlyFilesOfThePartition(t *testing.T) {
	root := t.TempDir()
	dir := "r/backup/1/data/test"
	w, err := Select(Spec{Keys: []string{"k1"}, Set: "s"})
	if err != nil {
		t.Fatal(err)
	}
	p := w.Wants[0].Partition()
	files := map[string][]byte{"0_test_1.asb": asbFile(t, "test", nil, nil, false), "1_test_1.asb": asbFile(t, "test", nil, nil, false),
		"metadata_test_0.asb": asbFile(t, "test", nil, nil, false)}
	parts := map[string][]catalog.PartitionRange{"0_test_1.asb": {{Begin: 0, Count: p + 1}}, "1_test_1.asb": {{Begin: p + 1, Count: 4095 - p}}}
	if p == 4095 {
		parts = map[string][]catalog.PartitionRange{"0_test_1.asb": {{Begin: 4095, Count: 1}}, "1_test_1.asb": {{Begin: 0, Count: 4095}}}
	}
	putFolder(t, root, dir, files, parts, "NONE", "NONE", true)
	s, _ := localstore.New(root)
	f, err := Open(context.Background(), s, dir)
	if err != nil {
		t.Fatal(err)
	}
	got := f.For(w.Partitions())
	if len(got) != 1 || got[0].Name != "0_test_1.asb" || !f.Indexed || f.DataFiles() != 2 {
		t.Fatalf("files for partition %d: %+v (indexed %v)", p, got, f.Indexed)
	}
	// Without a manifest (ABS), every data file is read.
	root2 := t.TempDir()
	putFolder(t, root2, dir, files, parts, "NONE", "NONE", false)
	s2, _ := localstore.New(root2)
	f2, err := Open(context.Background(), s2, dir)
	if err != nil {
		t.Fatal(err)
	}
	if got := f2.For(w.Partitions()); len(got) != 2 || f2.Indexed {
		t.Fatalf("ABS folder: files %+v", got)
	}
}

func TestSelect(t *testing.T) {
	kf := filepath.Join(t.TempDir(), "keys")
	os.WriteFile(kf, []byte("# wanted\nk1\nint:42\ndigest:"+strings.Repeat("ab", 20)+"\n\nk1\n"), 0o600)
	sel, err := Select(Spec{Set: "s", Keys: []string{"k1"}, KeysFile: kf})
	if err != nil {
		t.Fatal(err)
	}
	if len(sel.Wants) != 3 {
		t.Fatalf("wants %+v", sel.Wants)
	}
	k, _ := as.NewKey("x", "s", 42)
	if i, ok := sel.Match(&models.Record{Record: &as.Record{Key: k}}); !ok || sel.Wants[i].Label != `key "42" (int) in set "s"` {
		t.Fatalf("int key not matched: %v %v", i, ok)
	}
	k2, _ := as.NewKey("x", "s", "42")
	if _, ok := sel.Match(&models.Record{Record: &as.Record{Key: k2}}); ok {
		t.Fatal("string key 42 matched the int key 42")
	}
	for _, bad := range []Spec{{Keys: []string{"x"}, KeyType: "int"}, {Digests: []string{"abc"}}, {KeyType: "float", Keys: []string{"1"}}, {}} {
		if _, err := Select(bad); err == nil {
			t.Errorf("Select(%+v) accepted", bad)
		}
	}
	if got := PartitionOf(k.Digest()); got != k.PartitionId() {
		t.Errorf("partition %d, the client says %d", got, k.PartitionId())
	}
}

// OpenAll opens every folder in order, and stops at the first that is no
// backup, naming it.
func TestOpenAll(t *testing.T) {
	ctx := context.Background()
	s, err := localstore.New(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	at := time.UnixMilli(1763712000000).UTC()
	for _, dir := range []string{"r/backup/1/data/a", "r/backup/1/data/b"} {
		if err := catalog.WriteMetadata(ctx, s, dir, &catalog.Metadata{Created: at, Finished: at, Namespace: filepath.Base(dir)}); err != nil {
			t.Fatal(err)
		}
	}
	fs, err := OpenAll(ctx, s, []string{"r/backup/1/data/b", "r/backup/1/data/a"})
	if err != nil || len(fs) != 2 || fs[0].Dir != "r/backup/1/data/b" || fs[1].Meta.Namespace != "a" {
		t.Fatalf("folders %v, err %v; want b then a", fs, err)
	}
	if _, err := OpenAll(ctx, s, []string{"r/backup/1/data/a", "r/backup/1/data/c"}); err == nil || !strings.Contains(err.Error(), "r/backup/1/data/c") {
		t.Fatalf("a folder without metadata.yaml: %v", err)
	}
}
