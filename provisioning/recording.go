package provisioning

import (
	"errors"
	"fmt"
	"net/url"
	"strconv"
	"strings"
	"time"
)

// The recording policy follows KAZOO's call recording model, from the
// 2600Hz KAZOO documentation "Call Recording"
// (https://docs.2600hz.com/dev/doc/user_guides/call_recording/, the same
// text as doc/user_guides/call_recording.md in github.com/2600hz/kazoo)
// and from how kz_endpoint.erl (core/kazoo_endpoint) merges the
// call_recording objects of account, owner (user) and device:
//
//   - "Precedence of settings is: Device > User. If a user turns on call
//     recording but a device has explicitly disabled it, the device will
//     not be recorded when the user makes a call with it. If the device's
//     settings are left undefined, the user's settings will be applied."
//   - "The account's settings are considered independently of the
//     endpoint's. So a user who has disabled recording, within an account
//     that has enabled recording, will still have calls recorded according
//     to the account's settings."
//   - Endpoint (user, device) rules are relative to the endpoint: inbound
//     onnet/offnet are calls to it from an internal/external caller,
//     outbound onnet/offnet are its calls to an internal/external number.
//   - Account rules are relative to the switch: inbound.X is keyed by the
//     network the call comes from, outbound.Y by the network it goes to,
//     and the account starts one recording per call, preferring the
//     inbound rule ("yes (if inbound -> onnet isn't configured)" in the
//     recording settings matrix).
//   - Every other field (format, time limit, URL...) merges key by key,
//     device over user (kz_json:merge of the owner's and the device's
//     call_recording); what neither sets falls back to system defaults
//     (system_config/media), here the phone-wide recording.* settings.

// CallDirection says who placed a call, seen from the phone.
type CallDirection int

// The directions.
const (
	Inbound  CallDirection = iota + 1 // the remote party called the phone
	Outbound                          // the phone called the remote party
)

// String returns "inbound" or "outbound", as the setting keys spell it.
func (d CallDirection) String() string {
	switch d {
	case Inbound:
		return "inbound"
	case Outbound:
		return "outbound"
	}
	return "CallDirection(" + strconv.Itoa(int(d)) + ")"
}

// Network says whether the remote party of a call is inside the PBX
// (onnet: another extension) or outside it (offnet: the PSTN, another
// company).
type Network int

// The networks. NetworkUnknown in a CallInfo asks RecordingDecision to
// classify the remote party itself (Config.RemoteNetwork).
const (
	NetworkUnknown Network = iota
	Onnet
	Offnet
)

// String returns "onnet", "offnet" or "unknown".
func (n Network) String() string {
	switch n {
	case Onnet:
		return "onnet"
	case Offnet:
		return "offnet"
	case NetworkUnknown:
		return "unknown"
	}
	return "Network(" + strconv.Itoa(int(n)) + ")"
}

// RecordingLevel is the level of the policy that decided to record a call.
type RecordingLevel int

// The levels, from no recording to the most specific rule.
const (
	LevelNone     RecordingLevel = iota // not recorded
	LevelOnDemand                       // the agent asked (Record softkey, feature code)
	LevelServer                         // the PBX required it (recording.server_header, SIP INFO)
	LevelAccount                        // recording.account.<direction>.<network>.enabled
	LevelUser                           // account.N.recording.<direction>.<network>.enabled
	LevelDevice                         // recording.device.<direction>.<network>.enabled
)

// String returns "none", "on_demand", "server", "account", "user" or
// "device".
func (l RecordingLevel) String() string {
	switch l {
	case LevelNone:
		return "none"
	case LevelOnDemand:
		return "on_demand"
	case LevelServer:
		return "server"
	case LevelAccount:
		return "account"
	case LevelUser:
		return "user"
	case LevelDevice:
		return "device"
	}
	return "RecordingLevel(" + strconv.Itoa(int(l)) + ")"
}

// CallInfo is what RecordingDecision needs to know about a call. It is a
// plain value.
type CallInfo struct {
	Line      int           // the account (line) of the call, 1 or 2: the KAZOO user
	Direction CallDirection // Inbound or Outbound
	// Remote is the other party as SIP gives it: a number ("1001",
	// "+14155550100"), a SIP or tel URI, or a name-addr
	// (`"Anna" <sip:1001@pbx.example.net;user=phone>`). Empty for an
	// anonymous caller.
	Remote string
	// Network, when not NetworkUnknown, is taken as is (the PBX told the
	// phone); otherwise Remote is classified with recording.internal_*.
	Network Network
	// ServerRequires is the PBX's say, nil when it said nothing: true when
	// the recording.server_header of the INVITE (or a SIP INFO "Record:
	// on") asks for recording. A PBX can add recording, never take away
	// what the provisioned policy requires, so false changes nothing.
	ServerRequires *bool
	// UserRequested is true once the agent pressed Record or dialled
	// recording.feature_code; honoured only with recording.on_demand = 1.
	UserRequested bool
}

