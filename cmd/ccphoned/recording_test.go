package main

import (
	"bufio"
	"crypto/sha256"
	"encoding/binary"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"ccphone/media/upload/s3test"
	"ccphone/provisioning/nginxtest"
	"ccphone/sip/baresiptest"
	"ccphone/sip/kamailiotest"
)

// stereo splits interleaved 16-bit stereo WAV data into its channels.
func stereo(t *testing.T, path string) (left, right []int16) {
	t.Helper()
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	if len(data) < 44 || string(data[:4]) != "RIFF" || binary.LittleEndian.Uint16(data[22:]) != 2 {
		t.Fatalf("%s is not a stereo WAV", path)
	}
	i := 12
	for i+8 <= len(data) {
		id, size := string(data[i:i+4]), int(binary.LittleEndian.Uint32(data[i+4:]))
		i += 8
		if id == "data" {
			for j := i; j+4 <= min(i+size, len(data)); j += 4 {
				left = append(left, int16(binary.LittleEndian.Uint16(data[j:])))
				right = append(right, int16(binary.LittleEndian.Uint16(data[j+2:])))
			}
			return left, right
		}
		i += size + size%2
	}
	t.Fatalf("%s: no data chunk", path)
	return nil, nil
}

// TestCallRecordedAndUploaded records a call with baresip under the
// provisioned policy and finds the stereo WAV on the storage server
// (nginx, WebDAV PUT): the agent's 1 kHz on the left, baresip's 700 Hz on
// the right.
func TestCallRecordedAndUploaded(t *testing.T) {
	baresiptest.Require(t)
	kam := kamailiotest.Start(t, "registrar")
	web := t.TempDir()
	writeWAV(t, filepath.Join(web, "announce.wav"), 1500, 500*time.Millisecond)
	store := nginxtest.Start(t, nginxtest.Options{Root: web})
	audio := t.TempDir()
	writeRawTone(t, filepath.Join(audio, "headset-in.raw"), 1000, 60*time.Second)
	cfg := registrarConfig(t, kam)
	policy := "recording.account.outbound.onnet.enabled = 1\n" +
		"recording.announcement = " + store.URL + "/announce.wav\n" +
		"recording.account.outbound.offnet.enabled = 1\n" +
		"recording.format = wav_stereo\n" +
		"recording.url = " + store.URL + "/upload/{file}\n" +
		"recording.method = put\n" +
		"recording.delete_after_upload = 1\n"
	appendConfig(t, cfg, policy)
	state := t.TempDir()
	p := startPhone(t, "--config", cfg, "--state", state, "--audio-dir", audio)
	p.waitState("registered", bothRegistered)
	bs := baresiptest.Start(t, baresiptest.Options{User: kamailiotest.User2, Password: kamailiotest.Password2,
		Registrar: kam.Addr(), AutoAnswer: true, ToneHz: 700})
	kam.WaitRegistered(t, kamailiotest.User2, true, 10*time.Second)

	p.press("1", "0", "0", "2", "ok")
	p.waitState("recorded call", func(s apiState) bool {
		if len(s.Calls) != 1 {
			return false
		}
		m, _ := s.Calls[0].(map[string]any)
		return m["state"] == "connected" && m["recording"] == true
	})
	time.Sleep(2 * time.Second) // two seconds of conversation
	p.press("headset")
	bs.WaitEvent(t, "CALL_CLOSED")

	var wav string
	deadline := time.Now().Add(20 * time.Second)
	for wav == "" {
		files, _ := filepath.Glob(filepath.Join(store.UploadDir, "*.wav"))
		if len(files) > 0 {
			wav = files[0]
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("no recording reached the storage server; uploads: %v", store.Requests(t))
		}
		time.Sleep(50 * time.Millisecond)
	}
	left, right := stereo(t, wav)
	if !dominant(lastSecondWithSound(left), 8000, 1000, 700) {
		t.Error("the left channel does not carry the agent's 1 kHz")
	}
	if !dominant(lastSecondWithSound(right), 8000, 700, 1000) {
		t.Error("the right channel does not carry baresip's 700 Hz")
	}
	// The announcement went to the far end with the agent's voice, at the
	// start of the recording, and not later.
	first := left[:min(len(left), 8000)]
	if goertzel(first, 8000, 1500) < 0.1*goertzel(first, 8000, 1000) {
		t.Error("the recording announcement is not in what the agent's side sent")
	}
	if last := lastSecondWithSound(left); goertzel(last, 8000, 1500) > 0.01*goertzel(last, 8000, 1000) {
		t.Error("the announcement is still playing a second later")
	}
	// Confirmed by the server, so the phone's copy goes (delete_after_upload).
	deadline = time.Now().Add(10 * time.Second)
	for {
		left, _ := filepath.Glob(filepath.Join(state, "recordings", "*.wav"))
		if len(left) == 0 {
			break
		}
		if time.Now().After(deadline) {
			t.Errorf("the uploaded recording stays on the phone: %v", left)
			break
		}
		time.Sleep(50 * time.Millisecond)
	}
	if !strings.HasSuffix(wav, ".wav") {
		t.Errorf("uploaded %s", wav)
	}
}

