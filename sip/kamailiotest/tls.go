package kamailiotest

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/pem"
	"errors"
	"math/big"
	"net"
	"os"
	"path/filepath"
	"testing"
	"time"
)

// Files a TLS server keeps in its directory.
const (
	caFile   = "ca.pem"   // the test CA's certificate, for clients
	certFile = "cert.pem" // the server's certificate for 127.0.0.1
	keyFile  = "key.pem"  // the server's private key
)

// requireTLS checks that Kamailio's tls module is installed: skips
// under -short, fails otherwise naming the package.
func requireTLS(t testing.TB, mpath string) {
	t.Helper()
	if _, err := os.Stat(filepath.Join(mpath, "tls.so")); err == nil {
		return
	}
	if testing.Short() {
		t.Skip("kamailiotest: Kamailio's tls module is not installed (apt-get install kamailio-tls-modules)")
	}
	t.Fatal("kamailiotest: Kamailio's tls module is not installed: apt-get install -y kamailio-tls-modules (make test installs it)")
}

// writeCertificates makes a CA and a certificate for 127.0.0.1 (and
// localhost) that it signs, valid for a day, and writes them with the
// server's key into dir.
func writeCertificates(dir string) error {
	now := time.Now()
	caKey, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		return err
	}
	ca := &x509.Certificate{
		SerialNumber:          big.NewInt(1),
		Subject:               pkix.Name{CommonName: "kamailiotest CA"},
		NotBefore:             now.Add(-time.Hour),
		NotAfter:              now.Add(24 * time.Hour),
		KeyUsage:              x509.KeyUsageCertSign | x509.KeyUsageCRLSign,
		BasicConstraintsValid: true,
		IsCA:                  true,
	}
	caDER, err := x509.CreateCertificate(rand.Reader, ca, ca, &caKey.PublicKey, caKey)
	if err != nil {
		return err
	}
	ca, err = x509.ParseCertificate(caDER)
	if err != nil {
		return err
	}
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		return err
	}
	leaf := &x509.Certificate{
		SerialNumber: big.NewInt(2),
		Subject:      pkix.Name{CommonName: "127.0.0.1"},
		NotBefore:    now.Add(-time.Hour),
		NotAfter:     now.Add(24 * time.Hour),
		KeyUsage:     x509.KeyUsageDigitalSignature,
		ExtKeyUsage:  []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth, x509.ExtKeyUsageClientAuth},
		IPAddresses:  []net.IP{net.IPv4(127, 0, 0, 1)},
		DNSNames:     []string{"localhost"},
	}
	leafDER, err := x509.CreateCertificate(rand.Reader, leaf, ca, &key.PublicKey, caKey)
	if err != nil {
		return err
	}
	keyDER, err := x509.MarshalPKCS8PrivateKey(key)
	if err != nil {
		return err
	}
	write := func(name, kind string, der []byte, mode os.FileMode) error {
		return os.WriteFile(filepath.Join(dir, name), pem.EncodeToMemory(&pem.Block{Type: kind, Bytes: der}), mode)
	}
	return errors.Join(
		write(caFile, "CERTIFICATE", caDER, 0o644),
		write(certFile, "CERTIFICATE", leafDER, 0o644),
		write(keyFile, "PRIVATE KEY", keyDER, 0o600),
	)
}
