// Package kamailiotest starts real Kamailio 5.6 registrars on loopback for
// tests, from a configuration the project keeps in testdata/.
//
// The common path:
//
//	kam := kamailiotest.Start(t, "primary")   // skips in -short if Kamailio is missing
//	... register 1001 / secret1001 at kam.Addr() ...
//	kam.WaitRegistered(t, "1001", true)
//	kam.Kill()                                 // the registrar dies
//	kam.Restart()                              // and comes back on the same port
//
// Each Server listens on UDP and TCP at 127.0.0.1 on one port the kernel
// picked, keeps its run directory and database in t.TempDir(), and is
// stopped by t.Cleanup. Several servers can run at once (a primary and a
// backup registrar, or a registrar and an outbound proxy). The subscribers
// are fixed (see the constants); locations live in Kamailio's memory
// only, so two servers are independent, and a restarted one has forgotten
// every registration, as a real registrar that crashed would have.
//
// StartWith(t, name, Options{TLS: true}) adds a TLS listener on a port of
// its own (TLSAddr), whose certificate for 127.0.0.1 is signed by a CA
// made in the test (CAFile, PEM): a client that trusts that file can
// register over TLS. This needs Kamailio's tls module (Debian package
// kamailio-tls-modules).
//
// Kamailio must be installed (Debian package kamailio, which brings
// kamcmd). Without it, Start skips the test under -short and fails it
// otherwise, naming the package to install.
package kamailiotest