// TestCallRecordedToS3 records a call and finds the recording in an
// S3-compatible server (versitygw, SigV4, path-style) byte for byte equal
// to the copy the phone keeps.
func TestCallRecordedToS3(t *testing.T) {
	baresiptest.Require(t)
	kam := kamailiotest.Start(t, "registrar")
	s3 := s3test.Start(t)
	audio := t.TempDir()
	writeRawTone(t, filepath.Join(audio, "headset-in.raw"), 1000, 60*time.Second)
	cfg := registrarConfig(t, kam)
	policy := "recording.account.outbound.onnet.enabled = 1\n" +
		"recording.account.outbound.offnet.enabled = 1\n" +
		"recording.format = wav_stereo\n" +
		"recording.url = " + s3.URL + "/" + s3.Bucket + "\n" +
		"recording.method = s3\n" +
		"recording.s3.region = " + s3.Region + "\n" +
		"recording.s3.access_key = " + s3.AccessKey + "\n" +
		"recording.s3.secret_key = " + s3.SecretKey + "\n" +
		"recording.delete_after_upload = 0\n"
	appendConfig(t, cfg, policy)
	state := t.TempDir()
	p := startPhone(t, "--config", cfg, "--state", state, "--audio-dir", audio)
	p.waitState("registered", bothRegistered)
	bs := baresiptest.Start(t, baresiptest.Options{User: kamailiotest.User2, Password: kamailiotest.Password2,
		Registrar: kam.Addr(), AutoAnswer: true, ToneHz: 700})
	kam.WaitRegistered(t, kamailiotest.User2, true, 10*time.Second)

	p.press("1", "0", "0", "2", "ok")
	p.waitState("connected", func(s apiState) bool { return callField(s, "state") == "connected" })
	time.Sleep(time.Second)
	p.press("headset")
	bs.WaitEvent(t, "CALL_CLOSED")

	deadline := time.Now().Add(20 * time.Second)
	for {
		local, _ := filepath.Glob(filepath.Join(state, "recordings", "*.wav"))
		if len(local) == 1 {
			id := strings.TrimSuffix(filepath.Base(local[0]), filepath.Ext(local[0]))
			id = id[:strings.LastIndex(id, "-")] // the recording's ID, without the segment
			stored, err := os.ReadFile(s3.ObjectPath(id + "/" + filepath.Base(local[0])))
			if err == nil {
				mine, err := os.ReadFile(local[0])
				if err != nil {
					t.Fatal(err)
				}
				if sha256.Sum256(stored) != sha256.Sum256(mine) {
					t.Fatal("the object in S3 differs from the phone's recording")
				}
				left, right := stereo(t, local[0])
				if !dominant(lastSecondWithSound(left), 8000, 1000, 700) || !dominant(lastSecondWithSound(right), 8000, 700, 1000) {
					t.Error("the recording's channels do not carry the agent's and baresip's tones")
				}
				return
			}
		}
		if time.Now().After(deadline) {
			t.Fatalf("no recording in S3; the phone has %v", local)
		}
		time.Sleep(100 * time.Millisecond)
	}
}

