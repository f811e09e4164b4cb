package hal

import (
	"fmt"
	"time"
)

// Key names one key or switch of the phone.
type Key uint8

// The CC800's keys, then its switches. For a switch, Down means
// "closed": the monitor headset is plugged in, the handset is off hook.
const (
	KeyNone Key = iota
	KeyLine1
	KeyLine2
	KeyAutoAnswer
	KeyTransfer
	KeyHold // Hold / Mute ringing
	KeyRedial
	KeyHeadset
	KeyVol
	KeyVolDown
	KeyVolUp
	KeySoft1
	KeySoft2
	KeySoft3
	KeySoft4
	KeyMenu
	KeyOK
	KeyBack
	Key0
	Key1
	Key2
	Key3
	Key4
	Key5
	Key6
	Key7
	Key8
	Key9
	KeyStar
	KeyPound
	KeyMonitorJack // switch: the supervisor headset is plugged in
	KeyHook        // switch: off hook, on boards with a handset
	NumKeys        = iota
)

var keyNames = [NumKeys]string{
	"", "line1", "line2", "autoanswer", "transfer", "hold", "redial", "headset",
	"vol", "voldown", "volup", "soft1", "soft2", "soft3", "soft4", "menu", "ok",
	"back", "0", "1", "2", "3", "4", "5", "6", "7", "8", "9", "star", "pound",
	"monitor-jack", "hook",
}

// String returns the key's name as the sim panel API and board files
// spell it.
func (k Key) String() string {
	if int(k) < len(keyNames) && k != KeyNone {
		return keyNames[k]
	}
	return fmt.Sprintf("Key(%d)", uint8(k))
}

// ParseKey returns the key with the given name.
func ParseKey(name string) (Key, bool) {
	for i, n := range keyNames {
		if n == name && i != int(KeyNone) {
			return Key(i), true
		}
	}
	return KeyNone, false
}

// KeyNames returns every valid key name, in a fixed order.
func KeyNames() []string { return append([]string(nil), keyNames[1:]...) }

// IsSwitch reports whether k is a switch (a state that stays) rather than
// a key (pressed and released).
func (k Key) IsSwitch() bool { return k == KeyMonitorJack || k == KeyHook }

// Digit returns the dial-pad character of k ('0'-'9', '*', '#'), or 0.
func (k Key) Digit() byte {
	switch {
	case k >= Key0 && k <= Key9:
		return byte('0' + k - Key0)
	case k == KeyStar:
		return '*'
	case k == KeyPound:
		return '#'
	}
	return 0
}

// KeyEvent is one edge of a key or switch: pressed (Down) or released, at
// the time the driver saw it settle.
type KeyEvent struct {
	Key  Key
	Down bool
	At   time.Time
}

func (e KeyEvent) String() string {
	if e.Down {
		return e.Key.String() + " down"
	}
	return e.Key.String() + " up"
}
