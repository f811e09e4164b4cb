package provisioning

import (
	"errors"
	"fmt"
	"math/rand/v2"
	"sort"
	"strings"
	"testing"
	"time"
)

// recordingConfig merges the settings of set (key → value) as one file.
func recordingConfig(t *testing.T, s *Schema, set map[string]string) *Config {
	t.Helper()
	keys := make([]string, 0, len(set))
	for k := range set {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	var b strings.Builder
	for _, k := range keys {
		fmt.Fprintf(&b, "%s = %s\n", k, set[k])
	}
	return mustMerge(t, s, nil, mustParse(t, "rec.cfg", b.String()))
}

func boolPtr(b bool) *bool { return &b }

// expectRecording is the policy written out plainly from KAZOO's
// documentation, for the decision table to check RecordingDecision
// against: it returns whether the call is recorded, at which level and
// the key of the rule that decided (the one the parameters come from).
func expectRecording(set map[string]string, line int, dir, net string, server *bool) (bool, string, string) {
	get := func(key, def string) string {
		if v, ok := set[key]; ok {
			return v
		}
		return def
	}
	// Device > User: an explicit device setting wins; unset inherits.
	deviceKey := "recording.device." + dir + "." + net + ".enabled"
	userKey := fmt.Sprintf("account.%d.recording.%s.%s.enabled", line, dir, net)
	device, user := get(deviceKey, "inherit"), get(userKey, "inherit")
	if device == "on" {
		return true, "device", deviceKey
	}
	if device == "inherit" && user == "on" {
		return true, "user", userKey
	}
	// The account on its own: the phone is onnet; account inbound is
	// keyed by where the call comes from, outbound by where it goes, and
	// outbound counts only if inbound is not configured.
	from, to := "onnet", net
	if dir == "inbound" {
		from, to = net, "onnet"
	}
	if in := "recording.account.inbound." + from + ".enabled"; get(in, "0") == "1" {
		return true, "account", in
	}
	if out := "recording.account.outbound." + to + ".enabled"; get(out, "0") == "1" {
		return true, "account", out
	}
	if server != nil && *server {
		return true, "server", ""
	}
	return false, "none", ""
}

// TestRecordingDecisionTable checks every combination of the settings
// that decide a call — account rules on/off, user and device rules
// inherit/on/off, the PBX's say — for each direction, network and line,
// while every other rule of every level is set at random, against
// expectRecording.
func TestRecordingDecisionTable(t *testing.T) {
	s := DefaultSchema()
	rng := rand.New(rand.NewPCG(1, 2))
	tri := []string{"inherit", "on", "off"}
	var allEnabled []string
	for _, st := range s.Settings() {
		if strings.Contains(st.Key, "recording.") && strings.HasSuffix(st.Key, ".enabled") {
			allEnabled = append(allEnabled, st.Key)
		}
	}
	if len(allEnabled) != 16 {
		t.Fatalf("%d recording enabled keys, want 16 (4 cells × account, device, 2 lines)", len(allEnabled))
	}
	servers := []*bool{nil, boolPtr(true), boolPtr(false)}
	n := 0
	for _, dir := range []CallDirection{Inbound, Outbound} {
		for _, net := range []Network{Onnet, Offnet} {
			from, to := "onnet", net.String()
			if dir == Inbound {
				from, to = net.String(), "onnet"
			}
			accIn := "recording.account.inbound." + from + ".enabled"
			accOut := "recording.account.outbound." + to + ".enabled"
			for _, line := range []int{1, 2} {
				userKey := fmt.Sprintf("account.%d.recording.%s.%s.enabled", line, dir, net)
				deviceKey := "recording.device." + dir.String() + "." + net.String() + ".enabled"
				for _, in := range []string{"0", "1"} {
					for _, out := range []string{"0", "1"} {
						for _, user := range tri {
							for _, device := range tri {
								set := map[string]string{}
								for _, k := range allEnabled { // noise in every other rule
									if strings.HasPrefix(k, "recording.account.") {
										set[k] = []string{"0", "1"}[rng.IntN(2)]
									} else if rng.IntN(4) > 0 {
										set[k] = tri[rng.IntN(3)]
									}
								}
								set[accIn], set[accOut] = in, out
								set[userKey], set[deviceKey] = user, device
								if user == "inherit" && rng.IntN(2) == 0 {
									delete(set, userKey) // absent and "inherit" are the same
								}
								cfg := recordingConfig(t, s, set)
								for _, server := range servers {
									n++
									call := CallInfo{Line: line, Direction: dir, Network: net, ServerRequires: server}
									got := cfg.RecordingDecision(call)
									record, level, key := expectRecording(set, line, dir.String(), net.String(), server)
									name := fmt.Sprintf("line %d %s %s: %s=%s %s=%s %s=%s %s=%s server=%v",
										line, dir, net, accIn, in, accOut, out, userKey, user, deviceKey, device, fmtBool(server))
									if got.Record != record || got.Level.String() != level {
										t.Errorf("%s: Record %v level %v, want %v %s (rule %q)", name, got.Record, got.Level, record, level, got.Rule)
									}
									if key != "" && !strings.HasPrefix(got.Rule, key) {
										t.Errorf("%s: Rule %q, want it to start with %s", name, got.Rule, key)
									}
									if got.Direction != dir || got.Network != net {
										t.Errorf("%s: decision for %v %v", name, got.Direction, got.Network)
									}
								}
							}
						}
					}
				}
			}
		}
	}
	if n != 2*2*2*2*2*3*3*3 {
		t.Errorf("checked %d combinations", n)
	}
}

func fmtBool(b *bool) string {
	if b == nil {
		return "nil"
	}
	return fmt.Sprint(*b)
}

// TestRecordingKazooExamples checks the examples of KAZOO's "Call
// Recording" guide (docs.2600hz.com/dev/doc/user_guides/call_recording/)
// by name.
func TestRecordingKazooExamples(t *testing.T) {
	s := DefaultSchema()
	const (
		in, out = Inbound, Outbound
		on, off = Onnet, Offnet
	)
	type call struct {
		dir    CallDirection
		net    Network
		record bool
		level  RecordingLevel
	}
	tests := []struct {
		name  string
		set   map[string]string
		calls []call
	}{
		{"user turns recording on but the device explicitly disables it: not recorded",
			map[string]string{"account.1.recording.outbound.offnet.enabled": "on", "recording.device.outbound.offnet.enabled": "off"},
			[]call{{out, off, false, LevelNone}}},
		{"device settings left undefined: the user's settings apply",
			map[string]string{"account.1.recording.outbound.offnet.enabled": "on"},
			[]call{{out, off, true, LevelUser}}},
		{"device settings left undefined and the user disabled: not recorded",
			map[string]string{"account.1.recording.outbound.offnet.enabled": "off", "recording.device.outbound.offnet.enabled": "inherit"},
			[]call{{out, off, false, LevelNone}}},
		{"device explicitly on wins over the user's off",
			map[string]string{"account.1.recording.inbound.offnet.enabled": "off", "recording.device.inbound.offnet.enabled": "on"},
			[]call{{in, off, true, LevelDevice}}},
		{"a user who disabled recording, in an account that enabled it, is still recorded by the account",
			map[string]string{"account.1.recording.inbound.offnet.enabled": "off", "recording.device.inbound.offnet.enabled": "off",
				"recording.account.inbound.offnet.enabled": "1"},
			[]call{{in, off, true, LevelAccount}}},
		{"concrete example: sales records calls to and from customers, not calls within the account",
			map[string]string{"account.1.recording.inbound.offnet.enabled": "on", "account.1.recording.outbound.offnet.enabled": "on"},
			[]call{{in, off, true, LevelUser}, {out, off, true, LevelUser}, {in, on, false, LevelNone}, {out, on, false, LevelNone}}},

		// Account settings matrix. The phone is the onnet device: an
		// internal call is outbound onnet on the caller's phone and inbound
		// onnet on the callee's; an external call is outbound offnet; an
		// offnet caller is inbound offnet.
		{"account matrix: internal call, Account -> Inbound -> Onnet: yes",
			map[string]string{"recording.account.inbound.onnet.enabled": "1"},
			[]call{{out, on, true, LevelAccount}, {in, on, true, LevelAccount}}},
		{"account matrix: internal call, Account -> Inbound -> Offnet: no",
			map[string]string{"recording.account.inbound.offnet.enabled": "1"},
			[]call{{out, on, false, LevelNone}, {in, on, false, LevelNone}}},
		{"account matrix: internal call, Account -> Outbound -> Onnet: yes",
			map[string]string{"recording.account.outbound.onnet.enabled": "1"},
			[]call{{out, on, true, LevelAccount}, {in, on, true, LevelAccount}}},
		{"account matrix: internal call, Account -> Outbound -> Offnet: no",
			map[string]string{"recording.account.outbound.offnet.enabled": "1"},
			[]call{{out, on, false, LevelNone}, {in, on, false, LevelNone}}},
		{"account matrix: external call, Account -> Inbound -> Onnet: yes",
			map[string]string{"recording.account.inbound.onnet.enabled": "1"},
			[]call{{out, off, true, LevelAccount}}},
		{"account matrix: external call, Account -> Inbound -> Offnet: no",
			map[string]string{"recording.account.inbound.offnet.enabled": "1"},
			[]call{{out, off, false, LevelNone}}},
		{"account matrix: external call, Account -> Outbound -> Onnet: no",
			map[string]string{"recording.account.outbound.onnet.enabled": "1"},
			[]call{{out, off, false, LevelNone}}},
		{"account matrix: external call, Account -> Outbound -> Offnet: yes",
			map[string]string{"recording.account.outbound.offnet.enabled": "1"},
			[]call{{out, off, true, LevelAccount}}},
		{"account matrix: offnet caller, Account -> Inbound -> Onnet: no",
			map[string]string{"recording.account.inbound.onnet.enabled": "1"},
			[]call{{in, off, false, LevelNone}}},
		{"account matrix: offnet caller, Account -> Inbound -> Offnet: yes",
			map[string]string{"recording.account.inbound.offnet.enabled": "1"},
			[]call{{in, off, true, LevelAccount}}},
		{"account matrix: offnet caller, Account -> Outbound -> Onnet: yes",
			map[string]string{"recording.account.outbound.onnet.enabled": "1"},
			[]call{{in, off, true, LevelAccount}}},
		{"account matrix: offnet caller, Account -> Outbound -> Offnet: no",
			map[string]string{"recording.account.outbound.offnet.enabled": "1"},
			[]call{{in, off, false, LevelNone}}},

		// Endpoint settings matrix, the endpoint being the phone.
		{"endpoint matrix: internal call, Endpoint -> Outbound -> Onnet: yes (caller)",
			map[string]string{"account.1.recording.outbound.onnet.enabled": "on"},
			[]call{{out, on, true, LevelUser}, {in, on, false, LevelNone}}},
		{"endpoint matrix: internal call, Endpoint -> Inbound -> Onnet: yes (callee)",
			map[string]string{"account.1.recording.inbound.onnet.enabled": "on"},
			[]call{{in, on, true, LevelUser}}},
		{"endpoint matrix: internal call, Endpoint -> Inbound/Outbound -> Offnet: no",
			map[string]string{"account.1.recording.inbound.offnet.enabled": "on", "account.1.recording.outbound.offnet.enabled": "on"},
			[]call{{out, on, false, LevelNone}, {in, on, false, LevelNone}}},
		{"endpoint matrix: external call, Endpoint -> Outbound -> Offnet: yes",
			map[string]string{"account.1.recording.outbound.offnet.enabled": "on"},
			[]call{{out, off, true, LevelUser}}},
		{"endpoint matrix: external call, Endpoint -> Outbound -> Onnet and Inbound -> Offnet: no",
			map[string]string{"account.1.recording.outbound.onnet.enabled": "on", "account.1.recording.inbound.offnet.enabled": "on"},
			[]call{{out, off, false, LevelNone}}},
		// The guide's row "Endpoint -> Inbound -> Onnet, onnet -> offnet:
		// yes¹" (an engine detail of kz_endpoint) is not followed: the same
		// guide defines inbound onnet as calls from onnet to the endpoint,
		// which an external call placed by the phone is not.
		{"endpoint matrix: external call, Endpoint -> Inbound -> Onnet: not followed, payload semantics",
			map[string]string{"account.1.recording.inbound.onnet.enabled": "on"},
			[]call{{out, off, false, LevelNone}}},
		{"endpoint matrix: offnet caller, Endpoint -> Inbound -> Offnet: yes",
			map[string]string{"account.1.recording.inbound.offnet.enabled": "on"},
			[]call{{in, off, true, LevelUser}}},
		{"endpoint matrix: offnet caller, Endpoint -> Inbound -> Onnet, Outbound -> Onnet/Offnet: no",
			map[string]string{"account.1.recording.inbound.onnet.enabled": "on", "account.1.recording.outbound.onnet.enabled": "on",
				"account.1.recording.outbound.offnet.enabled": "on"},
			[]call{{in, off, false, LevelNone}}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			cfg := recordingConfig(t, s, tt.set)
			for _, c := range tt.calls {
				d := cfg.RecordingDecision(CallInfo{Line: 1, Direction: c.dir, Network: c.net})
				if d.Record != c.record || d.Level != c.level {
					t.Errorf("%s %s call: Record %v level %v, want %v %v (rule %q)", c.dir, c.net, d.Record, d.Level, c.record, c.level, d.Rule)
				}
			}
		})
	}
}