// Decision says whether to record a call and how. It is a plain value.
type Decision struct {
	Record    bool
	Level     RecordingLevel // the rule the parameters below come from; LevelNone if !Record
	Direction CallDirection
	Network   Network // of the remote party
	// The parameters of the recording, each already resolved through its
	// fallbacks (see Config.RecordingDecision).
	Format         string        // wav, wav_stereo, wav_ulaw or wav_alaw
	SampleRate     int           // 8000 or 16000 (always 8000 for wav_ulaw and wav_alaw)
	TimeLimit      time.Duration // stop recording after this long
	MinLength      time.Duration // discard a recording shorter than this
	StartOnAnswer  bool          // start when the call is answered; false: from the first media (ringback, early media)
	FollowTransfer bool          // keep recording after the agent transfers the call (attended transfer)
	URL            string        // storage URL template; "" keeps the recording on the phone
	Method         string        // put, post or s3
	// Also lists the other rules that required the recording and name a
	// different storage URL; KAZOO would have made a recording for each,
	// the phone makes one and uploads it to every URL.
	Also []RecordingUpload
	// Rule says in words which keys decided, for logs and the panel, e.g.
	// "account.1.recording.inbound.offnet.enabled = on (user)".
	Rule string
}

// RecordingUpload is one more storage target of a recording.
type RecordingUpload struct {
	Level  RecordingLevel
	URL    string
	Method string
}

// RecordingOptions are the phone-wide recording settings that are not
// per rule. It is a plain value; printing it never shows the S3 secret.
type RecordingOptions struct {
	ServerHeader      string // INVITE header a PBX requires recording with; "" ignores headers
	Announcement      string // prompt played to both parties when recording starts; "" plays none
	OnDemand          bool   // the agent may start recording (Record softkey, FeatureCode)
	FeatureCode       string // dialled during a call to start recording; "" for none
	QuotaBytes        int64  // storage recordings may take on the phone
	DeleteAfterUpload bool   // delete the local copy once the server confirmed the upload
	S3                S3Credentials
}

// S3Credentials sign uploads with method s3 (AWS Signature Version 4).
type S3Credentials struct {
	Region    string
	AccessKey string
	SecretKey Secret
}

// Recording formats, sample rates and upload methods.
var (
	recordingFormats = []string{"wav", "wav_stereo", "wav_ulaw", "wav_alaw"}
	recordingRates   = []string{"8000", "16000"}
	recordingMethods = []string{"put", "post", "s3"}
	recordingTri     = []string{"inherit", "on", "off"}
	directions       = [...]CallDirection{Inbound, Outbound}
	networks         = [...]Network{Onnet, Offnet}
)

func withInherit(values []string) []string { return append([]string{"inherit"}, values...) }

// recordingCellFields are the fields of one rule (level × direction ×
// network), KAZOO's call_recording.<direction>.<network> object.
var recordingCellFields = []string{"enabled", "format", "sample_rate", "time_limit", "record_min_sec",
	"record_on_answer", "follow_transfer", "url", "method"}

const (
	recordingTimeLimitMin = 5
	recordingTimeLimitMax = 10800
	recordingMinSecMax    = 600
)

// recordingCellSettings are the nine settings of every direction and
// network of one level. prefix is "recording.account.",
// "account.N.recording." or "recording.device.".
func recordingCellSettings(prefix string, level RecordingLevel) []Setting {
	var out []Setting
	for _, dir := range directions {
		for _, net := range networks {
			p := prefix + dir.String() + "." + net.String() + "."
			what := cellWhat(level, dir, net)
			inherit := func(field string) string {
				switch level {
				case LevelDevice:
					return "`inherit` takes the line's `account.N.recording." + dir.String() + "." + net.String() + "." + field + "`, then `recording." + field + "`."
				}
				return "`inherit` takes `recording." + field + "`."
			}
			inheritOpt := func(field string) string {
				return strings.Replace(inherit(field), "`inherit` takes", "Empty takes", 1)
			}
			if level == LevelAccount {
				out = append(out, boolSetting(p+"enabled", "0", Admin,
					"Account rule: record "+what+". Evaluated on its own: it records even a line or device that opted out."))
			} else {
				out = append(out, enumSetting(p+"enabled", recordingTri, "inherit", Admin,
					enabledHelp(level, what)))
			}
			out = append(out,
				enumSetting(p+"format", withInherit(recordingFormats), "inherit", Admin, "Format of these recordings. "+inherit("format")),
				enumSetting(p+"sample_rate", withInherit(recordingRates), "inherit", Admin, "Sample rate of these recordings, Hz. "+inherit("sample_rate")),
				Setting{Pattern: p + "time_limit", Type: TypeOptInt, Min: recordingTimeLimitMin, Max: recordingTimeLimitMax, Owner: Admin,
					Help: "Seconds after which these recordings stop. " + inheritOpt("time_limit")},
				Setting{Pattern: p + "record_min_sec", Type: TypeOptInt, Min: 0, Max: recordingMinSecMax, Owner: Admin,
					Help: "Recordings shorter than this many seconds are discarded. " + inheritOpt("record_min_sec")},
				enumSetting(p+"record_on_answer", recordingTri, "inherit", Admin, "`on` starts recording when the call is answered, `off` with the first media (ringback, early media). "+inherit("record_on_answer")),
				enumSetting(p+"follow_transfer", recordingTri, "inherit", Admin, "`on` keeps recording after the agent transfers the call. "+inherit("follow_transfer")),
				typedSetting(p+"url", TypeURL, 255, Admin, "Storage URL template for these recordings (http or https). "+inheritOpt("url")),
				enumSetting(p+"method", withInherit(recordingMethods), "inherit", Admin, "How these recordings are uploaded. "+inherit("method")),
			)
		}
	}
	return out
}

