// Package codegen is the body of the fontgen program: it turns BDF fonts
// and an ASCII-art icon file into the Go tables of package font, and cuts
// the upstream misc-fixed fonts down to the code points the phone needs.
//
// Run takes the command line without the program name. Three commands:
//
//	subset -charset FILE -o OUT.bdf IN.bdf
//	    keep only the glyphs whose code points FILE lists (one-time step;
//	    needs the xfonts-base originals, see ui/font/src/README).
//	face -name NAME -doc TEXT [-replacement GLYPH] -o OUT.go IN.bdf...
//	    generate a *Face variable NAME from one or more BDF files; a code
//	    point may appear in only one of them. GLYPH names an unencoded
//	    glyph (ENCODING -1) drawn for runes the face lacks.
//	icons -o OUT.go ICONS.txt
//	    generate one Icon variable per picture in ICONS.txt.
//
// Output is gofmt-formatted and deterministic: the same inputs always give
// the same bytes, which the font package's tests rely on. Run is safe for
// concurrent use when the calls write different files.
package codegen

import (
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"strings"
)

// ErrUsage is wrapped by errors about the command line.
var ErrUsage = errors.New("fontgen: usage")

// Run executes one fontgen command; args excludes the program name.
// Flag errors are reported on stderr as well as returned.
func Run(args []string, stderr io.Writer) error {
	if len(args) == 0 {
		return fmt.Errorf("%w: want a command: subset, face or icons", ErrUsage)
	}
	switch args[0] {
	case "subset":
		return runSubset(args[1:], stderr)
	case "face":
		return runFace(args[1:], stderr)
	case "icons":
		return runIcons(args[1:], stderr)
	}
	return fmt.Errorf("%w: unknown command %q", ErrUsage, args[0])
}

func newFlagSet(name string, stderr io.Writer) *flag.FlagSet {
	fs := flag.NewFlagSet("fontgen "+name, flag.ContinueOnError)
	fs.SetOutput(stderr)
	return fs
}

func runSubset(args []string, stderr io.Writer) error {
	fs := newFlagSet("subset", stderr)
	charsetPath := fs.String("charset", "", "file listing the code points to keep")
	out := fs.String("o", "", "output BDF file")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if *charsetPath == "" || *out == "" || fs.NArg() != 1 {
		return fmt.Errorf("%w: subset -charset FILE -o OUT.bdf IN.bdf", ErrUsage)
	}
	cs, err := readCharset(*charsetPath)
	if err != nil {
		return err
	}
	in := fs.Arg(0)
	src, err := os.ReadFile(in)
	if err != nil {
		return fmt.Errorf("subset: %w", err)
	}
	return writeSubset(src, cs, in, *out)
}

func runFace(args []string, stderr io.Writer) error {
	fs := newFlagSet("face", stderr)
	name := fs.String("name", "", "Go variable name of the face")
	doc := fs.String("doc", "", "what the face is for, continuing the sentence \"NAME is the face …\"")
	replacement := fs.String("replacement", "", "STARTCHAR name of the unencoded glyph drawn for missing runes")
	out := fs.String("o", "", "output Go file")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if *name == "" || *out == "" || fs.NArg() == 0 {
		return fmt.Errorf("%w: face -name NAME -doc TEXT [-replacement GLYPH] -o OUT.go IN.bdf...", ErrUsage)
	}
	code, err := generateFace(faceSpec{
		name:        *name,
		doc:         *doc,
		replacement: *replacement,
		inputs:      fs.Args(),
	})
	if err != nil {
		return err
	}
	return writeFile(*out, code)
}

func runIcons(args []string, stderr io.Writer) error {
	fs := newFlagSet("icons", stderr)
	out := fs.String("o", "", "output Go file")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if *out == "" || fs.NArg() != 1 {
		return fmt.Errorf("%w: icons -o OUT.go ICONS.txt", ErrUsage)
	}
	code, err := generateIcons(fs.Arg(0))
	if err != nil {
		return err
	}
	return writeFile(*out, code)
}

func writeFile(path string, data []byte) error {
	if err := os.WriteFile(path, data, 0o644); err != nil {
		return fmt.Errorf("fontgen: %w", err)
	}
	return nil
}

// quoteBytes writes b as a Go string literal of \x escapes, so the
// generated tables read as data, not as accidental text.
func quoteBytes(b []byte) string {
	var sb strings.Builder
	sb.WriteByte('"')
	for _, c := range b {
		fmt.Fprintf(&sb, `\x%02x`, c)
	}
	sb.WriteByte('"')
	return sb.String()
}