// TestRecordingAccountPrefersInbound checks "yes (if inbound -> onnet
// isn't configured)": with both rules on, the account records once, under
// its inbound rule, with that rule's parameters.
func TestRecordingAccountPrefersInbound(t *testing.T) {
	cfg := recordingConfig(t, DefaultSchema(), map[string]string{
		"recording.account.inbound.onnet.enabled":   "1",
		"recording.account.inbound.onnet.url":       "https://rec.example.net/in",
		"recording.account.outbound.offnet.enabled": "1",
		"recording.account.outbound.offnet.url":     "https://rec.example.net/out",
	})
	d := cfg.RecordingDecision(CallInfo{Line: 1, Direction: Outbound, Network: Offnet})
	if !d.Record || d.URL != "https://rec.example.net/in" || len(d.Also) != 0 ||
		d.Rule != "recording.account.inbound.onnet.enabled = 1 (account)" {
		t.Errorf("decision %+v", d)
	}
}

func TestRecordingParameters(t *testing.T) {
	s := DefaultSchema()
	tests := []struct {
		name string
		set  map[string]string
		call CallInfo
		want Decision
	}{
		{"defaults", map[string]string{"account.1.recording.inbound.offnet.enabled": "on"},
			CallInfo{Line: 1, Direction: Inbound, Network: Offnet},
			Decision{Record: true, Level: LevelUser, Format: "wav", SampleRate: 8000, TimeLimit: time.Hour,
				StartOnAnswer: true, FollowTransfer: true, Method: "put"}},
		{"phone-wide defaults", map[string]string{"account.1.recording.inbound.offnet.enabled": "on",
			"recording.format": "wav_stereo", "recording.sample_rate": "16000", "recording.time_limit": "600",
			"recording.record_min_sec": "3", "recording.record_on_answer": "0", "recording.follow_transfer": "0",
			"recording.url": "https://rec.example.net/{call_id}", "recording.method": "post"},
			CallInfo{Line: 1, Direction: Inbound, Network: Offnet},
			Decision{Record: true, Level: LevelUser, Format: "wav_stereo", SampleRate: 16000, TimeLimit: 10 * time.Minute,
				MinLength: 3 * time.Second, URL: "https://rec.example.net/{call_id}", Method: "post"}},
		{"user fields over the defaults, device fields over the user's, field by field",
			map[string]string{"account.2.recording.outbound.offnet.enabled": "on",
				"account.2.recording.outbound.offnet.format":           "wav_stereo",
				"account.2.recording.outbound.offnet.time_limit":       "900",
				"account.2.recording.outbound.offnet.record_min_sec":   "5",
				"account.2.recording.outbound.offnet.url":              "https://user.example.net/",
				"recording.device.outbound.offnet.time_limit":          "120",
				"recording.device.outbound.offnet.record_min_sec":      "0",
				"recording.device.outbound.offnet.follow_transfer":     "off",
				"recording.device.outbound.offnet.record_on_answer":    "inherit",
				"recording.device.outbound.offnet.sample_rate":         "16000",
				"account.1.recording.outbound.offnet.format":           "wav_alaw", // other line: ignored
				"recording.device.inbound.offnet.url":                  "https://wrong-cell.example.net/",
				"recording.account.outbound.offnet.record_on_answer":   "off", // account cell: not the endpoint's
				"account.2.recording.outbound.offnet.record_on_answer": "off"},
			CallInfo{Line: 2, Direction: Outbound, Network: Offnet},
			Decision{Record: true, Level: LevelUser, Format: "wav_stereo", SampleRate: 16000, TimeLimit: 2 * time.Minute,
				URL: "https://user.example.net/", Method: "put"}},
		{"G.711 formats record at 8000 Hz", map[string]string{"recording.device.inbound.onnet.enabled": "on",
			"recording.device.inbound.onnet.format": "wav_ulaw", "recording.sample_rate": "16000"},
			CallInfo{Line: 1, Direction: Inbound, Network: Onnet},
			Decision{Record: true, Level: LevelDevice, Format: "wav_ulaw", SampleRate: 8000, TimeLimit: time.Hour,
				StartOnAnswer: true, FollowTransfer: true, Method: "put"}},
		{"account cell over the defaults", map[string]string{"recording.account.inbound.offnet.enabled": "1",
			"recording.account.inbound.offnet.format": "wav_alaw", "recording.account.inbound.offnet.method": "s3",
			"recording.account.inbound.offnet.url": "https://bucket.s3.eu-west-1.amazonaws.com/{call_id}.wav",
			"recording.s3.region":                  "eu-west-1", "recording.s3.access_key": "AKIA", "recording.s3.secret_key": "shh",
			"recording.device.inbound.offnet.format": "wav_stereo"}, // endpoint field: not the account's
			CallInfo{Line: 1, Direction: Inbound, Network: Offnet},
			Decision{Record: true, Level: LevelAccount, Format: "wav_alaw", SampleRate: 8000, TimeLimit: time.Hour,
				StartOnAnswer: true, FollowTransfer: true, URL: "https://bucket.s3.eu-west-1.amazonaws.com/{call_id}.wav", Method: "s3"}},
		{"several rules: the endpoint's parameters, every rule's URL",
			map[string]string{"recording.account.inbound.offnet.enabled": "1", "recording.account.inbound.offnet.url": "https://compliance.example.net/",
				"account.1.recording.inbound.offnet.enabled": "on", "account.1.recording.inbound.offnet.url": "https://coaching.example.net/",
				"account.1.recording.inbound.offnet.format": "wav_stereo"},
			CallInfo{Line: 1, Direction: Inbound, Network: Offnet, ServerRequires: boolPtr(true)},
			Decision{Record: true, Level: LevelUser, Format: "wav_stereo", SampleRate: 8000, TimeLimit: time.Hour,
				StartOnAnswer: true, FollowTransfer: true, URL: "https://coaching.example.net/", Method: "put",
				Also: []RecordingUpload{{LevelAccount, "https://compliance.example.net/", "put"}}}},
		{"server requires recording: endpoint fields apply", map[string]string{"recording.device.inbound.offnet.format": "wav_stereo"},
			CallInfo{Line: 1, Direction: Inbound, Network: Offnet, ServerRequires: boolPtr(true)},
			Decision{Record: true, Level: LevelServer, Format: "wav_stereo", SampleRate: 8000, TimeLimit: time.Hour,
				StartOnAnswer: true, FollowTransfer: true, Method: "put"}},
		{"server says off: the account still records", map[string]string{"recording.account.inbound.offnet.enabled": "1"},
			CallInfo{Line: 1, Direction: Inbound, Network: Offnet, ServerRequires: boolPtr(false)},
			Decision{Record: true, Level: LevelAccount, Format: "wav", SampleRate: 8000, TimeLimit: time.Hour,
				StartOnAnswer: true, FollowTransfer: true, Method: "put"}},
		{"agent asks, on demand allowed", map[string]string{"recording.on_demand": "1"},
			CallInfo{Line: 1, Direction: Outbound, Network: Onnet, UserRequested: true},
			Decision{Record: true, Level: LevelOnDemand, Format: "wav", SampleRate: 8000, TimeLimit: time.Hour,
				StartOnAnswer: true, FollowTransfer: true, Method: "put"}},
		{"agent asks, on demand not allowed", map[string]string{},
			CallInfo{Line: 1, Direction: Outbound, Network: Onnet, UserRequested: true},
			Decision{}},
		{"no line: only the device and account levels", map[string]string{"account.1.recording.inbound.offnet.enabled": "on"},
			CallInfo{Line: 0, Direction: Inbound, Network: Offnet},
			Decision{}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			d := recordingConfig(t, s, tt.set).RecordingDecision(tt.call)
			tt.want.Direction, tt.want.Network = tt.call.Direction, tt.call.Network
			tt.want.Rule = d.Rule
			if fmt.Sprintf("%+v", d) != fmt.Sprintf("%+v", tt.want) {
				t.Errorf("decision\n got %+v\nwant %+v", d, tt.want)
			}
			if d.Rule == "" {
				t.Error("empty Rule")
			}
		})
	}
}

