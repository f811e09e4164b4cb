package main

import (
	"fmt"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"
)

// BenchmarkKeyToInvite measures the SIP issue's "key press to SIP request
// out": the ccphoned process on the sim board, line 1 registered with a
// minimal registrar on a loopback UDP socket of the benchmark; the number
// is typed on the panel, and the clock runs from the POST of the OK key
// to the INVITE's arrival at that socket. The registrar answers the
// INVITE 486, so each call ends at once. Reports p50 and p99 in µs
// (budget: p99 ≤ 2 ms); the panel's HTTP round trip is inside the figure.
// Use -benchtime 100x for a p99 worth the name.
func BenchmarkKeyToInvite(b *testing.B) {
	srv, err := net.ListenUDP("udp", &net.UDPAddr{IP: net.IPv4(127, 0, 0, 1)})
	if err != nil {
		b.Fatal(err)
	}
	defer srv.Close()
	invites := make(chan time.Time, 1)
	go serveMinimalRegistrar(srv, invites)

	sipPort, err := freeUDPPort()
	if err != nil {
		b.Fatal(err)
	}
	cfg := filepath.Join(b.TempDir(), "phone.cfg")
	addr := srv.LocalAddr().(*net.UDPAddr)
	text := fmt.Sprintf("sip.listen_port = %d\naccount.1.enable = 1\naccount.1.user_name = 1001\n"+
		"account.1.password = secret1001\naccount.1.sip_server.1.address = 127.0.0.1\n"+
		"account.1.sip_server.1.port = %d\n", sipPort, addr.Port)
	if err := os.WriteFile(cfg, []byte(text), 0o644); err != nil {
		b.Fatal(err)
	}
	bin := filepath.Join(b.TempDir(), "ccphoned")
	if out, err := exec.Command("go", "build", "-o", bin, ".").CombinedOutput(); err != nil {
		b.Fatalf("build: %v\n%s", err, out)
	}
	p := startPhoneProcess(b, bin, nil, "--config", cfg, "--state", b.TempDir(), "--audio-dir", b.TempDir(), "--log-level", "warn")
	p.waitState("line 1 registered", func(s apiState) bool {
		return len(s.Lines) > 0 && s.Lines[0].Registration == "registered"
	})

	// The clock runs through each call's whole cycle (the ended call's
	// screen shows for 2 s), so that -benchtime picks a number of calls
	// that fits; the figures are the latencies, reported below.
	lat := make([]time.Duration, 0, b.N)
	b.ResetTimer()
	for range b.N {
		p.waitState("no call on the phone", func(s apiState) bool { return len(s.Calls) == 0 })
		p.press("1", "0", "0", "2")
		t0 := time.Now()
		p.press("ok")
		select {
		case at := <-invites:
			lat = append(lat, at.Sub(t0))
		case <-time.After(10 * time.Second):
			b.Fatal("no INVITE within 10 s of the OK key")
		}
	}
	b.StopTimer()
	slices.Sort(lat)
	if len(lat) > 0 {
		b.ReportMetric(float64(lat[len(lat)/2].Microseconds()), "p50-µs")
		b.ReportMetric(float64(lat[len(lat)*99/100].Microseconds()), "p99-µs")
		b.ReportMetric(float64(lat[len(lat)-1].Microseconds()), "max-µs")
	}
}

// serveMinimalRegistrar answers on c what the benchmark needs of a
// registrar: 200 to REGISTER (and any other request but INVITE and ACK),
// 486 to INVITE, after noting its arrival time on invites.
func serveMinimalRegistrar(c *net.UDPConn, invites chan<- time.Time) {
	buf := make([]byte, 65536)
	for {
		n, from, err := c.ReadFromUDP(buf)
		if err != nil {
			return
		}
		at := time.Now()
		msg := string(buf[:n])
		method, _, _ := strings.Cut(msg, " ")
		var code string
		switch method {
		case "INVITE":
			select {
			case invites <- at:
			default:
			}
			code = "486 Busy Here"
		case "ACK", "SIP/2.0":
			continue
		default:
			code = "200 OK"
		}
		resp := "SIP/2.0 " + code + "\r\n"
		for l := range strings.SplitSeq(msg, "\r\n") {
			name, _, _ := strings.Cut(l, ":")
			switch strings.ToLower(strings.TrimSpace(name)) {
			case "via", "from", "call-id", "cseq", "v", "f", "i":
				resp += l + "\r\n"
			case "to", "t":
				if !strings.Contains(l, "tag=") {
					l += ";tag=bench"
				}
				resp += l + "\r\n"
			case "contact", "m":
				if method == "REGISTER" {
					resp += l + ";expires=3600\r\n"
				}
			}
		}
		resp += "Content-Length: 0\r\n\r\n"
		c.WriteToUDP([]byte(resp), from)
	}
}

// freeUDPPort asks the kernel for a free UDP port on loopback.
func freeUDPPort() (int, error) {
	c, err := net.ListenUDP("udp", &net.UDPAddr{IP: net.IPv4(127, 0, 0, 1)})
	if err != nil {
		return 0, err
	}
	defer c.Close()
	return c.LocalAddr().(*net.UDPAddr).Port, nil
}
