package main

import (
	"archive/tar"
	"bytes"
	"compress/gzip"
	"crypto/sha256"
	"crypto/x509"
	"debug/elf"
	"encoding/hex"
	"encoding/json"
	"encoding/pem"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path"
	"path/filepath"
	"runtime"
	"slices"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"gopkg.in/yaml.v3"

	"github.com/aerobackup/aerobackup/internal/aerospiketest"
	"github.com/aerobackup/aerobackup/internal/schedule"
)

// make image builds the container image; these tests build it as a release
// would (a version, a fixed time) and read it as a registry and a runtime
// do: the OCI layout's index, manifest and config, the layer's files, the
// binary taken from the layer, and, where podman can start containers
// here, the image run against the test server.
const (
	imageVersion = "v9.8.7"
	imageTag     = "9.8.7" // the version without its v, as released
	imageName    = "ghcr.io/aerobackup/aerobackup:" + imageTag
	imageEpoch   = 1767225600 // 2026-01-01T00:00:00Z
	imageBinary  = "/usr/local/bin/aerobackup"
	repoRoot     = "../.."
)

// The image's layer holds exactly these, with these owners and modes.
var imageFiles = map[string]struct {
	uid  int
	mode int64
}{
	"etc":                               {0, 0o755},
	"etc/group":                         {0, 0o644},
	"etc/passwd":                        {0, 0o644},
	"etc/ssl":                           {0, 0o755},
	"etc/ssl/certs":                     {0, 0o755},
	"etc/ssl/certs/ca-certificates.crt": {0, 0o644},
	"home":                              {0, 0o755},
	"home/nonroot":                      {65532, 0o755},
	"tmp":                               {0, 0o1777},
	"usr":                               {0, 0o755},
	"usr/local":                         {0, 0o755},
	"usr/local/bin":                     {0, 0o755},
	"usr/local/bin/aerobackup":          {0, 0o755},
}

type ociDescriptor struct {
	MediaType   string            `json:"mediaType"`
	Digest      string            `json:"digest"`
	Size        int64             `json:"size"`
	Annotations map[string]string `json:"annotations"`
}

type ociManifest struct {
	SchemaVersion int               `json:"schemaVersion"`
	Config        ociDescriptor     `json:"config"`
	Layers        []ociDescriptor   `json:"layers"`
	Annotations   map[string]string `json:"annotations"`
}

type ociConfig struct {
	Created      string `json:"created"`
	Architecture string `json:"architecture"`
	OS           string `json:"os"`
	Config       struct {
		User       string
		Entrypoint []string
		Cmd        []string
		Env        []string
		WorkingDir string
		Labels     map[string]string
	} `json:"config"`
	RootFS struct {
		DiffIDs []string `json:"diff_ids"`
	} `json:"rootfs"`
}

