package main

import (
	"bufio"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"ccphone/provisioning/nginxtest"
	"ccphone/sip/baresiptest"
	"ccphone/sip/kamailiotest"
)

// BenchmarkTwoCallsMemory measures DESIGN's process budget, "≤ 25 MB RSS
// with two calls, recording and monitor running": the ccphoned binary as
// shipped (-trimpath -s -w, PortAudio linked) on the sim board, the
// monitor jack plugged in listen mode, two calls to baresips through
// Kamailio joined in a conference (both legs active), each recorded
// under the account policy with uploads to nginx. After ten seconds of
// that it reports the process's peak RSS (VmHWM) in MB. One run; use
// -benchtime 1x.
func BenchmarkTwoCallsMemory(b *testing.B) {
	kam := kamailiotest.Start(b, "registrar")
	store := nginxtest.Start(b, nginxtest.Options{Root: b.TempDir()})
	bin := filepath.Join(b.TempDir(), "ccphoned")
	build := exec.Command("go", "build", "-trimpath", "-ldflags", "-s -w", "-o", bin, ".")
	if out, err := build.CombinedOutput(); err != nil {
		b.Fatalf("build: %v\n%s", err, out)
	}
	audio := b.TempDir()
	writeRawTone(b, filepath.Join(audio, "headset-in.raw"), 1000, 60*time.Second)
	writeRawTone(b, filepath.Join(audio, "monitor-in.raw"), 1300, 60*time.Second)
	cfg := registrarConfig(b, kam)
	appendConfig(b, cfg, "recording.account.outbound.onnet.enabled = 1\n"+
		"recording.account.outbound.offnet.enabled = 1\n"+
		"recording.format = wav_stereo\n"+
		"recording.url = "+store.URL+"/upload/{file}\n"+
		"monitor.mode = listen\n")
	p := startPhoneProcess(b, bin, nil, "--config", cfg, "--state", b.TempDir(), "--audio-dir", audio, "--log-level", "warn")
	p.waitState("registered", bothRegistered)
	var peers []*baresiptest.Phone
	for _, u := range [][2]string{{kamailiotest.User3, kamailiotest.Password3}, {kamailiotest.User4, kamailiotest.Password4}} {
		peers = append(peers, baresiptest.Start(b, baresiptest.Options{User: u[0], Password: u[1],
			Registrar: kam.Addr(), AutoAnswer: true, ToneHz: 700}))
		kam.WaitRegistered(b, u[0], true, 15*time.Second)
	}
	p.press("monitor-jack")
	p.press("1", "0", "0", "3", "ok")
	p.waitState("first call", func(s apiState) bool { return sameStrings(callStates(s), "connected") })
	p.press("line2", "1", "0", "0", "4", "ok")
	p.waitState("second call", func(s apiState) bool { return sameStrings(callStates(s), "held", "connected") })
	p.press("soft3") // Conf
	p.waitState("conference", func(s apiState) bool { return sameStrings(callStates(s), "connected", "connected") })
	s := p.state()
	for i, c := range callList(b, s) {
		if !c.Recording {
			b.Fatalf("call %d is not recorded: %+v", i+1, c)
		}
	}
	time.Sleep(10 * time.Second)
	b.ReportMetric(float64(procStatusKB(b, p.pid, "VmHWM"))/1024, "peak-RSS-MB")
	b.ReportMetric(float64(procStatusKB(b, p.pid, "VmRSS"))/1024, "RSS-MB")
	for _, peer := range peers {
		peer.Command(b, "hangup", "")
		peer.WaitEvent(b, "CALL_CLOSED")
	}
}

// procStatusKB reads a kB field of /proc/PID/status.
func procStatusKB(b *testing.B, pid int, field string) int {
	f, err := os.Open("/proc/" + strconv.Itoa(pid) + "/status")
	if err != nil {
		b.Fatal(err)
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		if v, ok := strings.CutPrefix(sc.Text(), field+":"); ok {
			n, err := strconv.Atoi(strings.TrimSpace(strings.TrimSuffix(strings.TrimSpace(v), "kB")))
			if err != nil {
				b.Fatal(err)
			}
			return n
		}
	}
	b.Fatalf("/proc/%d/status: no %s", pid, field)
	return 0
}
