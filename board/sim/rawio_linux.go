//go:build linux

package sim

import (
	"os"
	"syscall"
	"unsafe"
)

// rawFile reads and writes a regular file with raw system calls. Audio
// files are written and read once per 20 ms media tick; going through
// the runtime's syscall path would wake Go's system monitor thread every
// time, which costs more CPU than the I/O itself (measured with
// make bench-call). Reads and writes of a regular file do not block for
// long, so bypassing the scheduler is safe here. Not safe for concurrent
// use; the file must stay open while in use.
type rawFile struct {
	f  *os.File
	fd uintptr
}

func newRawFile(f *os.File) rawFile { return rawFile{f: f, fd: f.Fd()} }

// write writes all of p.
func (r rawFile) write(p []byte) error {
	for len(p) > 0 {
		n, _, e := syscall.RawSyscall(syscall.SYS_WRITE, r.fd, uintptr(unsafe.Pointer(&p[0])), uintptr(len(p)))
		if e == syscall.EINTR {
			continue
		}
		if e != 0 {
			return e
		}
		p = p[n:]
	}
	return nil
}

// read reads up to len(p) bytes; 0 means the end of the file.
func (r rawFile) read(p []byte) (int, error) {
	for {
		n, _, e := syscall.RawSyscall(syscall.SYS_READ, r.fd, uintptr(unsafe.Pointer(&p[0])), uintptr(len(p)))
		if e == syscall.EINTR {
			continue
		}
		if e != 0 {
			return 0, e
		}
		return int(n), nil
	}
}