// The image the release publishes, the one make image builds and the one
// schedule export's CronJobs run are one name, tagged alike.
func TestImageNameIsThePublishedOne(t *testing.T) {
	b, err := os.ReadFile(filepath.Join(repoRoot, ".goreleaser.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	var release struct {
		Kos []struct {
			Repositories []string
			Tags         []string
			User         string
			Bare         bool
			Labels       map[string]string
		}
	}
	if err := yaml.Unmarshal(b, &release); err != nil {
		t.Fatal(err)
	}
	if len(release.Kos) != 1 {
		t.Fatalf(".goreleaser.yaml has %d kos entries, want 1", len(release.Kos))
	}
	ko := release.Kos[0]
	if !slices.Equal(ko.Repositories, []string{schedule.ImageRepository}) || !ko.Bare ||
		!slices.Equal(ko.Tags, []string{"{{ .Version }}", "latest"}) {
		t.Errorf("kos publishes %q (bare %v) tagged %q, want %s (bare) tagged {{ .Version }} and latest, schedule.DefaultImage's",
			ko.Repositories, ko.Bare, ko.Tags, schedule.ImageRepository)
	}
	if ko.User != "65532:65532" || ko.Labels["org.opencontainers.image.licenses"] != "Apache-2.0" {
		t.Errorf("kos user %q, licence label %q: want make image's 65532:65532 and Apache-2.0", ko.User, ko.Labels["org.opencontainers.image.licenses"])
	}
	mk, err := os.ReadFile(filepath.Join(repoRoot, "Makefile"))
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(string(mk), "\nIMAGE_REPO ?= "+schedule.ImageRepository+"\n") {
		t.Errorf("the Makefile's IMAGE_REPO is not %s", schedule.ImageRepository)
	}
}

// builtImage is an image layout as make image left it, read back.
type builtImage struct {
	layout   string
	index    []byte
	manifest ociManifest
	config   ociConfig
	files    map[string]*tar.Header
	content  map[string][]byte // the small files' content
	binary   string            // the entrypoint, extracted
	diffID   string            // sha256 of the uncompressed layer
}

// requireTool finds a command the image tests need, or skips saying so;
// with the variable set (CI installs the tools), its absence fails them.
func requireTool(t *testing.T, name, variable, install string) string {
	t.Helper()
	p, err := exec.LookPath(name)
	if err == nil {
		return p
	}
	if os.Getenv(variable) == "1" {
		t.Fatalf("%s not found, and %s=1 requires it (%s)", name, variable, install)
	}
	t.Skipf("%s not found (%s; %s=1 turns this skip into a failure)", name, install, variable)
	return ""
}

func TestImage(t *testing.T) {
	if runtime.GOOS != "linux" {
		t.Skip("the image is a linux one: its binary runs only here on linux")
	}
	if raceEnabled {
		t.Skip("the image holds a binary built without -race: the plain test run checks it")
	}
	requireTool(t, "umoci", "AEROBACKUP_REQUIRE_IMAGE", "Debian: apt-get install umoci")
	requireTool(t, "make", "AEROBACKUP_REQUIRE_IMAGE", "Debian: apt-get install make")
	// Outside t.TempDir: podman names an image pulled from a layout after
	// the layout's path, and refuses capitals.
	dir, err := os.MkdirTemp("", "aerobackup-image-")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { os.RemoveAll(dir) })
	img := buildImage(t, filepath.Join(dir, "image"))

	t.Run("config", func(t *testing.T) { checkImageConfig(t, img) })
	t.Run("layer", func(t *testing.T) { checkImageLayer(t, img) })
	t.Run("binary", func(t *testing.T) { checkImageBinary(t, img) })
	t.Run("reproducible", func(t *testing.T) {
		again := buildImage(t, filepath.Join(t.TempDir(), "image"))
		if !bytes.Equal(img.index, again.index) {
			t.Errorf("two builds of the same commit differ:\n%s\n%s", img.index, again.index)
		}
	})
	t.Run("podman", func(t *testing.T) { runImageWithPodman(t, img) })
}

// buildImage runs make image into layout and reads the result.
func buildImage(t *testing.T, layout string) *builtImage {
	t.Helper()
	bin := filepath.Join(filepath.Dir(layout), "linux", "aerobackup")
	cmd := exec.Command("make", "-s", "-C", repoRoot, "image", "IMAGE_LAYOUT="+layout, "IMAGE_BIN="+bin,
		"VERSION="+imageVersion, fmt.Sprintf("SOURCE_DATE_EPOCH=%d", imageEpoch))
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("make image: %v\n%s", err, out)
	}
	return readImage(t, layout, imageTag)
}