func TestRecordingRuleSaysWhy(t *testing.T) {
	cfg := recordingConfig(t, DefaultSchema(), map[string]string{
		"account.1.recording.inbound.offnet.enabled": "on", "recording.device.inbound.offnet.enabled": "off"})
	d := cfg.RecordingDecision(CallInfo{Line: 1, Direction: Inbound, Remote: "+14155550100", UserRequested: true})
	want := "no rule records inbound offnet calls: recording.device.inbound.offnet.enabled = off; the agent asked but recording.on_demand = 0"
	if d.Record || d.Rule != want {
		t.Errorf("Record %v, Rule %q, want %q", d.Record, d.Rule, want)
	}
}

func TestRemoteNetwork(t *testing.T) {
	s := DefaultSchema()
	both := recordingConfig(t, s, map[string]string{
		"recording.internal_patterns": "[1-8]xx, 9[0-4]xx,*x.",
		"recording.internal_domains":  "pbx.example.net,*.corp.example.net,10.0.0.5",
	})
	patternsOnly := recordingConfig(t, s, map[string]string{"recording.internal_patterns": "1xxx,+7495123xxxx"})
	domainsOnly := recordingConfig(t, s, map[string]string{"recording.internal_domains": "pbx.example.net"})
	none := recordingConfig(t, s, map[string]string{})
	tests := []struct {
		name   string
		cfg    *Config
		remote string
		want   Network
	}{
		{"empty remote (anonymous)", both, "", Offnet},
		{"anonymous URI", both, "sip:anonymous@anonymous.invalid", Offnet},
		{"bare extension", both, "101", Onnet},
		{"bare extension of a 4-digit range", both, "9412", Onnet},
		{"outside the range", both, "9512", Offnet},
		{"too long", both, "1011", Offnet},
		{"feature code", both, "*97", Onnet},
		{"E.164", both, "+14155550100", Offnet},
		{"E.164 in a tel URI with separators", patternsOnly, "tel:+7-495-123-45-67", Onnet},
		{"tel URI with parameters", patternsOnly, "tel:1001;phone-context=example.net", Onnet},
		{"extension at the PBX", both, "sip:101@pbx.example.net", Onnet},
		{"name-addr with params", both, `"Anna" <sip:101@PBX.example.net:5060;user=phone>`, Onnet},
		{"PSTN number via the PBX domain", both, "sip:+14155550100@pbx.example.net", Offnet},
		{"extension number in a foreign domain", both, "sip:101@other.example.com", Offnet},
		{"named user at a subdomain", both, "sips:alice@east.corp.example.net", Onnet},
		{"*. does not match the apex", both, "sip:alice@corp.example.net", Offnet},
		{"named user in a foreign domain", both, "sip:alice@example.org", Offnet},
		{"IP address host", both, "sip:alice@10.0.0.5:5060", Onnet},
		{"percent-encoded plus", patternsOnly, "sip:%2B74951234567@gw.example.net", Onnet},
		{"host only", domainsOnly, "sip:pbx.example.net", Onnet},
		{"patterns only: foreign domain not known to be foreign", patternsOnly, "sip:1001@other.example.com", Onnet},
		{"domains only: any user of the domain", domainsOnly, "sip:4155550100@pbx.example.net", Onnet},
		{"domains only: bare number", domainsOnly, "1001", Offnet},
		{"nothing configured", none, "sip:101@pbx.example.net", Offnet},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := tt.cfg.RemoteNetwork(tt.remote); got != tt.want {
				t.Errorf("RemoteNetwork(%q) = %v, want %v", tt.remote, got, tt.want)
			}
		})
	}
	// An unknown Network in CallInfo is classified from Remote.
	both2 := recordingConfig(t, s, map[string]string{"recording.internal_patterns": "1xx",
		"account.1.recording.outbound.onnet.enabled": "on"})
	if d := both2.RecordingDecision(CallInfo{Line: 1, Direction: Outbound, Remote: "sip:123@pbx"}); !d.Record || d.Network != Onnet {
		t.Errorf("classified decision %+v", d)
	}
}