func enabledHelp(level RecordingLevel, what string) string {
	if level == LevelDevice {
		return "Device rule (this phone, both lines): record " + what + ". `on` or `off` wins over the line's rule; `inherit` (unset) leaves it to the line's."
	}
	return "User rule (line N): record " + what + ". `inherit` (unset) records nothing by itself; the device rule wins when it is `on` or `off`."
}

// cellWhat describes the calls a rule covers.
func cellWhat(level RecordingLevel, dir CallDirection, net Network) string {
	if level == LevelAccount {
		switch {
		case dir == Inbound && net == Onnet:
			return "calls that come from onnet: every call the phone places, and calls it receives from internal numbers"
		case dir == Inbound:
			return "calls that come from offnet: calls the phone receives from external numbers"
		case net == Onnet:
			return "calls that go to onnet: calls the phone receives, and its calls to internal numbers; only when the matching inbound rule is off, as the account records a call once"
		default:
			return "calls that go to offnet: calls the phone places to external numbers; only when `recording.account.inbound.onnet.enabled` is off, as the account records a call once"
		}
	}
	where := "internal (onnet) numbers"
	if net == Offnet {
		where = "external (offnet) numbers"
	}
	if dir == Inbound {
		return "calls to the line from " + where
	}
	return "calls the line places to " + where
}

// userRecordingSettings are the user level: account.N.recording.*.
func userRecordingSettings() []Setting {
	return recordingCellSettings("account.N.recording.", LevelUser)
}

// recordingSettings are the phone-wide recording settings: the defaults
// every rule falls back to, onnet detection, the account and device
// levels, and what is not per rule.
func recordingSettings() []Setting {
	out := []Setting{
		enumSetting("recording.format", recordingFormats, "wav", Admin, "Default format: `wav` (16-bit PCM, both parties mixed), `wav_stereo` (agent left, remote party right), `wav_ulaw` or `wav_alaw` (G.711 in WAV, always 8000 Hz)."),
		enumSetting("recording.sample_rate", recordingRates, "8000", Admin, "Default sample rate, Hz."),
		intSetting("recording.time_limit", recordingTimeLimitMin, recordingTimeLimitMax, 3600, Admin, "Default seconds after which a recording stops."),
		intSetting("recording.record_min_sec", 0, recordingMinSecMax, 0, Admin, "Default: recordings shorter than this many seconds are discarded."),
		boolSetting("recording.record_on_answer", "1", Admin, "Default: 1 starts recording when the call is answered, 0 with the first media (ringback, early media)."),
		boolSetting("recording.follow_transfer", "1", Admin, "Default: keep recording after the agent transfers the call."),
		typedSetting("recording.url", TypeURL, 255, Admin, "Default storage URL template (http or https); `{mac}`, `{line}`, `{user}`, `{direction}`, `{network}`, `{remote}`, `{call_id}` and `{start}` (UTC, `20060102T150405Z`) are replaced. Empty keeps recordings on the phone."),
		enumSetting("recording.method", recordingMethods, "put", Admin, "Default upload: HTTP `put` or `post` (digest or basic auth with the URL's user info), or `s3` (PUT signed with recording.s3.*)."),

		typedSetting("recording.internal_patterns", TypeNumberPatterns, 1024, Admin, "Numbers that are onnet (internal), e.g. `[1-8]xx,9[0-4]xx`: digits, `*`, `#` and `+` match themselves, `x` any digit, `[1-5]` or `[135]` one of, a final `.` repeats the element before it any number of times (`9x.`). A pattern matches the whole number. Numbers that match none are offnet."),
		typedSetting("recording.internal_domains", TypeHostList, 1024, Admin, "SIP domains whose users are onnet (`pbx.example.net,*.corp.example.net`). When set, a remote URI in any other domain is offnet whatever its number; a number in a listed domain is still matched against recording.internal_patterns when they are set."),
		typedSetting("recording.server_header", TypeToken, 64, Admin, "INVITE header with which a PBX requires recording (`X-Record: on`); also `Record: on` in a SIP INFO. Values on, yes, true, 1 and start require it. Empty ignores such headers. Takes effect at the next idle restart."),
		stringSetting("recording.announcement", 255, "", Admin, "Prompt played to both parties when a recording starts: an MP3 file on the phone or an http(s) URL. Empty plays none."),
		boolSetting("recording.on_demand", "0", Admin, "Let the agent start recording a call (Record softkey, recording.feature_code). It cannot stop a recording the policy requires."),
		typedSetting("recording.feature_code", TypeDialCode, 16, Admin, "Code dialled during a call to start recording, with recording.on_demand = 1. Empty turns it off."),
		intSetting("recording.quota_mb", 1, 65536, 256, Admin, "Megabytes recordings may take on the phone. When full, no new recording starts; a recording is never deleted before its upload is confirmed."),
		{Pattern: "recording.quota_kb", Type: TypeOptInt, Min: 16, Max: 1 << 26, Owner: Admin,
			Help: "Kilobytes recordings may take on the phone, for boards with little storage; when set it replaces recording.quota_mb."},
		boolSetting("recording.delete_after_upload", "1", Admin, "Delete a recording from the phone once the storage server has confirmed its upload."),
		stringSetting("recording.s3.region", 32, "", Admin, "S3 region (`eu-west-1`) for method `s3`."),
		stringSetting("recording.s3.access_key", 128, "", Admin, "S3 access key ID for method `s3`."),
		{Pattern: "recording.s3.secret_key", Type: TypeString, MaxLen: 128, Owner: Admin, Secret: true,
			Help: "S3 secret access key for method `s3`. Never shown in logs or dumps."},
	}
	out = append(out, recordingCellSettings("recording.account.", LevelAccount)...)
	out = append(out, recordingCellSettings("recording.device.", LevelDevice)...)
	return out
}