// readImage reads the image tagged tag in an OCI layout, checking every
// blob against its digest and size, and extracts its layer's entrypoint.
func readImage(t *testing.T, layout, tag string) *builtImage {
	t.Helper()
	img := &builtImage{layout: layout, files: map[string]*tar.Header{}, content: map[string][]byte{}}
	var err error
	if img.index, err = os.ReadFile(filepath.Join(layout, "index.json")); err != nil {
		t.Fatal(err)
	}
	var index struct{ Manifests []ociDescriptor }
	if err := json.Unmarshal(img.index, &index); err != nil {
		t.Fatalf("index.json: %v", err)
	}
	if len(index.Manifests) != 1 || index.Manifests[0].Annotations["org.opencontainers.image.ref.name"] != tag {
		t.Fatalf("index.json holds %+v, want one manifest tagged %s", index.Manifests, tag)
	}
	readJSONBlob(t, layout, index.Manifests[0], "application/vnd.oci.image.manifest.v1+json", &img.manifest)
	readJSONBlob(t, layout, img.manifest.Config, "application/vnd.oci.image.config.v1+json", &img.config)
	if len(img.manifest.Layers) != 1 {
		t.Fatalf("manifest has %d layers, want 1", len(img.manifest.Layers))
	}
	layer := img.manifest.Layers[0]
	if layer.MediaType != "application/vnd.oci.image.layer.v1.tar+gzip" {
		t.Fatalf("layer media type %q", layer.MediaType)
	}
	readLayer(t, img, blob(t, layout, layer))
	return img
}

// blob reads a blob of the layout, checking its digest and size.
func blob(t *testing.T, layout string, d ociDescriptor) []byte {
	t.Helper()
	hexDigest, ok := strings.CutPrefix(d.Digest, "sha256:")
	if !ok {
		t.Fatalf("digest %q is not sha256", d.Digest)
	}
	b, err := os.ReadFile(filepath.Join(layout, "blobs", "sha256", hexDigest))
	if err != nil {
		t.Fatal(err)
	}
	if sum := sha256.Sum256(b); hex.EncodeToString(sum[:]) != hexDigest || int64(len(b)) != d.Size {
		t.Fatalf("blob %s: %d bytes, digest sha256:%x; the descriptor says %d bytes", d.Digest, len(b), sum, d.Size)
	}
	return b
}

func readJSONBlob(t *testing.T, layout string, d ociDescriptor, mediaType string, v any) {
	t.Helper()
	if d.MediaType != mediaType {
		t.Fatalf("%s: media type %q, want %q", d.Digest, d.MediaType, mediaType)
	}
	if err := json.Unmarshal(blob(t, layout, d), v); err != nil {
		t.Fatalf("%s: %v", d.Digest, err)
	}
}

// readLayer records the layer's entries, keeps the small files and writes
// the entrypoint beside the layout.
func readLayer(t *testing.T, img *builtImage, gz []byte) {
	t.Helper()
	zr, err := gzip.NewReader(bytes.NewReader(gz))
	if err != nil {
		t.Fatal(err)
	}
	diff := sha256.New()
	tr := tar.NewReader(io.TeeReader(zr, diff))
	for {
		h, err := tr.Next()
		if err == io.EOF {
			break
		}
		if err != nil {
			t.Fatalf("layer: %v", err)
		}
		name := strings.TrimPrefix(path.Clean("/"+h.Name), "/")
		if _, dup := img.files[name]; dup {
			t.Errorf("layer: %s twice", name)
		}
		img.files[name] = h
		switch {
		case "/"+name == imageBinary:
			img.binary = filepath.Join(filepath.Dir(img.layout), "extracted-aerobackup")
			f, err := os.OpenFile(img.binary, os.O_CREATE|os.O_WRONLY|os.O_TRUNC, 0o755)
			if err != nil {
				t.Fatal(err)
			}
			_, err = io.Copy(f, tr)
			if cerr := f.Close(); err == nil {
				err = cerr
			}
			if err != nil {
				t.Fatal(err)
			}
		case h.Typeflag == tar.TypeReg:
			if img.content[name], err = io.ReadAll(tr); err != nil {
				t.Fatal(err)
			}
		}
	}
	_, _ = io.Copy(diff, zr) // the tar's end-of-archive padding belongs to the diff too
	img.diffID = fmt.Sprintf("sha256:%x", diff.Sum(nil))
}