func TestNumberPatterns(t *testing.T) {
	tests := []struct {
		patterns string
		canon    string
		match    []string
		noMatch  []string
	}{
		{"1xxx", "1xxx", []string{"1000", "1999"}, []string{"100", "10000", "2000", "", "1a00"}},
		{" [1-8]xx , 9[0-4]xx ", "[1-8]xx,9[0-4]xx", []string{"100", "899", "9000", "9499"}, []string{"900", "9500", "099"}},
		{"[0-35-9]", "[0-35-9]", []string{"0", "3", "5", "9"}, []string{"4", "*"}},
		{"[135]X", "[135]X", []string{"10", "59"}, []string{"20"}},
		{"9x.", "9x.", []string{"9", "90", "9123456789"}, []string{"8", "9*"}},
		{"+7495x.", "+7495x.", []string{"+7495", "+74951234567"}, []string{"74951234567", "+7496"}},
		{"*x.", "*x.", []string{"*", "*97"}, []string{"97"}},
		{"#", "#", []string{"#"}, []string{"*"}},
		{"", "", nil, []string{"", "1"}},
	}
	for _, tt := range tests {
		ps, err := ParseNumberPatterns(tt.patterns)
		if err != nil {
			t.Errorf("ParseNumberPatterns(%q): %v", tt.patterns, err)
			continue
		}
		if ps.String() != tt.canon {
			t.Errorf("%q: String() = %q, want %q", tt.patterns, ps.String(), tt.canon)
		}
		for _, n := range tt.match {
			if !ps.Match(n) {
				t.Errorf("%q does not match %q", tt.patterns, n)
			}
		}
		for _, n := range tt.noMatch {
			if ps.Match(n) {
				t.Errorf("%q matches %q", tt.patterns, n)
			}
		}
	}
	for _, bad := range []string{"1xx,", ",1", "1,,2", "^[1-9]\\d{2,3}$", "1x[", "[]", "[a-z]", "[9-1]", ".", "1.x", "x..", "1 2",
		strings.Repeat("x", 65)} {
		if _, err := ParseNumberPatterns(bad); !errors.Is(err, ErrPattern) {
			t.Errorf("ParseNumberPatterns(%q) = %v, want ErrPattern", bad, err)
		}
	}
}

