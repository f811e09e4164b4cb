package main

import (
	"crypto/sha256"
	"encoding/binary"
	"os"
	"path/filepath"
	"strings"
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
	store := nginxtest.Start(t, nginxtest.Options{Root: t.TempDir()})
	audio := t.TempDir()
	writeRawTone(t, filepath.Join(audio, "headset-in.raw"), 1000, 60*time.Second)
	cfg := registrarConfig(t, kam)
	policy := "recording.account.outbound.onnet.enabled = 1\n" +
		"recording.account.outbound.offnet.enabled = 1\n" +
		"recording.format = wav_stereo\n" +
		"recording.url = " + store.URL + "/upload/{file}\n" +
		"recording.method = put\n" +
		"recording.delete_after_upload = 1\n"
	f, err := os.OpenFile(cfg, os.O_APPEND|os.O_WRONLY, 0)
	if err != nil {
		t.Fatal(err)
	}
	f.WriteString(policy)
	f.Close()
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
	f, err := os.OpenFile(cfg, os.O_APPEND|os.O_WRONLY, 0)
	if err != nil {
		t.Fatal(err)
	}
	f.WriteString(policy)
	f.Close()
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