// RecordingOptions returns the phone-wide recording settings.
func (c *Config) RecordingOptions() RecordingOptions {
	return RecordingOptions{
		ServerHeader:      c.String("recording.server_header"),
		Announcement:      c.String("recording.announcement"),
		OnDemand:          c.Bool("recording.on_demand"),
		FeatureCode:       c.String("recording.feature_code"),
		QuotaBytes:        c.recordingQuota(),
		DeleteAfterUpload: c.Bool("recording.delete_after_upload"),
		S3: S3Credentials{
			Region:    c.String("recording.s3.region"),
			AccessKey: c.String("recording.s3.access_key"),
			SecretKey: Secret(c.String("recording.s3.secret_key")),
		},
	}
}

// recordingQuota is recording.quota_kb when set, else recording.quota_mb,
// in bytes.
func (c *Config) recordingQuota() int64 {
	if c.String("recording.quota_kb") != "" {
		return int64(c.Int("recording.quota_kb")) << 10
	}
	return int64(c.Int("recording.quota_mb")) << 20
}

// RecordHeaderValue reads the value of the recording.server_header
// header or of a SIP INFO "Record:" header: on, yes, true, 1 and start
// require recording (true, true); off, no, false, 0 and stop do not
// (false, true); anything else is not understood (false, false), and
// the caller leaves CallInfo.ServerRequires nil.
func RecordHeaderValue(v string) (require, ok bool) {
	v, _, _ = strings.Cut(v, ";")
	switch strings.ToLower(trimSpace(v)) {
	case "on", "yes", "true", "1", "start":
		return true, true
	case "off", "no", "false", "0", "stop":
		return false, true
	}
	return false, false
}

// recordingCell is one rule's fields as set at one level; the zero
// values mean "not set here" (inherit).
type recordingCell struct {
	key            string // prefix of the rule's keys, for Rule
	enabled        string // "on", "off" or "" (inherit)
	format         string
	sampleRate     int
	timeLimit      int
	minSec         int
	minSecSet      bool
	onAnswer       string // "on", "off" or ""
	followTransfer string
	url            string
	method         string
}

func (c *Config) recordingCell(prefix string, dir CallDirection, net Network) recordingCell {
	p := prefix + dir.String() + "." + net.String() + "."
	opt := func(field string) string {
		if v := c.String(p + field); v != "inherit" {
			return v
		}
		return ""
	}
	cell := recordingCell{
		key:            p,
		enabled:        opt("enabled"),
		format:         opt("format"),
		sampleRate:     c.Int(p + "sample_rate"),
		timeLimit:      c.Int(p + "time_limit"),
		onAnswer:       opt("record_on_answer"),
		followTransfer: opt("follow_transfer"),
		url:            c.String(p + "url"),
		method:         opt("method"),
	}
	if c.String(p+"record_min_sec") != "" {
		cell.minSec, cell.minSecSet = c.Int(p+"record_min_sec"), true
	}
	switch cell.enabled { // the account level is a bool
	case "1":
		cell.enabled = "on"
	case "0":
		cell.enabled = "off"
	}
	return cell
}

// merge returns c with every field c leaves unset taken from under.
func (c recordingCell) merge(under recordingCell) recordingCell {
	str := func(a, b string) string {
		if a != "" {
			return a
		}
		return b
	}
	num := func(a, b int) int {
		if a != 0 {
			return a
		}
		return b
	}
	out := recordingCell{
		key: c.key, enabled: str(c.enabled, under.enabled), format: str(c.format, under.format),
		sampleRate: num(c.sampleRate, under.sampleRate), timeLimit: num(c.timeLimit, under.timeLimit),
		minSec: c.minSec, minSecSet: c.minSecSet,
		onAnswer: str(c.onAnswer, under.onAnswer), followTransfer: str(c.followTransfer, under.followTransfer),
		url: str(c.url, under.url), method: str(c.method, under.method),
	}
	if !c.minSecSet {
		out.minSec, out.minSecSet = under.minSec, under.minSecSet
	}
	return out
}

// recordingDefaults is the bottom of every merge: the recording.* keys.
func (c *Config) recordingDefaults() recordingCell {
	onOff := func(key string) string {
		if c.Bool(key) {
			return "on"
		}
		return "off"
	}
	return recordingCell{
		format:         c.String("recording.format"),
		sampleRate:     c.Int("recording.sample_rate"),
		timeLimit:      c.Int("recording.time_limit"),
		minSec:         c.Int("recording.record_min_sec"),
		minSecSet:      true,
		onAnswer:       onOff("recording.record_on_answer"),
		followTransfer: onOff("recording.follow_transfer"),
		url:            c.String("recording.url"),
		method:         c.String("recording.method"),
	}
}

