//go:build !linux

package sim

import (
	"io"
	"os"
)

// rawFile is os.File where raw system calls are not used.
type rawFile struct{ f *os.File }

func newRawFile(f *os.File) rawFile { return rawFile{f: f} }

func (r rawFile) write(p []byte) error {
	_, err := r.f.Write(p)
	return err
}

func (r rawFile) read(p []byte) (int, error) {
	n, err := r.f.Read(p)
	if err == io.EOF {
		return n, nil
	}
	return n, err
}