func checkImageConfig(t *testing.T, img *builtImage) {
	c := img.config
	if c.OS != "linux" || c.Architecture != runtime.GOARCH {
		t.Errorf("platform %s/%s, want linux/%s", c.OS, c.Architecture, runtime.GOARCH)
	}
	if c.Config.User != "65532:65532" {
		t.Errorf("User %q, want 65532:65532 (nonroot)", c.Config.User)
	}
	if !slices.Equal(c.Config.Entrypoint, []string{imageBinary}) || len(c.Config.Cmd) != 0 {
		t.Errorf("Entrypoint %q Cmd %q, want [%s] and none", c.Config.Entrypoint, c.Config.Cmd, imageBinary)
	}
	if c.Config.WorkingDir != "/home/nonroot" {
		t.Errorf("WorkingDir %q, want /home/nonroot", c.Config.WorkingDir)
	}
	created := time.Unix(imageEpoch, 0).UTC().Format(time.RFC3339)
	if c.Created != created {
		t.Errorf("created %q, want %s (SOURCE_DATE_EPOCH)", c.Created, created)
	}
	if !slices.Equal(c.RootFS.DiffIDs, []string{img.diffID}) {
		t.Errorf("diff_ids %q, the layer is %s", c.RootFS.DiffIDs, img.diffID)
	}
	want := map[string]string{
		"title":    "aerobackup",
		"version":  imageTag,
		"source":   "https://github.com/aerobackup/aerobackup",
		"licenses": "Apache-2.0",
		"created":  created,
		"revision": gitCommit(t),
	}
	for k, v := range want {
		k = "org.opencontainers.image." + k
		if got := c.Config.Labels[k]; got != v {
			t.Errorf("label %s = %q, want %q", k, got, v)
		}
		if got := img.manifest.Annotations[k]; got != v {
			t.Errorf("manifest annotation %s = %q, want %q", k, got, v)
		}
	}
}

// gitCommit is the short commit make image labels the image with.
func gitCommit(t *testing.T) string {
	out, err := exec.Command("git", "-C", repoRoot, "rev-parse", "--short", "HEAD").Output()
	if err != nil {
		return "none" // the Makefile's COMMIT without git
	}
	return strings.TrimSpace(string(out))
}

func checkImageLayer(t *testing.T, img *builtImage) {
	var names []string
	for name, h := range img.files {
		names = append(names, name)
		want, ok := imageFiles[name]
		if !ok {
			t.Errorf("layer holds %s, not one of the image's files", name)
			continue
		}
		if h.Uid != want.uid || h.Gid != want.uid || h.Mode&0o7777 != want.mode {
			t.Errorf("%s: owner %d:%d mode %o, want %d:%d mode %o", name, h.Uid, h.Gid, h.Mode&0o7777, want.uid, want.uid, want.mode)
		}
		if !h.ModTime.Equal(time.Unix(imageEpoch, 0)) {
			t.Errorf("%s: mtime %s, want SOURCE_DATE_EPOCH", name, h.ModTime.UTC())
		}
	}
	if len(names) != len(imageFiles) {
		slices.Sort(names)
		t.Errorf("layer holds %q, want the %d files of imageFiles", names, len(imageFiles))
	}
	if !slices.Contains(strings.Split(string(img.content["etc/passwd"]), "\n"), "nonroot:x:65532:65532:nonroot:/home/nonroot:/sbin/nologin") {
		t.Errorf("etc/passwd has no user nonroot (65532):\n%s", img.content["etc/passwd"])
	}
	if !slices.Contains(strings.Split(string(img.content["etc/group"]), "\n"), "nonroot:x:65532:") {
		t.Errorf("etc/group has no group nonroot (65532):\n%s", img.content["etc/group"])
	}
	n, rest := 0, img.content["etc/ssl/certs/ca-certificates.crt"]
	for {
		var b *pem.Block
		if b, rest = pem.Decode(rest); b == nil {
			break
		}
		if _, err := x509.ParseCertificate(b.Bytes); err != nil {
			t.Fatalf("CA bundle: certificate %d: %v", n+1, err)
		}
		n++
	}
	if n < 10 || len(bytes.TrimSpace(rest)) != 0 {
		t.Errorf("CA bundle holds %d certificates and %d bytes of other text, want Debian's bundle", n, len(rest))
	}
}