// RecordingDecision decides whether and how to record call. Call it when
// a call starts (INVITE received or sent) to know whether to record and
// when to start, and again whenever CallInfo changes: the PBX asks for
// recording in a SIP INFO, or the agent presses Record. It never fails:
// a call the policy does not cover is not recorded (Record false, Level
// LevelNone, Rule saying why). A zero Direction counts as Inbound.
//
// The remote party's network is CallInfo.Network, or else what
// RemoteNetwork makes of CallInfo.Remote. The phone is always onnet, so
// an outbound call comes from onnet and goes to the remote network, and
// an inbound call comes from the remote network and goes to onnet.
//
// Three rules are evaluated, as KAZOO does:
//
//	Endpoint rule, the cell <direction>.<network> of the call
//	(device = recording.device.*, user = account.<Line>.recording.*):
//
//	  device enabled | user enabled | endpoint records | level
//	  on             | any          | yes              | device
//	  off            | any          | no               | -
//	  inherit        | on           | yes              | user
//	  inherit        | off          | no               | -
//	  inherit        | inherit      | no               | -
//
//	Account rule, recording.account.* (independent of the endpoint's):
//
//	  call                       | records when                          | rule used
//	  outbound to onnet number   | inbound.onnet or outbound.onnet       | inbound.onnet if on
//	  outbound to offnet number  | inbound.onnet or outbound.offnet      | inbound.onnet if on
//	  inbound from onnet number  | inbound.onnet or outbound.onnet       | inbound.onnet if on
//	  inbound from offnet number | inbound.offnet or outbound.onnet      | inbound.offnet if on
//
//	Server and agent: ServerRequires true records (level server);
//	UserRequested records with recording.on_demand = 1 (level on_demand).
//
// The call is recorded when any rule says so; none can veto another. The
// recording's parameters come from the most specific rule that fired:
// device or user, then account, then server, then on demand. Each
// parameter resolves field by field: for the endpoint (and for server
// and on-demand recordings) the device's cell, then the user's cell, then
// the recording.* default; for the account, its cell, then the default.
// wav_ulaw and wav_alaw always record at 8000 Hz. The storage URLs of the
// other rules that fired are in Decision.Also.
//
// Two deliberate narrowings of KAZOO: the user/device precedence applies
// per cell (KAZOO's code, once a device has any call_recording object,
// treats its unset cells as disabled); and KAZOO's "any" direction and
// network are not offered (set both cells). KAZOO records in the switch,
// once per call; two ccphones in one account on an internal call each
// record their own side.
//
// RecordingDecision is safe for concurrent use.
func (c *Config) RecordingDecision(call CallInfo) Decision {
	net := call.Network
	if net != Onnet && net != Offnet {
		net = c.RemoteNetwork(call.Remote)
	}
	dir := call.Direction
	if dir != Inbound && dir != Outbound {
		dir = Inbound
	}
	d := Decision{Direction: dir, Network: net}

	type fired struct {
		level RecordingLevel
		cell  recordingCell
		rule  string
	}
	var rules []fired // most specific first
	var why []string
	defaults := c.recordingDefaults()

	// Endpoint: device over user, per cell, parameters merged per field.
	device := c.recordingCell("recording.device.", dir, net)
	user := recordingCell{}
	if call.Line >= 1 && call.Line <= Accounts {
		user = c.recordingCell("account."+strconv.Itoa(call.Line)+".recording.", dir, net)
	}
	endpoint := device.merge(user).merge(defaults)
	switch {
	case device.enabled == "on":
		rules = append(rules, fired{LevelDevice, endpoint, device.key + "enabled = on (device)"})
	case device.enabled == "off":
		why = append(why, device.key+"enabled = off")
	case user.enabled == "on":
		rules = append(rules, fired{LevelUser, endpoint, user.key + "enabled = on (user)"})
	case user.enabled == "off":
		why = append(why, user.key+"enabled = off")
	}

	// Account: keyed by where the call comes from, then where it goes.
	from, to := Onnet, net
	if dir == Inbound {
		from, to = net, Onnet
	}
	accIn := c.recordingCell("recording.account.", Inbound, from)
	accOut := c.recordingCell("recording.account.", Outbound, to)
	switch {
	case accIn.enabled == "on":
		rules = append(rules, fired{LevelAccount, accIn.merge(defaults), accIn.key + "enabled = 1 (account)"})
	case accOut.enabled == "on":
		rules = append(rules, fired{LevelAccount, accOut.merge(defaults), accOut.key + "enabled = 1 (account)"})
	}

	if call.ServerRequires != nil && *call.ServerRequires {
		rules = append(rules, fired{LevelServer, endpoint, "the PBX requires recording (server)"})
	}
	if call.UserRequested {
		if c.Bool("recording.on_demand") {
			rules = append(rules, fired{LevelOnDemand, endpoint, "the agent asked (recording.on_demand = 1)"})
		} else {
			why = append(why, "the agent asked but recording.on_demand = 0")
		}
	}

	if len(rules) == 0 {
		d.Rule = "no rule records " + dir.String() + " " + net.String() + " calls"
		if len(why) > 0 {
			d.Rule += ": " + strings.Join(why, "; ")
		}
		return d
	}
	top := rules[0]
	cell := top.cell
	d.Record, d.Level = true, top.level
	d.Format, d.SampleRate = cell.format, cell.sampleRate
	if d.Format == "wav_ulaw" || d.Format == "wav_alaw" {
		d.SampleRate = 8000
	}
	d.TimeLimit = time.Duration(cell.timeLimit) * time.Second
	d.MinLength = time.Duration(cell.minSec) * time.Second
	d.StartOnAnswer = cell.onAnswer == "on"
	d.FollowTransfer = cell.followTransfer == "on"
	d.URL, d.Method = cell.url, cell.method
	texts := make([]string, 0, len(rules))
	for _, r := range rules {
		texts = append(texts, r.rule)
		if r.level == top.level || r.cell.url == "" || r.cell.url == d.URL {
			continue
		}
		dup := false
		for _, a := range d.Also {
			dup = dup || a.URL == r.cell.url
		}
		if !dup {
			d.Also = append(d.Also, RecordingUpload{Level: r.level, URL: r.cell.url, Method: r.cell.method})
		}
	}
	d.Rule = strings.Join(texts, "; ")
	return d
}

