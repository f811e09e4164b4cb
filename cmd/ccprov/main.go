// Command ccprov is the admin's tool for ccphone provisioning files.
//
//	ccprov validate FILE...                  every error and warning; exit 1 on errors
//	ccprov effective --mac MAC FILE...       the merged configuration (secrets masked)
//	ccprov keygen --out NAME                 Ed25519 signing key: NAME.key, NAME.pub
//	ccprov keygen --device --master F --mac M   a phone's device key (base64)
//	ccprov sign --key NAME.key FILE...       write FILE.sig beside each file
//	ccprov verify --pub NAME.pub FILE...     check FILE.sig of each file
//	ccprov sign-firmware --key K --version V BINARY   the firmware.signature value
//	ccprov encrypt --master F --mac M [--out OUT] FILE   encrypt for one phone
//	ccprov decrypt --master F --mac M [--out OUT] FILE
//	ccprov docs [--out docs/provisioning.md] the admin reference from the schema
//
// Exit status: 0 on success, 1 when a file is bad, 2 for bad usage.
package main

import (
	"bytes"
	"crypto/ed25519"
	"crypto/rand"
	"crypto/sha256"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"path/filepath"

	"ccphone/provisioning"
)

func main() {
	os.Exit(run(os.Args[1:], os.Stdout, os.Stderr))
}

const usage = `usage:
  ccprov validate FILE...
  ccprov effective --mac MAC [--show-secrets] FILE...
  ccprov keygen --out NAME
  ccprov keygen --device --master MASTERFILE --mac MAC
  ccprov sign --key KEYFILE FILE...
  ccprov verify --pub PUBFILE FILE...
  ccprov sign-firmware --key KEYFILE --version VERSION BINARY
  ccprov encrypt --master MASTERFILE --mac MAC [--out OUT] FILE
  ccprov decrypt --master MASTERFILE --mac MAC [--out OUT] FILE
  ccprov docs [--out FILE]
`

// errBad marks failures that are the files' fault (exit 1), not usage.
var errBad = errors.New("bad input")

func run(args []string, stdout, stderr io.Writer) int {
	if len(args) == 0 {
		fmt.Fprint(stderr, usage)
		return 2
	}
	cmds := map[string]func([]string, io.Writer, io.Writer) error{
		"validate": validate, "effective": effective, "keygen": keygen,
		"sign": sign, "verify": verify, "sign-firmware": signFirmware,
		"encrypt": encrypt, "decrypt": decrypt, "docs": docs,
	}
	cmd, ok := cmds[args[0]]
	if !ok {
		fmt.Fprintf(stderr, "ccprov: unknown command %q\n%s", args[0], usage)
		return 2
	}
	err := cmd(args[1:], stdout, stderr)
	switch {
	case err == nil:
		return 0
	case errors.Is(err, errBad):
		return 1
	case errors.Is(err, flag.ErrHelp):
		return 0
	}
	fmt.Fprintf(stderr, "ccprov %s: %v\n", args[0], err)
	var usageErr usageError
	if errors.As(err, &usageErr) {
		return 2
	}
	return 1
}

type usageError string

func (u usageError) Error() string { return string(u) }

func newFlags(name string, stderr io.Writer) *flag.FlagSet {
	fs := flag.NewFlagSet("ccprov "+name, flag.ContinueOnError)
	fs.SetOutput(stderr)
	return fs
}

func parse(fs *flag.FlagSet, args []string, minFiles int) error {
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return err
		}
		return usageError(err.Error())
	}
	if fs.NArg() < minFiles {
		return usageError(fmt.Sprintf("needs at least %d file(s)", minFiles))
	}
	return nil
}

// validate prints every error and warning of each file, then checks the
// files merged together (rules across settings).
func validate(args []string, stdout, stderr io.Writer) error {
	fs := newFlags("validate", stderr)
	if err := parse(fs, args, 1); err != nil {
		return err
	}
	schema := provisioning.DefaultSchema()
	bad := false
	var files []*provisioning.File
	for _, path := range fs.Args() {
		f, err := provisioning.ReadFile(path)
		var list provisioning.ErrorList
		switch {
		case errors.As(err, &list):
			bad = true
			fmt.Fprintln(stdout, list.Error())
		case err != nil:
			bad = true
			fmt.Fprintln(stdout, err)
			continue
		}
		for _, issue := range schema.Check(f) {
			if issue.Warning {
				fmt.Fprintln(stdout, issue.Error()+" (warning)")
			} else {
				bad = true
				fmt.Fprintln(stdout, issue.Error())
			}
		}
		files = append(files, f)
	}
	if !bad {
		if _, err := schema.Merge(files, nil); err != nil {
			fmt.Fprintln(stdout, err)
			bad = true
		}
	}
	if bad {
		return errBad
	}
	fmt.Fprintf(stdout, "%d file(s) valid\n", len(fs.Args()))
	return nil
}