// TestPowerCutMidRecording kills ccphoned (SIGKILL, like a power cut)
// in the middle of a recorded call: the next start repairs the recording,
// keeping all but at most the last second, and uploads it.
func TestPowerCutMidRecording(t *testing.T) {
	if testing.Short() {
		t.Skip("builds and kills the binary")
	}
	baresiptest.Require(t)
	kam := kamailiotest.Start(t, "registrar")
	store := nginxtest.Start(t, nginxtest.Options{Root: t.TempDir()})
	bin := filepath.Join(t.TempDir(), "ccphoned")
	if out, err := exec.Command("go", "build", "-o", bin, ".").CombinedOutput(); err != nil {
		t.Fatalf("build: %v\n%s", err, out)
	}
	audio := t.TempDir()
	writeRawTone(t, filepath.Join(audio, "headset-in.raw"), 1000, 60*time.Second)
	cfg := registrarConfig(t, kam)
	appendConfig(t, cfg, "recording.account.outbound.onnet.enabled = 1\n"+
		"recording.account.outbound.offnet.enabled = 1\n"+
		"recording.format = wav_stereo\n"+
		"recording.url = "+store.URL+"/upload/{file}\n")
	state := t.TempDir()
	start := func() (*exec.Cmd, *phone) {
		cmd := exec.Command(bin, "--board", "sim", "--panel", "127.0.0.1:0", "--config", cfg, "--state", state, "--audio-dir", audio)
		stdout, err := cmd.StdoutPipe()
		if err != nil {
			t.Fatal(err)
		}
		if err := cmd.Start(); err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { cmd.Process.Kill(); cmd.Wait() })
		line, err := bufio.NewReader(stdout).ReadString('\n')
		if err != nil {
			t.Fatal(err)
		}
		_, url, _ := strings.Cut(strings.TrimSpace(line), "front panel at ")
		return cmd, &phone{t: t, url: url}
	}
	cmd, p := start()
	p.waitState("registered", bothRegistered)
	baresiptest.Start(t, baresiptest.Options{User: kamailiotest.User2, Password: kamailiotest.Password2,
		Registrar: kam.Addr(), AutoAnswer: true, ToneHz: 700})
	kam.WaitRegistered(t, kamailiotest.User2, true, 10*time.Second)
	p.press("1", "0", "0", "2", "ok")
	p.waitState("recorded call", func(s apiState) bool {
		m, _ := callMap(s)
		return m["state"] == "connected" && m["recording"] == true
	})
	talk := time.Now()
	time.Sleep(3 * time.Second)
	recorded := time.Since(talk)
	if err := cmd.Process.Signal(syscall.SIGKILL); err != nil {
		t.Fatal(err)
	}
	cmd.Wait()

	// The next start repairs and uploads what the cut left.
	_, p = start()
	p.waitState("registered again", bothRegistered)
	var wav string
	deadline := time.Now().Add(20 * time.Second)
	for wav == "" {
		files, _ := filepath.Glob(filepath.Join(store.UploadDir, "*.wav"))
		if len(files) > 0 {
			wav = files[0]
		} else if time.Now().After(deadline) {
			t.Fatal("the repaired recording was not uploaded")
		} else {
			time.Sleep(50 * time.Millisecond)
		}
	}
	left, right := stereo(t, wav)
	kept := time.Duration(len(left)) * time.Second / 8000
	if kept < recorded-time.Second {
		t.Errorf("kept %v of about %v recorded: more than a second lost", kept, recorded)
	}
	if !dominant(lastSecondWithSound(left), 8000, 1000, 700) || !dominant(lastSecondWithSound(right), 8000, 700, 1000) {
		t.Error("the repaired recording's channels do not carry the two tones")
	}
}

func callMap(s apiState) (map[string]any, bool) {
	if len(s.Calls) == 0 {
		return nil, false
	}
	m, ok := s.Calls[0].(map[string]any)
	return m, ok
}
