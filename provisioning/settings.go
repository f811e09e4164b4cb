package provisioning

import (
	"strconv"
	"strings"
)

// Accounts and ServersPerAccount are how many SIP accounts the phone has
// and how many registrars each account lists (1 primary, 2 backup).
const (
	Accounts          = 2
	ServersPerAccount = 2
)

// Helpers that keep the settings table below one line per setting.

func boolSetting(pattern, def string, owner Owner, help string) Setting {
	return Setting{Pattern: pattern, Type: TypeBool, Default: def, Owner: owner, Help: help}
}

func intSetting(pattern string, lo, hi, def int, owner Owner, help string) Setting {
	return Setting{Pattern: pattern, Type: TypeInt, Min: lo, Max: hi, Default: strconv.Itoa(def), Owner: owner, Help: help}
}

func stringSetting(pattern string, maxLen int, def string, owner Owner, help string) Setting {
	return Setting{Pattern: pattern, Type: TypeString, MaxLen: maxLen, Default: def, Owner: owner, Help: help}
}

func enumSetting(pattern string, values []string, def string, owner Owner, help string) Setting {
	return Setting{Pattern: pattern, Type: TypeEnum, Values: values, Default: def, Owner: owner, Help: help}
}

func portSetting(pattern string, def int, owner Owner, help string) Setting {
	return Setting{Pattern: pattern, Type: TypePort, Min: 1, Max: 65535, Default: strconv.Itoa(def), Owner: owner, Help: help}
}

func typedSetting(pattern string, t Type, maxLen int, owner Owner, help string) Setting {
	return Setting{Pattern: pattern, Type: t, MaxLen: maxLen, Owner: owner, Help: help}
}

// accountSettings are the settings of account N, without its servers.
func accountSettings() []Setting {
	return append([]Setting{
		boolSetting("account.N.enable", "0", Admin, "Register account N and let the agent use its line key."),
		stringSetting("account.N.label", 32, "", Admin, "Name of the line on the LCD and the front panel, e.g. `Sales 10`."),
		stringSetting("account.N.display_name", 64, "", Admin, "Display name sent in the From header of calls."),
		stringSetting("account.N.user_name", 64, "", Admin, "SIP user (extension) of the account; the user part of its address of record."),
		stringSetting("account.N.auth_name", 64, "", Admin, "Digest authentication name; empty means the user name."),
		{Pattern: "account.N.password", Type: TypeString, MaxLen: 64, Owner: Admin, Secret: true,
			Help: "Digest authentication password. Never shown in logs, on the LCD, the panel or in dumps."},
		typedSetting("account.N.outbound_proxy", TypeHostPort, 255, Admin, "Send every request of the account through this proxy; empty sends directly to the server."),
		stringSetting("account.N.cfwd.always", 64, "", User, "Forward every call to this number or SIP URI; empty turns it off."),
		stringSetting("account.N.cfwd.busy", 64, "", User, "Forward calls while the line is busy; empty turns it off."),
		stringSetting("account.N.cfwd.no_answer", 64, "", User, "Forward calls not answered in time; empty turns it off."),
		intSetting("account.N.cfwd.no_answer_seconds", 1, 120, 20, User, "Seconds of ringing before a call is forwarded on no answer."),
		stringSetting("account.N.voicemail_number", 32, "", Admin, "Number dialled by the message key for account N."),
		enumSetting("account.N.srtp", []string{"off", "optional", "required"}, "off", Admin, "Media encryption with SRTP and SDES keys (RFC 4568 `a=crypto`, AES_CM_128_HMAC_SHA1_80 or _32): `off` sends plain RTP and refuses RTP/SAVP offers; `optional` offers RTP/AVP with crypto lines and encrypts whenever the far end agrees (best effort, like baresip's `srtp`); `required` offers RTP/SAVP and refuses calls without usable crypto with 488 (like baresip's `srtp-mand`). Keys travel in the SDP, so protect the signalling too (TLS transport)."),
	}, userRecordingSettings()...)
}

// serverSettings are the settings of server M of account N.
func serverSettings() []Setting {
	return []Setting{
		typedSetting("account.N.sip_server.M.address", TypeHost, 255, Admin, "Registrar host name or IP address; server 1 is the primary, server 2 the backup. Empty means none."),
		portSetting("account.N.sip_server.M.port", 5060, Admin, "Registrar port."),
		enumSetting("account.N.sip_server.M.transport", []string{"udp", "tcp", "tls"}, "udp", Admin, "Transport to the registrar."),
		intSetting("account.N.sip_server.M.expires", 30, 86400, 3600, Admin, "Registration lifetime asked for, in seconds."),
	}
}

