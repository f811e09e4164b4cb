package provisioning

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"time"
)

// The Provisioner's part of the state directory:
//
//	provisioning/last-good.json   the manifest: which files, from where,
//	                              their hashes and HTTP validators
//	provisioning/files/<sha256>   each file (and signature) as fetched
//
// The manifest is replaced atomically after the files it names are
// durable, so the last good set changes all at once or not at all.
const (
	stateSubdir  = "provisioning"
	manifestName = "last-good.json"
	blobsSubdir  = "files"
)

// storedFile is one fetched file of the last good set.
type storedFile struct {
	Name         string `json:"name"` // "cc800.cfg", "001565aabbcc.cfg"
	URL          string `json:"url"`  // where it came from, no user information
	SHA256       string `json:"sha256"`
	Signature    string `json:"signature,omitempty"` // SHA-256 of the .sig file, when signed
	ETag         string `json:"etag,omitempty"`
	LastModified string `json:"last_modified,omitempty"`
}

type manifest struct {
	Version int          `json:"version"`
	Saved   time.Time    `json:"saved"`
	Files   []storedFile `json:"files"`
}

func (m *manifest) file(name string) (storedFile, bool) {
	for _, f := range m.Files {
		if f.Name == name {
			return f, true
		}
	}
	return storedFile{}, false
}

type stateStore struct{ dir string }

func newStateStore(stateDir string) (*stateStore, error) {
	s := &stateStore{dir: filepath.Join(stateDir, stateSubdir)}
	if err := os.MkdirAll(filepath.Join(s.dir, blobsSubdir), 0o700); err != nil {
		return nil, fmt.Errorf("provisioning: state: %w", err)
	}
	return s, nil
}

// manifestPath is the file whose bytes change exactly when the last good
// configuration does.
func (s *stateStore) manifestPath() string { return filepath.Join(s.dir, manifestName) }

// load returns the manifest, or an empty one when none was saved.
func (s *stateStore) load() (manifest, error) {
	data, err := os.ReadFile(s.manifestPath())
	if errors.Is(err, fs.ErrNotExist) {
		return manifest{Version: 1}, nil
	}
	if err != nil {
		return manifest{}, fmt.Errorf("provisioning: state: %w", err)
	}
	var m manifest
	if err := json.Unmarshal(data, &m); err != nil {
		return manifest{}, fmt.Errorf("provisioning: state %s: %w", s.manifestPath(), err)
	}
	return m, nil
}

// blob returns a stored file by its hash, checking the hash.
func (s *stateStore) blob(sum string) ([]byte, error) {
	data, err := os.ReadFile(filepath.Join(s.dir, blobsSubdir, sum))
	if err != nil {
		return nil, fmt.Errorf("provisioning: state: %w", err)
	}
	if got := sha256.Sum256(data); hex.EncodeToString(got[:]) != sum {
		return nil, fmt.Errorf("provisioning: state: %s is damaged", sum)
	}
	return data, nil
}

func (s *stateStore) hasBlob(sum string) bool {
	_, err := os.Stat(filepath.Join(s.dir, blobsSubdir, sum))
	return err == nil
}

// commit makes blobs durable, then replaces the manifest, then removes
// the blobs no manifest names any more.
func (s *stateStore) commit(m manifest, blobs [][]byte) error {
	for _, b := range blobs {
		sum := sha256.Sum256(b)
		name := hex.EncodeToString(sum[:])
		if s.hasBlob(name) {
			continue
		}
		if err := WriteFileAtomic(filepath.Join(s.dir, blobsSubdir, name), b, 0o600); err != nil {
			return err
		}
	}
	data, err := json.MarshalIndent(m, "", "  ")
	if err != nil {
		return fmt.Errorf("provisioning: state: %w", err)
	}
	if err := WriteFileAtomic(s.manifestPath(), append(data, '\n'), 0o600); err != nil {
		return err
	}
	keep := make(map[string]bool)
	for _, f := range m.Files {
		keep[f.SHA256] = true
		keep[f.Signature] = true
	}
	entries, err := os.ReadDir(filepath.Join(s.dir, blobsSubdir))
	if err != nil {
		return nil // the new set is committed; old blobs only cost space
	}
	for _, e := range entries {
		if !keep[e.Name()] {
			_ = os.Remove(filepath.Join(s.dir, blobsSubdir, e.Name())) // best effort clean-up
		}
	}
	return nil
}

func hexSum(data []byte) string {
	sum := sha256.Sum256(data)
	return hex.EncodeToString(sum[:])
}
