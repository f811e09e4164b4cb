package provisioning

import (
	"bytes"
	"crypto/ed25519"
	"crypto/rand"
	"crypto/sha256"
	"errors"
	"testing"
)

func testKey(t testing.TB, seed byte) ed25519.PrivateKey {
	t.Helper()
	return ed25519.NewKeyFromSeed(bytes.Repeat([]byte{seed}, ed25519.SeedSize))
}

func TestSignVerify(t *testing.T) {
	admin, stranger := testKey(t, 1), testKey(t, 2)
	pub := admin.Public().(ed25519.PublicKey)
	data := []byte(testFile)
	sig := SignFile(admin, "cc800.cfg", data)
	if err := VerifyFile(pub, "cc800.cfg", data, sig); err != nil {
		t.Fatalf("good signature: %v", err)
	}
	raw, _ := decodeSignature(sig)
	if err := VerifyFile(pub, "cc800.cfg", data, raw); err != nil {
		t.Errorf("raw 64-byte signature: %v", err)
	}
	tests := []struct {
		name string
		file string
		data []byte
		sig  []byte
	}{
		{"another key", "cc800.cfg", data, SignFile(stranger, "cc800.cfg", data)},
		{"another file name", "001565aabbcc.cfg", data, sig},
		{"altered file", "cc800.cfg", append(bytes.Clone(data), '#'), sig},
		{"not a signature", "cc800.cfg", data, []byte("hello\n")},
		{"empty", "cc800.cfg", data, nil},
	}
	for _, tt := range tests {
		if err := VerifyFile(pub, tt.file, tt.data, tt.sig); !errors.Is(err, ErrSignature) {
			t.Errorf("%s: err = %v, want ErrSignature", tt.name, err)
		}
	}
	sum := sha256.Sum256([]byte("binary"))
	fwSig := SignFirmware(admin, "1.2.0", sum)
	if err := VerifyFirmware(pub, "1.2.0", sum, fwSig); err != nil {
		t.Errorf("firmware signature: %v", err)
	}
	if err := VerifyFirmware(pub, "1.3.0", sum, fwSig); !errors.Is(err, ErrSignature) {
		t.Errorf("firmware signature under another version: err = %v, want ErrSignature", err)
	}
	key, err := ParsePrivateKey(FormatPrivateKey(admin))
	if err != nil || !key.Equal(admin) {
		t.Errorf("private key round trip: %v", err)
	}
	if p, err := ParsePublicKey(FormatPublicKey(pub)); err != nil || !p.Equal(pub) {
		t.Errorf("public key round trip: %v", err)
	}
}

func TestEncryptPerDevice(t *testing.T) {
	master := bytes.Repeat([]byte{7}, 32)
	keyA, err := DeriveDeviceKey(master, "00:15:65:AA:BB:CC")
	if err != nil {
		t.Fatal(err)
	}
	keyB, err := DeriveDeviceKey(master, "001565aabbcd")
	if err != nil {
		t.Fatal(err)
	}
	if bytes.Equal(keyA, keyB) {
		t.Fatal("two phones got the same key")
	}
	plain := []byte("account.1.password = s3cret\n")
	enc, err := EncryptFile(keyA, "001565aabbcc.cfg", plain, rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	if bytes.Contains(enc, []byte("s3cret")) || !IsEncrypted(enc) {
		t.Fatal("ciphertext holds the plaintext or lacks the magic")
	}
	got, err := DecryptFile(keyA, "001565aabbcc.cfg", enc)
	if err != nil || !bytes.Equal(got, plain) {
		t.Fatalf("phone A: %q, %v", got, err)
	}
	if _, err := DecryptFile(keyB, "001565aabbcc.cfg", enc); !errors.Is(err, ErrDecrypt) {
		t.Errorf("phone B decrypted phone A's file: %v", err)
	}
	if _, err := DecryptFile(keyA, "001565aabbcd.cfg", enc); !errors.Is(err, ErrDecrypt) {
		t.Errorf("file accepted under another phone's name: %v", err)
	}
	forged, err := EncryptFile(keyB, "001565aabbcc.cfg", []byte("account.1.password = evil\n"), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := DecryptFile(keyA, "001565aabbcc.cfg", forged); !errors.Is(err, ErrDecrypt) {
		t.Errorf("phone B's key forged a file for phone A: %v", err)
	}
	if _, err := DecryptFile(keyA, "001565aabbcc.cfg", plain); !errors.Is(err, ErrDecrypt) {
		t.Errorf("plain file accepted: %v", err)
	}
	if _, err := DeriveDeviceKey([]byte("short"), "001565aabbcc"); !errors.Is(err, ErrBadKey) {
		t.Errorf("short master: %v", err)
	}
}