// phoneSettings are the settings that are not per account.
func phoneSettings() []Setting {
	return append([]Setting{
		portSetting("sip.listen_port", 5060, Admin, "Local SIP port. Give each phone its own when several run on one host. Takes effect at the next idle restart."),
		boolSetting("sip.trusted_servers_only", "1", Admin, "Refuse SIP requests that do not come from a configured server or outbound proxy, so scanners cannot ring the phone."),
		boolSetting("sip.allow_ip_calls", "0", Admin, "Allow dialling a bare IP address (peer to peer, no server)."),
		intSetting("sip.keepalive_interval", 0, 3600, 30, Admin, "Seconds between OPTIONS keep-alives a registered line sends its registrar (0: none): NAT bindings and TCP/TLS connections stay open for incoming calls, and a registrar that stopped answering is left for the backup within one interval. Takes effect at the next idle restart."),
		stringSetting("sip.tls_ca_file", 255, "", Admin, "PEM file of the CAs that SIP servers reached over TLS must chain to, instead of the system roots. Takes effect at the next idle restart."),

		portSetting("rtp.port_min", 11780, Admin, "Lowest local RTP port. Must be below rtp.port_max. Takes effect at the next idle restart."),
		portSetting("rtp.port_max", 11800, Admin, "Highest local RTP port. Takes effect at the next idle restart."),

		enumSetting("phone.language", []string{"en", "ru"}, "en", User, "Language of the LCD menus."),
		boolSetting("phone.dnd", "0", User, "Do not disturb: reject incoming calls."),
		enumSetting("phone.dnd_code", []string{"486", "480", "603"}, "486", Admin, "SIP response sent for calls rejected by do not disturb."),
		boolSetting("phone.auto_answer", "0", User, "Answer incoming calls at once on the headset (the Auto Answer key toggles it)."),
		boolSetting("phone.auto_answer_beep", "1", User, "Beep in the headset when a call is answered automatically."),
		enumSetting("phone.time_format", []string{"24", "12"}, "24", User, "Clock on the LCD: 24-hour or 12-hour."),
		enumSetting("phone.date_format", []string{"yyyy-mm-dd", "dd.mm.yyyy", "dd/mm/yyyy", "mm/dd/yyyy", "ddd dd mmm"}, "yyyy-mm-dd", User, "Date on the LCD."),
		stringSetting("phone.time_zone", 64, "UTC", User, "Time zone name from the tz database, e.g. `Europe/Moscow`."),
		enumSetting("monitor.mode", []string{"off", "listen", "whisper", "barge"}, "listen", User, "What the supervisor's monitor headset does when plugged in: listen (hears agent and customer), whisper (talks to the agent only), barge (joins the call), or off."),
		boolSetting("monitor.indicator", "1", Admin, "Show the agent a headset icon while the monitor headset is plugged in."),
		boolSetting("phone.allow_intercom", "1", Admin, "Answer at once when a configured server asks for it (Call-Info answer-after, Alert-Info intercom, Answer-Mode: Auto); never for other sources."),
		intSetting("phone.dial_timeout", 1, 30, 5, Admin, "Seconds after the last digit before the number is dialled without a send key."),
		boolSetting("phone.pound_sends", "1", Admin, "The # key ends the number and dials it."),
		stringSetting("media.codecs", 64, "pcmu,pcma", Admin, "Codecs offered, in order of preference: `g722` (wideband HD voice), `pcmu`, `pcma`. With g722 the phone's audio runs at 16 kHz. Takes effect at the next idle restart."),
		boolSetting("sip.dtmf_info", "0", Admin, "Send DTMF by SIP INFO (application/dtmf-relay) instead of RFC 4733 events."),
		stringSetting("phone.hotline_number", 64, "", Admin, "Number the Headset key dials when the phone is idle; empty turns the hotline off."),
		intSetting("phone.hotline_delay", 0, 10, 0, Admin, "Seconds to wait before dialling the hotline number."),

		intSetting("lcd.contrast", 0, 63, 32, User, "LCD contrast."),
		intSetting("lcd.backlight", 0, 100, 80, User, "LCD backlight brightness while active, in percent."),
		intSetting("lcd.backlight_timeout", 0, 3600, 60, User, "Seconds without a key press before the backlight dims; 0 keeps it on."),

		intSetting("ringer.volume", 0, 10, 5, User, "Ringer volume, 0 (silent) to 10."),
		typedSetting("ringer.ringtone_url", TypeURL, 255, Admin, "Ringtone: an MP3 or WAV file (http, https or tftp URL) played instead of the built-in ring; a file that cannot be fetched or decoded leaves the built-in ring."),
		boolSetting("ringer.speaker", "0", User, "Ring on the speaker instead of the headset (the Hold / Mute ringing key toggles it; its LED is lit while on)."),
		intSetting("headset.volume", 0, 10, 5, User, "Agent headset volume."),
		intSetting("speaker.volume", 0, 10, 5, User, "Speaker volume for hands-free calls."),

		typedSetting("provisioning.server_url", TypeURL, 255, Admin, "Folder the phone fetches its common file `<model>.cfg` and then `<mac>.cfg` from (http, https or tftp URL); `{mac}` and `{model}` in it are replaced. Empty takes the URL from DHCP (provisioning.dhcp_option)."),
		enumSetting("provisioning.dhcp_option", []string{"auto", "160", "66", "off"}, "auto", Admin, "When provisioning.server_url is empty: take the server from DHCP option 160 (a URL), 66 (TFTP server name), `auto` (160, else 66), or `off` (no fetching)."),
		stringSetting("provisioning.dhcp_lease_file", 255, "/var/lib/dhcp/dhclient.leases", Admin, "Lease file of the OS DHCP client the options are read from: dhclient's text format, `key=value` lines (dhcpcd --dumplease, udhcpc) or a raw DHCP packet (dhcpcd `.lease`)."),
		intSetting("provisioning.interval", 0, 10080, 1440, Admin, "Minutes between provisioning checks; 0 checks only at start-up, from the menu and on check-sync."),
		intSetting("provisioning.jitter", 0, 50, 10, Admin, "Random spread of each interval, in percent either way, so a thousand phones do not ask the server in the same second."),
		typedSetting("provisioning.window", TypeWindow, 11, Admin, "Maintenance window `HH:MM-HH:MM` (phone's local time; may wrap midnight) that periodic checks are moved into, at a random moment; empty allows any time. Start-up, menu and check-sync checks ignore it."),
		intSetting("provisioning.timeout", 1, 600, 60, Admin, "Seconds a whole fetch may take, connect and transfer together; a server that stops sending for a third of it (at most 15 s) is given up on too."),
		stringSetting("provisioning.user_name", 64, "", Admin, "User name for HTTP basic or digest authentication (RFC 7617, RFC 7616 MD5 or SHA-256); empty sends none."),
		{Pattern: "provisioning.password", Type: TypeString, MaxLen: 64, Owner: Admin, Secret: true,
			Help: "Password for HTTP basic or digest authentication. Never shown in logs or dumps."},
		stringSetting("provisioning.ca_file", 255, "", Admin, "PEM file of the CA that HTTPS servers must chain to, instead of the system roots (a pinned CA)."),
		stringSetting("provisioning.client_cert", 255, "", Admin, "PEM certificate the phone shows HTTPS servers that ask for one; needs provisioning.client_key."),
		stringSetting("provisioning.client_key", 255, "", Admin, "PEM private key file of provisioning.client_cert."),
		{Pattern: "provisioning.signing_key", Type: TypeBase64, Min: 32, MaxLen: 64, Owner: Admin, Help: "Ed25519 public key that signs the files; when set, every file needs a valid `<file>.sig` beside it and unsigned or badly signed files are refused. See `ccprov keygen` and `ccprov sign`."},
		{Pattern: "provisioning.device_key", Type: TypeBase64, Min: 32, MaxLen: 64, Owner: Admin, Secret: true,
			Help: "This phone's AES-256-GCM key (see `ccprov keygen --device`); when set, `<mac>.cfg` must be encrypted for this phone and a plain one is refused. Never shown in logs or dumps."},
		typedSetting("provisioning.override_local", TypeKeyList, 1024, Admin, "User-owned keys whose local changes on the phone are dropped and refused, so the admin value wins; `*` means all of them."),

		typedSetting("firmware.url", TypeURL, 255, Admin, "Where the firmware binary is fetched from; empty turns firmware updates off. Needs firmware.version and firmware.signature."),
		typedSetting("firmware.version", TypeVersion, 32, Admin, "Version of the binary at firmware.url, dotted numbers (`1.4.2`). The phone installs it when it is newer than the running one."),
		{Pattern: "firmware.signature", Type: TypeBase64, Min: 64, MaxLen: 100, Owner: Admin, Help: "Ed25519 signature of the binary by provisioning.signing_key, made with `ccprov sign-firmware`."},
		boolSetting("firmware.allow_downgrade", "0", Admin, "Allow installing a firmware.version older than the running one."),
	}, recordingSettings()...)
}

// defaultSettings expands the placeholders: account 1 with its servers,
// account 2 with its servers, then the phone-wide settings.
func defaultSettings() []Setting {
	var out []Setting
	for n := 1; n <= Accounts; n++ {
		for _, st := range accountSettings() {
			out = append(out, expand(st, n, 0))
		}
		for m := 1; m <= ServersPerAccount; m++ {
			for _, st := range serverSettings() {
				out = append(out, expand(st, n, m))
			}
		}
	}
	for _, st := range phoneSettings() {
		st.Key = st.Pattern
		out = append(out, st)
	}
	return out
}

func expand(st Setting, n, m int) Setting {
	key := strings.Replace(st.Pattern, ".N.", "."+strconv.Itoa(n)+".", 1)
	if m > 0 {
		key = strings.Replace(key, ".M.", "."+strconv.Itoa(m)+".", 1)
	}
	st.Key = key
	return st
}