// FuzzNumberPatterns checks that what parses prints in a canonical form
// that parses back to itself and matches the same numbers.
func FuzzNumberPatterns(f *testing.F) {
	for _, seed := range []string{"1xxx", "[1-8]xx, 9[0-4]xx", "+7495x.", "*x.", "[0-35-9]", "1x[", "x..", ""} {
		f.Add(seed, "1234")
	}
	f.Fuzz(func(t *testing.T, text, number string) {
		ps, err := ParseNumberPatterns(text)
		if err != nil {
			return
		}
		again, err := ParseNumberPatterns(ps.String())
		if err != nil {
			t.Fatalf("canonical %q of %q does not parse: %v", ps.String(), text, err)
		}
		if again.String() != ps.String() || again.Match(number) != ps.Match(number) {
			t.Fatalf("%q and its canonical form %q differ", text, ps.String())
		}
	})
}

// TestRecordingBadValues checks that bad recording values reject the
// file with an Issue naming file, line and key.
func TestRecordingBadValues(t *testing.T) {
	s := DefaultSchema()
	tests := []struct {
		name, line string
		want       string
		sentinel   error
	}{
		{"time limit below 5", "recording.account.inbound.offnet.time_limit = 4",
			`bad.cfg:2: recording.account.inbound.offnet.time_limit: "4" is out of range; allowed 5..10800, or empty to inherit`, ErrRange},
		{"time limit above 10800", "account.2.recording.outbound.onnet.time_limit = 10801",
			`bad.cfg:2: account.2.recording.outbound.onnet.time_limit: "10801" is out of range`, ErrRange},
		{"phone-wide time limit", "recording.time_limit = 0", `bad.cfg:2: recording.time_limit: "0" is out of range; allowed 5..10800`, ErrRange},
		{"time limit not a number", "recording.device.inbound.onnet.time_limit = 1h",
			`bad.cfg:2: recording.device.inbound.onnet.time_limit: "1h" is not a whole number`, ErrType},
		{"min sec out of range", "recording.device.inbound.onnet.record_min_sec = 601",
			`bad.cfg:2: recording.device.inbound.onnet.record_min_sec: "601" is out of range`, ErrRange},
		{"regex pattern", `recording.internal_patterns = ^[1-9]\d{2,3}$`,
			`bad.cfg:2: recording.internal_patterns: pattern "^[1-9]\\d{2" has '^'`, ErrType},
		{"empty pattern", "recording.internal_patterns = 1xx,,2xx",
			"bad.cfg:2: recording.internal_patterns: empty pattern in the list", ErrType},
		{"bad domain", "recording.internal_domains = pbx.example.net, bad_domain",
			`bad.cfg:2: recording.internal_domains: "bad_domain" is not a host name, IP address or *.domain`, ErrType},
		{"tri-state spelled as a bool", "account.1.recording.inbound.offnet.enabled = 1",
			`bad.cfg:2: account.1.recording.inbound.offnet.enabled: "1" is not one of the choices; allowed inherit, on, off`, ErrEnum},
		{"account enabled spelled on", "recording.account.inbound.offnet.enabled = on",
			`bad.cfg:2: recording.account.inbound.offnet.enabled: "on" is not a boolean`, ErrType},
		{"format", "recording.device.outbound.offnet.format = mp3",
			`bad.cfg:2: recording.device.outbound.offnet.format: "mp3" is not one of the choices; allowed inherit, wav, wav_stereo, wav_ulaw, wav_alaw`, ErrEnum},
		{"sample rate", "recording.sample_rate = 44100", `bad.cfg:2: recording.sample_rate: "44100" is not one of the choices`, ErrEnum},
		{"header name", "recording.server_header = X-Record: on",
			`bad.cfg:2: recording.server_header: "X-Record: on" is not a SIP token`, ErrType},
		{"feature code", "recording.feature_code = *1a", `bad.cfg:2: recording.feature_code: "*1a" is not a dial code`, ErrType},
		{"tftp storage", "recording.url = tftp://10.0.0.1/rec/",
			`bad.cfg:2: recording.url: "tftp://10.0.0.1/rec/" is a TFTP URL; recordings upload over HTTP`, ErrType},
		{"s3 without credentials", "recording.device.inbound.offnet.method = s3",
			"bad.cfg:2: recording.device.inbound.offnet.method: recording.device.inbound.offnet.method = s3 but recording.s3.region is empty", ErrConflict},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := mustParse(t, "bad.cfg", "# recording\n"+tt.line+"\n")
			_, err := s.Merge([]*File{f}, nil)
			if !errors.Is(err, tt.sentinel) {
				t.Fatalf("Merge: %v, want %v", err, tt.sentinel)
			}
			if !strings.HasPrefix(err.Error(), tt.want) {
				t.Errorf("error\n got %s\nwant %s...", err, tt.want)
			}
		})
	}
	// Empty values inherit, and canonical forms survive a round trip.
	cfg := recordingConfig(t, s, map[string]string{
		"recording.device.inbound.onnet.time_limit": "", "recording.device.inbound.onnet.url": "",
		"recording.device.inbound.onnet.format": "", "recording.internal_domains": "PBX.example.net , *.Corp.example.net",
		"recording.server_header": "X-Record", "recording.feature_code": "*1#"})
	if got := cfg.String("recording.internal_domains"); got != "pbx.example.net,*.corp.example.net" {
		t.Errorf("internal_domains = %q", got)
	}
	if got := cfg.String("recording.device.inbound.onnet.format"); got != "inherit" {
		t.Errorf("empty format = %q, want inherit", got)
	}
	var dump strings.Builder
	if err := cfg.Format(&dump, true); err != nil {
		t.Fatal(err)
	}
	again := mustMerge(t, s, nil, mustParse(t, "dump.cfg", dump.String()))
	if diff := Diff(cfg, again); len(diff) != 0 {
		t.Errorf("round trip changed %v", diff)
	}
}

