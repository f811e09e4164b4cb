package provisioning

import (
	"bytes"
	"crypto/ed25519"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"fmt"
	"strings"
)

// SignatureSuffix is appended to a file's URL to find its signature:
// cc800.cfg is signed by cc800.cfg.sig beside it.
const SignatureSuffix = ".sig"

// The signed messages start with these, so a signature made for one
// purpose can never pass for another.
const (
	fileSignaturePrefix     = "ccphone signed file v1\n"
	firmwareSignaturePrefix = "ccphone firmware v1\n"
)

// fileMessage is what a file's signature covers: the prefix, the file's
// name (the last element of its URL, e.g. "001565aabbcc.cfg"), a newline
// and the file's bytes as served (encrypted files: the ciphertext). The
// name makes a file signed for one phone useless as another's.
func fileMessage(name string, data []byte) []byte {
	m := make([]byte, 0, len(fileSignaturePrefix)+len(name)+1+len(data))
	m = append(m, fileSignaturePrefix...)
	m = append(m, name...)
	m = append(m, '\n')
	return append(m, data...)
}

// SignFile signs data as the file called name and returns the signature
// file's content: the 64-byte Ed25519 signature in standard base64 and a
// newline.
func SignFile(key ed25519.PrivateKey, name string, data []byte) []byte {
	sig := ed25519.Sign(key, fileMessage(name, data))
	return []byte(base64.StdEncoding.EncodeToString(sig) + "\n")
}

// VerifyFile checks that sig (a signature file: base64 text, or the raw 64
// bytes) signs data as the file called name. It fails with ErrSignature.
func VerifyFile(pub ed25519.PublicKey, name string, data, sig []byte) error {
	raw, err := decodeSignature(sig)
	if err != nil {
		return fmt.Errorf("%s%s: %w", name, SignatureSuffix, err)
	}
	if !ed25519.Verify(pub, fileMessage(name, data), raw) {
		return fmt.Errorf("%s: %w: does not verify with provisioning.signing_key", name, ErrSignature)
	}
	return nil
}

func decodeSignature(sig []byte) ([]byte, error) {
	if len(sig) == ed25519.SignatureSize {
		return sig, nil
	}
	text := strings.TrimSpace(string(sig))
	raw, err := base64.StdEncoding.DecodeString(text)
	if err != nil || len(raw) != ed25519.SignatureSize {
		return nil, fmt.Errorf("%w: not a base64 Ed25519 signature", ErrSignature)
	}
	return raw, nil
}

// firmwareMessage is what a firmware signature covers: the prefix, the
// version, a newline and the hex SHA-256 of the binary. The version is
// signed so an old binary cannot be offered as a new one.
func firmwareMessage(version string, sum [sha256.Size]byte) []byte {
	return []byte(firmwareSignaturePrefix + version + "\n" + hex.EncodeToString(sum[:]))
}

// SignFirmware returns the base64 signature of a firmware binary whose
// SHA-256 is sum, for firmware.signature.
func SignFirmware(key ed25519.PrivateKey, version string, sum [sha256.Size]byte) string {
	return base64.StdEncoding.EncodeToString(ed25519.Sign(key, firmwareMessage(version, sum)))
}

// VerifyFirmware checks a firmware.signature against the binary's
// SHA-256 and its version. It fails with ErrSignature.
func VerifyFirmware(pub ed25519.PublicKey, version string, sum [sha256.Size]byte, signature string) error {
	raw, err := decodeSignature([]byte(signature))
	if err != nil {
		return fmt.Errorf("firmware %s: %w", version, err)
	}
	if !ed25519.Verify(pub, firmwareMessage(version, sum), raw) {
		return fmt.Errorf("firmware %s: %w: does not verify with provisioning.signing_key", version, ErrSignature)
	}
	return nil
}

// ParsePublicKey reads an Ed25519 public key in standard base64, as
// provisioning.signing_key holds it. It fails with ErrBadKey.
func ParsePublicKey(s string) (ed25519.PublicKey, error) {
	raw, err := base64.StdEncoding.DecodeString(strings.TrimSpace(s))
	if err != nil || len(raw) != ed25519.PublicKeySize {
		return nil, fmt.Errorf("%w: an Ed25519 public key is 32 bytes in base64", ErrBadKey)
	}
	return ed25519.PublicKey(raw), nil
}

// ParsePrivateKey reads an Ed25519 private key file as ccprov keygen
// writes it: the 32-byte seed in standard base64. It fails with ErrBadKey
// without quoting the key.
func ParsePrivateKey(data []byte) (ed25519.PrivateKey, error) {
	raw, err := base64.StdEncoding.DecodeString(string(bytes.TrimSpace(data)))
	if err != nil || len(raw) != ed25519.SeedSize {
		return nil, fmt.Errorf("%w: an Ed25519 private key file holds the 32-byte seed in base64", ErrBadKey)
	}
	return ed25519.NewKeyFromSeed(raw), nil
}

// FormatPrivateKey returns the private key file text for key.
func FormatPrivateKey(key ed25519.PrivateKey) []byte {
	return []byte(base64.StdEncoding.EncodeToString(key.Seed()) + "\n")
}

// FormatPublicKey returns the base64 text provisioning.signing_key takes.
func FormatPublicKey(pub ed25519.PublicKey) string {
	return base64.StdEncoding.EncodeToString(pub)
}
