package font

import (
	"bytes"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"ccphone/ui/font/internal/codegen"
)

// TestGeneratedUpToDate runs every //go:generate line of gen.go, with its
// output redirected into a temporary directory, and fails if a checked-in
// generated file differs: stale tables fail here, not on the device.
func TestGeneratedUpToDate(t *testing.T) {
	src, err := os.ReadFile("gen.go")
	if err != nil {
		t.Fatal(err)
	}
	const prefix = "//go:generate go run ./internal/fontgen "
	dir := t.TempDir()
	ran := 0
	for _, line := range strings.Split(string(src), "\n") {
		if !strings.HasPrefix(line, "//go:generate") {
			continue
		}
		rest, ok := strings.CutPrefix(line, prefix)
		if !ok {
			t.Fatalf("gen.go: unexpected go:generate line %q", line)
		}
		args, err := splitQuoted(rest)
		if err != nil {
			t.Fatalf("gen.go: %v in %q", err, line)
		}
		out := ""
		for i := range args {
			if args[i] == "-o" && i+1 < len(args) {
				out = args[i+1]
				args[i+1] = filepath.Join(dir, out)
			}
		}
		if out == "" {
			t.Fatalf("gen.go: no -o in %q", line)
		}
		if err := codegen.Run(args, io.Discard); err != nil {
			t.Fatalf("fontgen %s: %v", strings.Join(args, " "), err)
		}
		want, err := os.ReadFile(filepath.Join(dir, out))
		if err != nil {
			t.Fatal(err)
		}
		have, err := os.ReadFile(out)
		if err != nil {
			t.Fatalf("%v (run go generate ./ui/font)", err)
		}
		if !bytes.Equal(have, want) {
			t.Errorf("%s is stale: run go generate ./ui/font", out)
		}
		ran++
	}
	if ran != 3 {
		t.Errorf("gen.go has %d go:generate lines, want 3 (two faces, icons)", ran)
	}
}

// splitQuoted splits a go:generate argument list the way the go command
// does for the simple cases gen.go uses: spaces separate, double quotes
// group.
func splitQuoted(s string) ([]string, error) {
	var (
		args   []string
		cur    strings.Builder
		quoted bool
		inArg  bool
	)
	for _, r := range s {
		switch {
		case r == '"':
			quoted, inArg = !quoted, true
		case r == ' ' && !quoted:
			if inArg {
				args = append(args, cur.String())
				cur.Reset()
				inArg = false
			}
		default:
			cur.WriteRune(r)
			inArg = true
		}
	}
	if quoted {
		return nil, io.ErrUnexpectedEOF
	}
	if inArg {
		args = append(args, cur.String())
	}
	return args, nil
}
