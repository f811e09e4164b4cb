package provisioning

import (
	"bytes"
	"crypto/aes"
	"crypto/cipher"
	"crypto/hkdf"
	"crypto/sha256"
	"encoding/base64"
	"fmt"
	"io"
	"strings"
)

// EncryptedMagic starts every encrypted provisioning file. The format is
//
//	"ccphone-enc-v1\n" | 12-byte nonce | AES-256-GCM ciphertext and tag
//
// with the associated data "ccphone-enc-v1\n" + the file's name (e.g.
// "001565aabbcc.cfg"), so a file made for one phone neither decrypts
// with another phone's key nor passes as another phone's file.
const EncryptedMagic = "ccphone-enc-v1\n"

// DeviceKeySize is the size of a device key: AES-256.
const DeviceKeySize = 32

const gcmNonceSize = 12

// IsEncrypted reports whether data starts with EncryptedMagic.
func IsEncrypted(data []byte) bool { return bytes.HasPrefix(data, []byte(EncryptedMagic)) }

// EncryptFile encrypts plaintext for the phone holding key, as the file
// called name. rand supplies the nonce (crypto/rand.Reader).
func EncryptFile(key []byte, name string, plaintext []byte, rand io.Reader) ([]byte, error) {
	aead, err := newAEAD(key)
	if err != nil {
		return nil, err
	}
	out := make([]byte, len(EncryptedMagic)+gcmNonceSize, len(EncryptedMagic)+gcmNonceSize+len(plaintext)+aead.Overhead())
	copy(out, EncryptedMagic)
	nonce := out[len(EncryptedMagic):]
	if _, err := io.ReadFull(rand, nonce); err != nil {
		return nil, fmt.Errorf("provisioning: encrypt %s: nonce: %w", name, err)
	}
	return aead.Seal(out, nonce, plaintext, associatedData(name)), nil
}

// DecryptFile decrypts a file EncryptFile made for key and name. A file
// for another phone, under another name, altered, or not encrypted at
// all fails with ErrDecrypt.
func DecryptFile(key []byte, name string, data []byte) ([]byte, error) {
	aead, err := newAEAD(key)
	if err != nil {
		return nil, err
	}
	if !IsEncrypted(data) {
		return nil, fmt.Errorf("%s: %w: not encrypted, and provisioning.device_key requires it", name, ErrDecrypt)
	}
	rest := data[len(EncryptedMagic):]
	if len(rest) < gcmNonceSize+aead.Overhead() {
		return nil, fmt.Errorf("%s: %w: truncated", name, ErrDecrypt)
	}
	plain, err := aead.Open(nil, rest[:gcmNonceSize], rest[gcmNonceSize:], associatedData(name))
	if err != nil {
		return nil, fmt.Errorf("%s: %w: not made for this phone, or altered", name, ErrDecrypt)
	}
	return plain, nil
}

func associatedData(name string) []byte { return []byte(EncryptedMagic + name) }

func newAEAD(key []byte) (cipher.AEAD, error) {
	if len(key) != DeviceKeySize {
		return nil, fmt.Errorf("%w: a device key is %d bytes", ErrBadKey, DeviceKeySize)
	}
	block, err := aes.NewCipher(key)
	if err != nil {
		return nil, fmt.Errorf("%w: %w", ErrBadKey, err)
	}
	return cipher.NewGCM(block)
}

// DeriveDeviceKey derives a phone's device key from the admin's master
// secret and the phone's MAC address with HKDF-SHA256 (salt: the MAC as
// 12 lower-case hex digits; info: "ccphone device key v1"). Knowing one
// phone's key tells nothing about another's; only the master secret,
// which never leaves the admin, makes them all.
func DeriveDeviceKey(master []byte, mac string) ([]byte, error) {
	if len(master) < 16 {
		return nil, fmt.Errorf("%w: master secret shorter than 16 bytes", ErrBadKey)
	}
	name, err := MACFileName(mac)
	if err != nil {
		return nil, err
	}
	return hkdf.Key(sha256.New, master, []byte(strings.TrimSuffix(name, ".cfg")), "ccphone device key v1", DeviceKeySize)
}

// ParseDeviceKey reads a device key in standard base64, as
// provisioning.device_key holds it. It fails with ErrBadKey without
// quoting the key.
func ParseDeviceKey(s string) ([]byte, error) {
	raw, err := base64.StdEncoding.DecodeString(strings.TrimSpace(s))
	if err != nil || len(raw) != DeviceKeySize {
		return nil, fmt.Errorf("%w: a device key is %d bytes in base64", ErrBadKey, DeviceKeySize)
	}
	return raw, nil
}
