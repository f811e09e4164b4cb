package main

import (
	"encoding/binary"
	"encoding/json"
	"net/http"
	"os"
	"regexp"
	"slices"
	"strconv"
	"testing"
	"time"
)

// apiCall is one entry of /api/state's calls.
type apiCall struct {
	Line      int    `json:"line"`
	State     string `json:"state"`
	Direction string `json:"direction"`
	Remote    string `json:"remote"`
	Recording bool   `json:"recording"`
}

// callList decodes the calls of s, in call-appearance order (the first is
// shown on line key 1).
func callList(t testing.TB, s apiState) []apiCall {
	t.Helper()
	data, err := json.Marshal(s.Calls)
	if err != nil {
		t.Fatal(err)
	}
	var out []apiCall
	if err := json.Unmarshal(data, &out); err != nil {
		t.Fatal(err)
	}
	return out
}

// callStates returns the states of the calls in s, in order, e.g.
// ["held", "connected"].
func callStates(s apiState) []string {
	var out []string
	for _, c := range s.Calls {
		m, _ := c.(map[string]any)
		v, _ := m["state"].(string)
		out = append(out, v)
	}
	return out
}

func sameStrings(a []string, b ...string) bool { return slices.Equal(a, b) }

// ledIs reports whether LED name shows color and pattern.
func ledIs(s apiState, name, color, pattern string) bool {
	l, ok := s.LEDs[name]
	return ok && l.Color == color && l.Pattern == pattern
}

// moreState is what /api/state carries beyond apiState.
type moreState struct {
	AutoAnswer  bool `json:"auto_answer"`
	Voicemail   int  `json:"voicemail"`
	MissedCalls int  `json:"missed_calls"`
	// Notice is the message the LCD shows over the screen, if any.
	Notice string `json:"notice"`
}

func (p *phone) more() moreState {
	p.t.Helper()
	resp, err := http.Get(p.url + "api/state")
	if err != nil {
		p.t.Fatal(err)
	}
	defer resp.Body.Close()
	var m moreState
	if err := json.NewDecoder(resp.Body).Decode(&m); err != nil {
		p.t.Fatal(err)
	}
	return m
}

// waitNotice polls /api/state until the LCD shows the notice text.
func (p *phone) waitNotice(text string) {
	p.t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	var seen []string
	for {
		n := p.more().Notice
		if n == text {
			return
		}
		if n != "" && (len(seen) == 0 || seen[len(seen)-1] != n) {
			seen = append(seen, n)
		}
		if time.Now().After(deadline) {
			p.t.Fatalf("the LCD never showed %q; it showed %q", text, seen)
		}
		time.Sleep(5 * time.Millisecond)
	}
}

var listenPortRE = regexp.MustCompile(`(?m)^sip\.listen_port = (\d+)$`)

// sipAddr returns the phone's SIP address from its config file.
func sipAddr(t *testing.T, cfg string) string {
	t.Helper()
	data, err := os.ReadFile(cfg)
	if err != nil {
		t.Fatal(err)
	}
	m := listenPortRE.FindSubmatch(data)
	if m == nil {
		t.Fatalf("%s has no sip.listen_port", cfg)
	}
	port, _ := strconv.Atoi(string(m[1]))
	return "127.0.0.1:" + strconv.Itoa(port)
}

// rawSize returns how many bytes an audio port's output file holds now:
// a mark to read what the port played after it.
func rawSize(t *testing.T, path string) int64 {
	t.Helper()
	fi, err := os.Stat(path)
	if err != nil {
		t.Fatal(err)
	}
	return fi.Size() &^ 1
}

// rawSince returns the samples an audio port played after mark.
func rawSince(t *testing.T, path string, mark int64) []int16 {
	t.Helper()
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	if mark > int64(len(data)) {
		t.Fatalf("%s shrank below %d bytes", path, mark)
	}
	data = data[mark:]
	out := make([]int16, len(data)/2)
	for i := range out {
		out[i] = int16(binary.LittleEndian.Uint16(data[2*i:]))
	}
	return out
}

// burst returns n samples from the first one louder than level, or nil
// when none is.
func burst(samples []int16, level int16, n int) []int16 {
	for i, v := range samples {
		if abs16(v) > level {
			return samples[i:min(i+n, len(samples))]
		}
	}
	return nil
}

// logOnFailure logs the phone's log when the test has failed, at the end.
func logOnFailure(t *testing.T, p *phone) {
	t.Cleanup(func() {
		if t.Failed() {
			t.Logf("ccphoned log:\n%s", p.stderr)
		}
	})
}
