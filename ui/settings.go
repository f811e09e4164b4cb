package ui

import "time"

// Setting keys the phone changes itself when the user asks. They are
// user-owned settings of the provisioning schema; Options.SaveSetting
// persists them.
const (
	KeyLanguage   = "phone.language"
	KeyContrast   = "lcd.contrast"
	KeyRingVolume = "ringer.volume"
	// KeyHeadsetVolume and KeySpeakerVolume are the levels of what the
	// agent hears in calls on the headset and on the speaker.
	KeyHeadsetVolume = "headset.volume"
	KeySpeakerVolume = "speaker.volume"
	KeyDND           = "phone.dnd"
	KeyAutoAnswer    = "phone.auto_answer"
	KeyRingSpeaker   = "ringer.speaker"
	KeyMonitorMode   = "monitor.mode"
)

// Limits of the user-adjustable levels.
const (
	MaxContrast   = 63
	MaxRingVolume = 10
	MaxVolume     = 10 // headset and speaker
)

// NumLines is how many SIP lines the phone has.
const NumLines = 2

// Settings is what the UI reads from the configuration. It is a plain
// value: the caller builds it from the provisioning config and hands the
// phone a new one whenever the config changes.
type Settings struct {
	Language         string // catalog code, e.g. "en"
	Contrast         int    // 0..MaxContrast
	Backlight        int    // percent
	RingVolume       int    // 0..MaxRingVolume
	HeadsetVolume    int    // 0..MaxVolume: the agent's ear in calls
	SpeakerVolume    int    // 0..MaxVolume: calls on the speaker
	DND              bool
	AutoAnswer       bool
	AutoAnswerBeep   bool   // beep in the headset when a call is answered automatically
	RingSpeaker      bool   // ringing goes to the speaker (Hold / Mute ringing lit)
	Clock24          bool   // 24-hour clock
	MonitorMode      string // the supervisor port: off, listen, whisper or barge
	MonitorIndicator bool   // show the agent that the monitor headset is plugged in
	Lines            [NumLines]LineSettings

	DNDCode           int           // SIP status for calls refused by DND: 486, 480 or 603
	AllowIntercom     bool          // honour auto answer asked for by a trusted server
	PoundSends        bool          // # ends the number and dials it
	DialTimeout       time.Duration // dial after this long without a digit; 0 means DefaultDialTimeout
	RecordFeatureCode string        // dialled during a call, starts or stops recording (e.g. "*1"); "" for none
	Hotline           string        // the number the Headset key dials when idle; "" for none
	HotlineDelay      time.Duration // wait before dialling the hotline; a digit typed meanwhile dials that instead
}

// LineSettings is one account as the UI shows it.
type LineSettings struct {
	Enabled   bool
	Label     string // shown on the idle screen
	User      string // user name, for the status screen
	Server    string // primary registrar host:port
	Forward   string // call-forward-always target; shown as an indicator
	Voicemail string // the number a long press on 1 dials
}

// DefaultSettings returns the settings of an unconfigured phone.
func DefaultSettings() Settings {
	return Settings{Language: "en", Contrast: 32, Backlight: 100, RingVolume: 5, HeadsetVolume: 5, SpeakerVolume: 5, Clock24: true,
		DNDCode: 486, PoundSends: true, MonitorMode: "listen", MonitorIndicator: true}
}
