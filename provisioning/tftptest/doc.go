// Package tftptest runs a real TFTP server (Debian's tftpd-hpa) on
// loopback for tests, and a silent UDP port for timeouts.
//
//	srv := tftptest.Start(t, "testdata/tftp")
//	url := srv.URL + "/cc800.cfg" // tftp://127.0.0.1:PORT/cc800.cfg
//
// Start binds a UDP socket on a kernel-chosen 127.0.0.1 port and hands it
// to in.tftpd as its standard input, the way inetd does, so no port is
// guessed: "in.tftpd -s ROOT" then serves the folder (chrooted into it;
// as root it drops to the user tftp, which is why Start makes ROOT
// world-readable). The server stops when the test ends. Without tftpd-hpa
// installed, Start skips the test under -short and fails it otherwise,
// naming the package.
//
// Silent returns a tftp:// URL where nothing ever answers: a dead server.
package tftptest