// RemoteNetwork classifies a remote party ("1001", "+14155550100", a SIP
// or tel URI, a name-addr) as Onnet or Offnet with
// recording.internal_patterns and recording.internal_domains:
//
//	remote                                   | network
//	empty, or no user and no host            | offnet (anonymous: treated as external)
//	URI host not in internal_domains (set)   | offnet, whatever the number
//	a number, internal_patterns set          | onnet if a pattern matches
//	anything else                            | onnet if the host is in internal_domains
//
// A number is a user part of digits, '*', '#' and '+' once the visual
// separators of RFC 3966 ("-", ".", "(", ")", spaces) are removed. It is
// safe for concurrent use.
func (c *Config) RemoteNetwork(remote string) Network {
	patterns, _ := ParseNumberPatterns(c.String("recording.internal_patterns"))
	domains, _ := hostList(c.String("recording.internal_domains"))
	return classifyRemote(remote, patterns, domains)
}

func classifyRemote(remote string, patterns NumberPatterns, domains string) Network {
	user, host := splitRemote(remote)
	if user == "" && host == "" {
		return Offnet
	}
	internalHost := host != "" && hostListMatch(domains, host)
	if host != "" && domains != "" && !internalHost {
		return Offnet
	}
	if number, ok := dialNumber(user); ok && len(patterns) > 0 {
		if patterns.Match(number) {
			return Onnet
		}
		return Offnet
	}
	if internalHost {
		return Onnet
	}
	return Offnet
}

// splitRemote returns the user part and the lower-case host of a remote
// party. A bare word without '@' or scheme is a user ("1001").
func splitRemote(remote string) (user, host string) {
	r := trimSpace(remote)
	if i := strings.IndexByte(r, '<'); i >= 0 {
		r = r[i+1:]
		if j := strings.IndexByte(r, '>'); j >= 0 {
			r = r[:j]
		}
	}
	r = trimSpace(r)
	scheme := ""
	if i := strings.IndexByte(r, ':'); i > 0 {
		switch s := strings.ToLower(r[:i]); s {
		case "sip", "sips", "tel":
			scheme, r = s, r[i+1:]
		}
	}
	r, _, _ = strings.Cut(r, "?")
	if scheme == "tel" {
		user, _, _ = strings.Cut(r, ";")
		return unescape(user), ""
	}
	if at := strings.LastIndexByte(r, '@'); at >= 0 {
		user, host = r[:at], r[at+1:]
	} else if scheme != "" {
		host = r // sip:pbx.example.net
	} else {
		user = r
	}
	user, _, _ = strings.Cut(user, ";")
	user, _, _ = strings.Cut(user, ":") // user:password
	host, _, _ = strings.Cut(host, ";")
	if strings.HasPrefix(host, "[") {
		if j := strings.IndexByte(host, ']'); j > 0 {
			host = host[1:j]
		}
	} else {
		host, _, _ = strings.Cut(host, ":")
	}
	return unescape(user), strings.ToLower(strings.TrimSuffix(host, "."))
}

func unescape(s string) string {
	if u, err := url.PathUnescape(s); err == nil {
		return u
	}
	return s
}

// dialNumber strips RFC 3966 visual separators and reports whether what
// is left is a number of digits, '*', '#' and '+'.
func dialNumber(user string) (string, bool) {
	var b strings.Builder
	for i := 0; i < len(user); i++ {
		switch ch := user[i]; {
		case ch >= '0' && ch <= '9', ch == '*', ch == '#', ch == '+':
			b.WriteByte(ch)
		case ch == '-', ch == '.', ch == '(', ch == ')', ch == ' ':
		default:
			return "", false
		}
	}
	return b.String(), b.Len() > 0
}

// NumberPatterns is a parsed recording.internal_patterns: numbers in the
// dial-plan style phone admins know, with no regular expressions, so
// matching is linear and no pattern can be slow. It is immutable and safe
// for concurrent use.
type NumberPatterns []numberPattern