func TestRecordingSecrets(t *testing.T) {
	const secret = "wJalrXUtnFEMIK7MDENGbPxRfiCYzEXAMPLEKEY"
	s := DefaultSchema()
	cfg := recordingConfig(t, s, map[string]string{"recording.s3.region": "eu-west-1", "recording.s3.access_key": "AKIAEXAMPLE",
		"recording.s3.secret_key": secret, "recording.method": "s3"})
	opts := cfg.RecordingOptions()
	if opts.S3.SecretKey.Reveal() != secret || opts.S3.Region != "eu-west-1" || opts.QuotaBytes != 256<<20 || !opts.DeleteAfterUpload {
		t.Fatalf("options %+v", opts)
	}
	var dump, doc strings.Builder
	if err := cfg.Format(&dump, false); err != nil {
		t.Fatal(err)
	}
	if err := s.WriteMarkdown(&doc); err != nil {
		t.Fatal(err)
	}
	outputs := []string{dump.String()}
	for _, verb := range []string{"%v", "%+v", "%#v", "%s"} {
		outputs = append(outputs, fmt.Sprintf(verb, opts), fmt.Sprintf(verb, opts.S3))
	}
	for _, out := range outputs {
		if strings.Contains(out, secret) {
			t.Errorf("secret shown in %q", out)
		}
	}
	if !strings.Contains(dump.String(), "# recording.s3.secret_key = "+Mask) {
		t.Error("Format does not mask recording.s3.secret_key")
	}
	if !strings.Contains(doc.String(), "| `recording.s3.secret_key` | string | up to 128 characters | (empty) | admin | S3 secret access key for method `s3`. Never shown in logs or dumps. **Secret.** |") {
		t.Error("reference does not mark recording.s3.secret_key secret")
	}
}