// checkImageBinary runs the binary taken from the layer: static, built for
// the image's platform, at the image's version, and writing CronJobs that
// run the image of its own version.
func checkImageBinary(t *testing.T, img *builtImage) {
	f, err := elf.Open(img.binary)
	if err != nil {
		t.Fatalf("entrypoint: %v", err)
	}
	defer f.Close()
	for _, p := range f.Progs {
		if p.Type == elf.PT_INTERP {
			t.Errorf("entrypoint is dynamically linked: an image from scratch has no loader")
		}
	}
	if arch := map[elf.Machine]string{elf.EM_X86_64: "amd64", elf.EM_AARCH64: "arm64"}[f.Machine]; arch != img.config.Architecture {
		t.Errorf("entrypoint built for %s, the image says %s", f.Machine, img.config.Architecture)
	}
	out, err := exec.Command(img.binary, "version").CombinedOutput()
	if err != nil || !strings.HasPrefix(string(out), "aerobackup "+imageVersion+"\n") ||
		!strings.Contains(string(out), gitCommit(t)) {
		t.Errorf("aerobackup version: %v\n%s", err, out)
	}
	out, err = exec.Command(img.binary, "schedule", "export", "--help").CombinedOutput()
	if err != nil || !strings.Contains(string(out), fmt.Sprintf("(default %q)", imageName)) {
		t.Errorf("schedule export's default --image is not %s, this image: %v\n%s", imageName, err, out)
	}
}

// podmanRun starts containers of the image with podman in a storage of
// its own, so the test leaves nothing behind.
type podmanRun struct {
	base []string
}

func newPodmanRun(t *testing.T) *podmanRun {
	bin := requireTool(t, "podman", "AEROBACKUP_REQUIRE_PODMAN", "Debian: apt-get install podman runc")
	dir := t.TempDir()
	p := &podmanRun{base: []string{bin, "--root", filepath.Join(dir, "storage"),
		"--runroot", filepath.Join(dir, "run"), "--events-backend", "file"}}
	// runc starts containers on the hybrid cgroup hierarchies where crun
	// (podman's default when both are installed) refuses to.
	if _, err := exec.LookPath("runc"); err == nil {
		p.base = append(p.base, "--runtime", "runc")
	}
	// Not system reset: that also removes the host's podman networks.
	t.Cleanup(func() { _, _ = p.podman("rmi", "--all", "--force") })
	return p
}

// podman runs podman with args; its stdout, or the error with its stderr.
func (p *podmanRun) podman(args ...string) (string, error) {
	var stdout, stderr bytes.Buffer
	cmd := exec.Command(p.base[0], append(slices.Clone(p.base[1:]), args...)...)
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	if err := cmd.Run(); err != nil {
		return stdout.String(), fmt.Errorf("podman %s: %v: %s", strings.Join(args, " "), err, strings.TrimSpace(stderr.String()))
	}
	return stdout.String(), nil
}

// load stores the layout's image in podman's storage under the name the
// release publishes.
func (p *podmanRun) load(img *builtImage) error {
	id, err := p.podman("pull", "-q", "oci:"+img.layout+":"+imageTag)
	if err != nil {
		return err
	}
	_, err = p.podman("tag", strings.TrimSpace(id), imageName)
	return err
}

