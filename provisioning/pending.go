package provisioning

import (
	"slices"
	"strconv"
	"strings"
)

// LineOf returns the line (account) a key belongs to: N for account.N.*
// keys, 0 for every other key.
func LineOf(key string) int {
	sub := Subsystem(key)
	rest, ok := strings.CutPrefix(sub, "account.")
	if !ok {
		return 0
	}
	n, err := strconv.Atoi(rest)
	if err != nil {
		return 0
	}
	return n
}

// needsIdlePhone reports whether applying key disturbs every call: the
// SIP transport (sip.*) and the RTP port range (rtp.*).
func needsIdlePhone(key string) bool {
	switch Subsystem(key) {
	case "sip", "rtp":
		return true
	}
	return false
}

// PendingChanges decides which changed keys the phone may apply at once
// and which must wait, so provisioning never drops a call:
//
//   - account.N.* keys wait while line N is busy (in a call, ringing,
//     dialling, held); the other line's keys apply at once, so a changed
//     idle line re-registers and a busy one keeps its call;
//   - sip.* and rtp.* keys (transport, ports) wait until no line is busy;
//   - every other key (LCD, ringer, language, provisioning...) applies at
//     once.
//
// It records keys only: when a line becomes idle, apply those keys'
// values from the newest Config. The zero value is ready to use. A
// PendingChanges belongs to the phone's event loop and is not safe for
// concurrent use.
type PendingChanges struct {
	lines map[int][]string // by line: keys waiting for it to be idle
	phone []string         // keys waiting for every line to be idle
}

// Add takes the keys a new Config changed, and busy, which reports
// whether a line is in use now. It returns the keys to apply now: the
// new ones that need not wait, plus those waiting for a line that is
// idle by now. The rest wait for LineIdle.
func (pc *PendingChanges) Add(changed []string, busy func(line int) bool) (now []string) {
	anyBusy := false
	for n := 1; n <= Accounts; n++ {
		if busy(n) {
			anyBusy = true
		}
	}
	for _, key := range changed {
		line := LineOf(key)
		switch {
		case line > 0 && busy(line):
			pc.wait(line, key)
		case line == 0 && needsIdlePhone(key) && anyBusy:
			pc.wait(0, key)
		default:
			now = append(now, key)
		}
	}
	for n := 1; n <= Accounts; n++ {
		if !busy(n) {
			now = appendNew(now, pc.take(n)...)
		}
	}
	if !anyBusy {
		now = appendNew(now, pc.take(0)...)
	}
	return now
}

// LineIdle is called when line becomes idle; allIdle says whether every
// line is idle now. It returns the keys that waited for it (and, when
// allIdle, those that waited for the whole phone) and forgets them.
func (pc *PendingChanges) LineIdle(line int, allIdle bool) []string {
	keys := pc.take(line)
	if allIdle {
		keys = appendNew(keys, pc.take(0)...)
	}
	return keys
}

// Waiting returns the keys waiting for line (0: for the whole phone).
func (pc *PendingChanges) Waiting(line int) []string {
	if line == 0 {
		return slices.Clone(pc.phone)
	}
	return slices.Clone(pc.lines[line])
}

func (pc *PendingChanges) wait(line int, key string) {
	if line == 0 {
		pc.phone = appendNew(pc.phone, key)
		return
	}
	if pc.lines == nil {
		pc.lines = make(map[int][]string)
	}
	pc.lines[line] = appendNew(pc.lines[line], key)
}

func (pc *PendingChanges) take(line int) []string {
	if line == 0 {
		keys := pc.phone
		pc.phone = nil
		return keys
	}
	keys := pc.lines[line]
	delete(pc.lines, line)
	return keys
}

// appendNew appends the keys not already in list.
func appendNew(list []string, keys ...string) []string {
	for _, k := range keys {
		if !slices.Contains(list, k) {
			list = append(list, k)
		}
	}
	return list
}