// effective prints the merged configuration of a phone: the files in the
// order given, lowest first (common, then per-MAC). With --mac the
// per-MAC file is named, and must be the last file when given.
func effective(args []string, stdout, stderr io.Writer) error {
	fs := newFlags("effective", stderr)
	mac := fs.String("mac", "", "the phone's MAC address; its <mac>.cfg must be the last FILE if given")
	show := fs.Bool("show-secrets", false, "print passwords and keys instead of masking them")
	if err := parse(fs, args, 1); err != nil {
		return err
	}
	if *mac != "" {
		name, err := provisioning.MACFileName(*mac)
		if err != nil {
			return usageError(err.Error())
		}
		for _, p := range fs.Args()[:fs.NArg()-1] {
			if filepath.Base(p) == name {
				return usageError(name + " must be the last file: it overrides the others")
			}
		}
	}
	cfg, err := provisioning.Load(fs.Args()...)
	if err != nil {
		fmt.Fprintln(stdout, err)
		return errBad
	}
	for _, w := range cfg.Warnings() {
		fmt.Fprintln(stderr, w.Error()+" (warning)")
	}
	return cfg.Format(stdout, *show)
}

func keygen(args []string, stdout, stderr io.Writer) error {
	fs := newFlags("keygen", stderr)
	out := fs.String("out", "", "signing key: write OUT.key (secret) and OUT.pub")
	device := fs.Bool("device", false, "print a phone's device key (provisioning.device_key) instead")
	master := fs.String("master", "", "with --device: the master secret file; made (32 random bytes) if missing")
	mac := fs.String("mac", "", "with --device: the phone's MAC address")
	if err := parse(fs, args, 0); err != nil {
		return err
	}
	if *device {
		if *master == "" || *mac == "" {
			return usageError("--device needs --master and --mac")
		}
		key, err := deviceKey(*master, *mac, true)
		if err != nil {
			return err
		}
		fmt.Fprintf(stdout, "provisioning.device_key = %s\n", encodeB64(key))
		return nil
	}
	if *out == "" {
		return usageError("--out NAME is required")
	}
	pub, priv, err := ed25519.GenerateKey(rand.Reader)
	if err != nil {
		return err
	}
	if err := writeNew(*out+".key", provisioning.FormatPrivateKey(priv), 0o600); err != nil {
		return err
	}
	if err := writeNew(*out+".pub", []byte(provisioning.FormatPublicKey(pub)+"\n"), 0o644); err != nil {
		return err
	}
	fmt.Fprintf(stdout, "wrote %s.key (keep it secret) and %s.pub\nprovisioning.signing_key = %s\n", *out, *out, provisioning.FormatPublicKey(pub))
	return nil
}

// deviceKey reads the master secret (making it when create and missing)
// and derives the phone's key.
func deviceKey(masterPath, mac string, create bool) ([]byte, error) {
	master, err := os.ReadFile(masterPath)
	if errors.Is(err, os.ErrNotExist) && create {
		master = make([]byte, 32)
		if _, err := rand.Read(master); err != nil {
			return nil, err
		}
		if err := writeNew(masterPath, master, 0o600); err != nil {
			return nil, err
		}
	} else if err != nil {
		return nil, err
	}
	return provisioning.DeriveDeviceKey(master, mac)
}

func readPrivateKey(path string) (ed25519.PrivateKey, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	key, err := provisioning.ParsePrivateKey(data)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	return key, nil
}

func sign(args []string, stdout, stderr io.Writer) error {
	fs := newFlags("sign", stderr)
	keyPath := fs.String("key", "", "the private key file (ccprov keygen)")
	if err := parse(fs, args, 1); err != nil {
		return err
	}
	key, err := readPrivateKey(*keyPath)
	if err != nil {
		return err
	}
	for _, path := range fs.Args() {
		data, err := os.ReadFile(path)
		if err != nil {
			return err
		}
		sig := provisioning.SignFile(key, filepath.Base(path), data)
		if err := os.WriteFile(path+provisioning.SignatureSuffix, sig, 0o644); err != nil {
			return err
		}
		fmt.Fprintf(stdout, "signed %s\n", path)
	}
	return nil
}