// run runs the image with args, the container's options before them.
func (p *podmanRun) run(opts []string, args ...string) (string, error) {
	// Limits no higher than this process's: raising them needs
	// CAP_SYS_RESOURCE, which sandboxes and CI runners may lack.
	limits := []string{"--ulimit", "nofile=1024:1024", "--ulimit", "nproc=4096:4096"}
	var lim syscall.Rlimit
	if syscall.Getrlimit(syscall.RLIMIT_NOFILE, &lim) == nil && lim.Cur < 1024 {
		limits[1] = fmt.Sprintf("nofile=%d:%d", lim.Cur, lim.Cur)
	}
	// A read-only root, without the tmpfs podman would add on /tmp: what
	// Kubernetes gives a pod with readOnlyRootFilesystem.
	a := append(append([]string{"run", "--rm", "--pull", "never", "--network", "host",
		"--read-only", "--read-only-tmpfs=false"}, limits...), opts...)
	return p.podman(append(append(a, imageName), args...)...)
}

// runImageWithPodman runs the image as a CronJob would, read-only and
// non-root: version, then a backup of a test server and its restore into
// another, reaching them on the host's network, the config mounted
// read-only and the storage a writable volume.
func runImageWithPodman(t *testing.T, img *builtImage) {
	p := newPodmanRun(t)
	if err := p.load(img); err != nil {
		t.Fatal(err)
	}
	out, err := p.run(nil, "version")
	if err != nil {
		if os.Getenv("AEROBACKUP_REQUIRE_PODMAN") == "1" {
			t.Fatal(err)
		}
		t.Skipf("podman cannot start a container here (AEROBACKUP_REQUIRE_PODMAN=1 turns this skip into a failure): %v", err)
	}
	if !strings.HasPrefix(out, "aerobackup "+imageVersion+"\n") {
		t.Fatalf("version in the container:\n%s", out)
	}

	const records = 500
	src := aerospiketest.NewServer(t, aerospiketest.Options{Namespaces: []string{"test"}})
	if err := src.Seed("test", records, 1); err != nil {
		t.Fatal(err)
	}
	dst := aerospiketest.NewServer(t, aerospiketest.Options{Namespaces: []string{"bar", "test"}})
	dir := t.TempDir()
	storage := filepath.Join(dir, "backups")
	if err := os.Mkdir(storage, 0o777); err != nil {
		t.Fatal(err)
	}
	if err := os.Chmod(storage, 0o777); err != nil { // past the umask: nonroot writes here
		t.Fatal(err)
	}
	tmpl, err := os.ReadFile(filepath.Join(repoRoot, "testdata", "demo", "aerobackup.yml"))
	if err != nil {
		t.Fatal(err)
	}
	cfg := strings.NewReplacer("@SOURCE_PORT@", strconv.Itoa(src.Port()), "@RESTORED_PORT@", strconv.Itoa(dst.Port()),
		"@STORAGE@", "/var/lib/aerobackup").Replace(string(tmpl))
	cfgPath := filepath.Join(dir, "aerobackup.yml")
	if err := os.WriteFile(cfgPath, []byte(cfg), 0o644); err != nil {
		t.Fatal(err)
	}
	mounts := []string{"-v", storage + ":/var/lib/aerobackup", "-v", cfgPath + ":/etc/aerobackup/aerobackup.yml:ro"}
	conf := "--config=/etc/aerobackup/aerobackup.yml"

	key, err := p.run(mounts, "backup", conf, "--routine", "nightly")
	if err != nil {
		t.Fatal(err)
	}
	key = strings.TrimSpace(key)
	if _, err := p.run(mounts, "restore", conf, "--backup", key, "--destination", "restored",
		"--namespace-map", "test=bar", "--quiet"); err != nil {
		t.Fatal(err)
	}
	if n := dst.Count("bar"); n != records {
		t.Errorf("restored %d records of %d into bar", n, records)
	}
	// The files are nonroot's: the container did not run as root.
	files := 0
	err = filepath.WalkDir(storage, func(p string, d os.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		files++
		info, err := d.Info()
		if err != nil {
			return err
		}
		if uid := info.Sys().(*syscall.Stat_t).Uid; uid != 65532 {
			t.Errorf("%s belongs to uid %d, want 65532 (nonroot)", p, uid)
		}
		return nil
	})
	if err != nil || files == 0 {
		t.Errorf("backup %s: %d files in %s (%v)", key, files, storage, err)
	}
}
