package record

import (
	"fmt"
	"os"
	"path/filepath"
)

// writeFileAtomic replaces path with data so that a power cut leaves the
// old or the new content, never a mix: temporary file in the same folder,
// fsync, rename, fsync of the folder. It is provisioning.WriteFileAtomic's
// recipe, kept here because media depends on nothing but hal.
func writeFileAtomic(path string, data []byte, perm os.FileMode) error {
	dir := filepath.Dir(path)
	tmp, err := os.CreateTemp(dir, "."+filepath.Base(path)+".tmp-*")
	if err != nil {
		return fmt.Errorf("write %s: %w", path, err)
	}
	fail := func(err error) error {
		_ = tmp.Close()           // already failing; err says why
		_ = os.Remove(tmp.Name()) // best effort: a stray hidden temp file is harmless
		return fmt.Errorf("write %s: %w", path, err)
	}
	if err := tmp.Chmod(perm); err != nil {
		return fail(err)
	}
	if _, err := tmp.Write(data); err != nil {
		return fail(err)
	}
	if err := tmp.Sync(); err != nil {
		return fail(err)
	}
	if err := tmp.Close(); err != nil {
		return fail(err)
	}
	if err := os.Rename(tmp.Name(), path); err != nil {
		_ = os.Remove(tmp.Name()) // best effort, as above
		return fmt.Errorf("write %s: %w", path, err)
	}
	return syncDir(dir)
}