// numberPattern is a sequence of one-character classes; when repeat is
// set the last class may match any number of times, none included.
type numberPattern struct {
	text    string
	classes []uint16 // bit 0-9 digits, 10 '*', 11 '#', 12 '+'
	repeat  bool
}

const anyDigit uint16 = 1<<10 - 1

// ErrPattern is wrapped by ParseNumberPatterns' errors. In provisioning
// files a bad pattern is reported as an ErrType Issue naming the key.
var ErrPattern = errors.New("provisioning: bad number pattern")

// ParseNumberPatterns parses a comma-separated list of number patterns.
// In a pattern, 0-9, '*', '#' and '+' match themselves; 'x' or 'X' any
// digit; "[...]" one digit from a set of digits and ranges ("[1-5]",
// "[0-35-9]"); a final '.' repeats the element before it zero or more
// times ("9x." is 9 and any digits). A pattern matches a whole number.
// Spaces around patterns are ignored; "" is no patterns. Errors wrap
// ErrPattern.
func ParseNumberPatterns(text string) (NumberPatterns, error) {
	ps, problem := parseNumberPatterns(text)
	if problem != "" {
		return nil, fmt.Errorf("%s: %w", problem, ErrPattern)
	}
	return ps, nil
}

// parseNumberPatterns returns the patterns, or a sentence saying what is
// wrong with the first bad one.
func parseNumberPatterns(text string) (NumberPatterns, string) {
	if trimSpace(text) == "" {
		return nil, ""
	}
	var out NumberPatterns
	for _, p := range strings.Split(text, ",") {
		np, problem := parseNumberPattern(trimSpace(p))
		if problem != "" {
			return nil, problem
		}
		out = append(out, np)
	}
	return out, ""
}

func parseNumberPattern(p string) (numberPattern, string) {
	if p == "" {
		return numberPattern{}, "empty pattern in the list"
	}
	bad := func(why string) (numberPattern, string) {
		return numberPattern{}, "pattern " + strconv.Quote(shorten(p)) + " " + why
	}
	np := numberPattern{text: p}
	for i := 0; i < len(p); i++ {
		ch := p[i]
		switch {
		case ch >= '0' && ch <= '9':
			np.classes = append(np.classes, 1<<(ch-'0'))
		case ch == '*':
			np.classes = append(np.classes, 1<<10)
		case ch == '#':
			np.classes = append(np.classes, 1<<11)
		case ch == '+':
			np.classes = append(np.classes, 1<<12)
		case ch == 'x' || ch == 'X':
			np.classes = append(np.classes, anyDigit)
		case ch == '[':
			end := strings.IndexByte(p[i:], ']')
			if end < 0 {
				return bad("has an unclosed [")
			}
			set, ok := digitSet(p[i+1 : i+end])
			if !ok {
				return bad("has a bad [set]: only digits and ranges like 1-5")
			}
			np.classes = append(np.classes, set)
			i += end
		case ch == '.':
			if i != len(p)-1 || i == 0 {
				return bad("has a '.' that is not last or repeats nothing")
			}
			np.repeat = true
		default:
			return bad("has " + strconv.QuoteRune(rune(ch)))
		}
	}
	if len(np.classes) > 64 {
		return bad("is longer than 64 elements")
	}
	return np, ""
}

func digitSet(s string) (uint16, bool) {
	var set uint16
	for i := 0; i < len(s); i++ {
		lo := s[i]
		if lo < '0' || lo > '9' {
			return 0, false
		}
		hi := lo
		if i+2 < len(s) && s[i+1] == '-' {
			hi = s[i+2]
			if hi < lo || hi > '9' {
				return 0, false
			}
			i += 2
		}
		for d := lo; d <= hi; d++ {
			set |= 1 << (d - '0')
		}
	}
	return set, set != 0
}

// String returns the patterns in canonical form, "a,b".
func (ps NumberPatterns) String() string {
	texts := make([]string, len(ps))
	for i, p := range ps {
		texts[i] = p.text
	}
	return strings.Join(texts, ",")
}

// Match reports whether number (digits, '*', '#', '+') matches one of
// the patterns.
func (ps NumberPatterns) Match(number string) bool {
	for _, p := range ps {
		if p.match(number) {
			return true
		}
	}
	return false
}

func (p numberPattern) match(number string) bool {
	fixed := p.classes
	if p.repeat {
		fixed = fixed[:len(fixed)-1]
	}
	if len(number) < len(fixed) || !p.repeat && len(number) != len(fixed) {
		return false
	}
	for i := range number {
		class := p.classes[len(p.classes)-1]
		if i < len(fixed) {
			class = fixed[i]
		}
		if class&charClass(number[i]) == 0 {
			return false
		}
	}
	return true
}

func charClass(ch byte) uint16 {
	switch {
	case ch >= '0' && ch <= '9':
		return 1 << (ch - '0')
	case ch == '*':
		return 1 << 10
	case ch == '#':
		return 1 << 11
	case ch == '+':
		return 1 << 12
	}
	return 0
}

// hostList canonicalises "A.example.net, *.b.net" to
// "a.example.net,*.b.net" and returns the first entry that is not a
// host, an IP address or "*." and a host.
func hostList(text string) (canon, bad string) {
	if trimSpace(text) == "" {
		return "", ""
	}
	parts := strings.Split(text, ",")
	for i, p := range parts {
		p = strings.ToLower(trimSpace(p))
		parts[i] = p
		if !validHost(strings.TrimPrefix(p, "*.")) {
			return "", p
		}
	}
	return strings.Join(parts, ","), ""
}

