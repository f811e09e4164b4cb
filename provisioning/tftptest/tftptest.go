package tftptest

import (
	"bytes"
	"io/fs"
	"net"
	"os"
	"os/exec"
	"os/user"
	"path/filepath"
	"testing"
)

// Server is a running in.tftpd on loopback.
type Server struct {
	URL  string // tftp://127.0.0.1:PORT, no trailing slash
	Root string // the folder served
}

// Start serves root over TFTP until the test ends.
func Start(t testing.TB, root string) *Server {
	t.Helper()
	bin, err := exec.LookPath("in.tftpd")
	if err != nil {
		if p := "/usr/sbin/in.tftpd"; fileExists(p) {
			bin = p
		} else if testing.Short() {
			t.Skip("in.tftpd not installed (apt-get install tftpd-hpa)")
		} else {
			t.Fatal("in.tftpd not installed: apt-get install tftpd-hpa")
		}
	}
	root, err = filepath.Abs(root)
	if err != nil {
		t.Fatal(err)
	}
	args := []string{"-s", root}
	if os.Geteuid() == 0 {
		// tftpd drops to an unprivileged user after chrooting into root;
		// that user must be able to read the files.
		if _, err := user.Lookup("tftp"); err == nil {
			args = append(args, "-u", "tftp")
		} else {
			args = append(args, "-u", "nobody")
		}
		if err := makeReadable(root); err != nil {
			t.Fatal(err)
		}
	}
	pc, err := net.ListenUDP("udp", &net.UDPAddr{IP: net.IPv4(127, 0, 0, 1)})
	if err != nil {
		t.Fatal(err)
	}
	f, err := pc.File()
	if err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command(bin, args...)
	cmd.Stdin = f // inetd style: the socket is standard input
	var stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stderr, &stderr
	if err := cmd.Start(); err != nil {
		t.Fatalf("start in.tftpd: %v", err)
	}
	f.Close()
	s := &Server{URL: "tftp://" + pc.LocalAddr().String(), Root: root}
	pc.Close()
	done := make(chan error, 1)
	go func() { done <- cmd.Wait() }()
	t.Cleanup(func() {
		_ = cmd.Process.Kill()
		<-done
		// tftpd forks a child per transfer; those end on their own
		// timeouts once the test's client is gone.
	})
	return s
}

// Silent returns a tftp:// URL (no trailing slash) on a loopback port
// that swallows every packet and never answers, until the test ends.
func Silent(t testing.TB) string {
	t.Helper()
	pc, err := net.ListenUDP("udp", &net.UDPAddr{IP: net.IPv4(127, 0, 0, 1)})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { pc.Close() })
	return "tftp://" + pc.LocalAddr().String()
}

// makeReadable opens root and everything under it to other users for
// reading (tests use private temporary folders).
func makeReadable(root string) error {
	return filepath.WalkDir(root, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		mode := fs.FileMode(0o644)
		if d.IsDir() {
			mode = 0o755
		}
		return os.Chmod(p, mode)
	})
}

func fileExists(p string) bool {
	_, err := os.Stat(p)
	return err == nil
}