func TestRecordingReference(t *testing.T) {
	var doc strings.Builder
	if err := DefaultSchema().WriteMarkdown(&doc); err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{
		"## Recording (see Call recording below)",
		"## Call recording",
		"| `account.N.recording.inbound.offnet.enabled` | enum | inherit, on, off | `inherit` | admin |",
		"| `recording.device.outbound.onnet.time_limit` | int or empty | 5..10800, or empty to inherit | (empty) | admin |",
		"| `recording.account.inbound.onnet.enabled` | bool | 0 or 1 | `0` | admin |",
		"| `recording.internal_patterns` | number patterns |",
	} {
		if !strings.Contains(doc.String(), want) {
			t.Errorf("reference lacks %q", want)
		}
	}
}

func TestRecordHeaderValue(t *testing.T) {
	tests := []struct {
		value       string
		require, ok bool
	}{
		{"on", true, true}, {" ON ", true, true}, {"yes", true, true}, {"true", true, true}, {"1", true, true},
		{"start", true, true}, {"on;reason=compliance", true, true},
		{"off", false, true}, {"No", false, true}, {"false", false, true}, {"0", false, true}, {"stop", false, true},
		{"", false, false}, {"maybe", false, false},
	}
	for _, tt := range tests {
		if require, ok := RecordHeaderValue(tt.value); require != tt.require || ok != tt.ok {
			t.Errorf("RecordHeaderValue(%q) = %v, %v; want %v, %v", tt.value, require, ok, tt.require, tt.ok)
		}
	}
}

func TestRecordingEnums(t *testing.T) {
	if Inbound.String() != "inbound" || Outbound.String() != "outbound" || Onnet.String() != "onnet" ||
		Offnet.String() != "offnet" || NetworkUnknown.String() != "unknown" || LevelDevice.String() != "device" ||
		LevelOnDemand.String() != "on_demand" || RecordingLevel(42).String() != "RecordingLevel(42)" {
		t.Error("String of a recording enum is wrong")
	}
}