func verify(args []string, stdout, stderr io.Writer) error {
	fs := newFlags("verify", stderr)
	pubPath := fs.String("pub", "", "the public key file (NAME.pub), or the base64 key itself")
	if err := parse(fs, args, 1); err != nil {
		return err
	}
	text := *pubPath
	if data, err := os.ReadFile(*pubPath); err == nil {
		text = string(data)
	}
	pub, err := provisioning.ParsePublicKey(text)
	if err != nil {
		return usageError(err.Error())
	}
	bad := false
	for _, path := range fs.Args() {
		data, err := os.ReadFile(path)
		if err != nil {
			return err
		}
		sig, err := os.ReadFile(path + provisioning.SignatureSuffix)
		if err == nil {
			err = provisioning.VerifyFile(pub, filepath.Base(path), data, sig)
		}
		if err != nil {
			fmt.Fprintf(stdout, "%s: %v\n", path, err)
			bad = true
			continue
		}
		fmt.Fprintf(stdout, "%s: good signature\n", path)
	}
	if bad {
		return errBad
	}
	return nil
}

func signFirmware(args []string, stdout, stderr io.Writer) error {
	fs := newFlags("sign-firmware", stderr)
	keyPath := fs.String("key", "", "the private key file (ccprov keygen)")
	version := fs.String("version", "", "the binary's version, as firmware.version will say")
	if err := parse(fs, args, 1); err != nil {
		return err
	}
	if _, err := provisioning.CompareVersions(*version, "0"); err != nil {
		return usageError(err.Error())
	}
	key, err := readPrivateKey(*keyPath)
	if err != nil {
		return err
	}
	data, err := os.ReadFile(fs.Arg(0))
	if err != nil {
		return err
	}
	fmt.Fprintf(stdout, "firmware.version = %s\nfirmware.signature = %s\n", *version, provisioning.SignFirmware(key, *version, sha256.Sum256(data)))
	return nil
}

func crypt(name string, args []string, stdout, stderr io.Writer, do func(key []byte, fileName string, data []byte) ([]byte, error)) error {
	fs := newFlags(name, stderr)
	master := fs.String("master", "", "the master secret file (ccprov keygen --device)")
	mac := fs.String("mac", "", "the phone's MAC address")
	out := fs.String("out", "", "write here instead of standard output")
	if err := parse(fs, args, 1); err != nil {
		return err
	}
	if *master == "" || *mac == "" {
		return usageError("needs --master and --mac")
	}
	key, err := deviceKey(*master, *mac, false)
	if err != nil {
		return err
	}
	fileName, _ := provisioning.MACFileName(*mac)
	data, err := os.ReadFile(fs.Arg(0))
	if err != nil {
		return err
	}
	result, err := do(key, fileName, data)
	if err != nil {
		return err
	}
	if *out == "" {
		_, err = stdout.Write(result)
		return err
	}
	return os.WriteFile(*out, result, 0o600)
}

func encrypt(args []string, stdout, stderr io.Writer) error {
	return crypt("encrypt", args, stdout, stderr, func(key []byte, name string, data []byte) ([]byte, error) {
		if _, err := provisioning.Parse(name, bytes.NewReader(data)); err != nil {
			return nil, fmt.Errorf("not encrypting a bad file:\n%w", err)
		}
		return provisioning.EncryptFile(key, name, data, rand.Reader)
	})
}

func decrypt(args []string, stdout, stderr io.Writer) error {
	return crypt("decrypt", args, stdout, stderr, provisioning.DecryptFile)
}

// docs writes the admin reference generated from the schema.
func docs(args []string, stdout, stderr io.Writer) error {
	fs := newFlags("docs", stderr)
	out := fs.String("out", "", "write here instead of standard output (docs/provisioning.md)")
	if err := parse(fs, args, 0); err != nil {
		return err
	}
	var b bytes.Buffer
	if err := Reference(&b); err != nil {
		return err
	}
	if *out == "" {
		_, err := stdout.Write(b.Bytes())
		return err
	}
	return provisioning.WriteFileAtomic(*out, b.Bytes(), 0o644)
}

// Reference writes the admin reference, docs/provisioning.md.
func Reference(w io.Writer) error {
	return provisioning.DefaultSchema().WriteMarkdown(w)
}

func writeNew(path string, data []byte, perm os.FileMode) error {
	f, err := os.OpenFile(path, os.O_WRONLY|os.O_CREATE|os.O_EXCL, perm)
	if err != nil {
		return err
	}
	if _, err := f.Write(data); err != nil {
		f.Close()
		return err
	}
	return f.Close()
}

func encodeB64(b []byte) string {
	return provisioning.FormatPublicKey(ed25519.PublicKey(b))
}