// hostListMatch reports whether host is one of the canonical list's
// hosts, or a subdomain of one of its "*." entries.
func hostListMatch(list, host string) bool {
	for list != "" {
		var entry string
		entry, list, _ = strings.Cut(list, ",")
		if suffix, ok := strings.CutPrefix(entry, "*"); ok {
			if strings.HasSuffix(host, suffix) && len(host) > len(suffix) {
				return true
			}
			continue
		}
		if host == entry {
			return true
		}
	}
	return false
}

// validToken reports whether s is empty or a SIP token (RFC 3261 25.1).
func validToken(s string) bool {
	for i := 0; i < len(s); i++ {
		ch := s[i]
		if ch >= 'a' && ch <= 'z' || ch >= 'A' && ch <= 'Z' || ch >= '0' && ch <= '9' ||
			strings.IndexByte("-.!%*_+`'~", ch) >= 0 {
			continue
		}
		return false
	}
	return true
}

// recordingConflicts checks what the recording rules need across
// settings: storage URLs are http or https, and method s3 has its
// credentials.
func (c *config) recordingConflicts() ErrorList {
	var errs ErrorList
	s3 := ""
	for i := range c.schema.settings {
		st := &c.schema.settings[i]
		if !strings.Contains(st.Key, "recording.") {
			continue
		}
		text := c.values[i].text
		switch {
		case strings.HasSuffix(st.Key, ".url") && strings.HasPrefix(strings.ToLower(text), "tftp:"):
			errs = append(errs, c.issueAt(i, strconv.Quote(shorten(text))+" is a TFTP URL; recordings upload over HTTP", "an http:// or https:// URL", ErrType))
		case strings.HasSuffix(st.Key, ".method") && text == "s3" && s3 == "":
			s3 = st.Key
			for _, need := range []string{"recording.s3.region", "recording.s3.access_key", "recording.s3.secret_key"} {
				if j, ok := c.schema.index[need]; ok && c.values[j].text == "" {
					errs = append(errs, c.issueAt(i, st.Key+" = s3 but "+need+" is empty",
						"method s3 only with recording.s3.region, recording.s3.access_key and recording.s3.secret_key", ErrConflict))
				}
			}
		}
	}
	return errs
}

// markdownRecording is the part of the admin reference on the recording
// policy.
const markdownRecording = `
## Call recording

The phone records calls under a policy with KAZOO's three levels, each with
a rule for every direction and network of a call:

- **account** ` + "`recording.account.<direction>.<network>.*`" + ` — the
  account's rules. They are evaluated on their own: an account rule records
  even a line or device that opted out.
- **user** ` + "`account.N.recording.<direction>.<network>.*`" + ` — line N.
- **device** ` + "`recording.device.<direction>.<network>.*`" + ` — this phone,
  both lines. ` + "`enabled = on`" + ` or ` + "`off`" + ` wins over the line's rule;
  ` + "`inherit`" + ` (the default) leaves it to the line's.

A remote number is **onnet** when it matches
` + "`recording.internal_patterns`" + `; a named user (` + "`sip:alice@...`" + `), or any
user when no patterns are set, is onnet when its SIP domain is in
` + "`recording.internal_domains`" + `. Everything else is **offnet**: anonymous
callers, numbers no pattern matches, and URIs in domains not listed.

For user and device rules, ` + "`inbound`" + ` means calls to the line and
` + "`outbound`" + ` its calls. Account rules, as in KAZOO, are keyed by where a
call comes from (` + "`inbound.<network>`" + `) and where it goes
(` + "`outbound.<network>`" + `); the phone is always onnet. The account records
a call once, preferring its inbound rule:

| Call | Account records when |
|---|---|
| placed to an onnet number | ` + "`inbound.onnet`" + ` or ` + "`outbound.onnet`" + ` |
| placed to an offnet number | ` + "`inbound.onnet`" + ` or ` + "`outbound.offnet`" + ` |
| received from an onnet number | ` + "`inbound.onnet`" + ` or ` + "`outbound.onnet`" + ` |
| received from an offnet number | ` + "`inbound.offnet`" + ` or ` + "`outbound.onnet`" + ` |

A PBX can require recording with ` + "`recording.server_header`" + ` (or a SIP INFO
` + "`Record: on`" + `), and the agent can start it with the Record softkey or
` + "`recording.feature_code`" + ` when ` + "`recording.on_demand = 1`" + `. Neither can stop
a recording a rule requires.

Every other field of a rule may be left unset (` + "`inherit`" + ` or empty): a
device field falls back to the line's same field, and every rule to the
phone-wide ` + "`recording.format`" + `, ` + "`recording.time_limit`" + ` and so on. A call
is recorded once; when several rules fire, the parameters come from the
device or user rule, then the account's, and the recording is uploaded to
the URL of every rule that fired. Storage URLs must be http or https;
` + "`method = s3`" + ` needs ` + "`recording.s3.region`" + `, ` + "`access_key`" + ` and
` + "`secret_key`" + `.
`
