package provisioning

import (
	"strconv"
	"time"
)

// Account is the typed view of one SIP account's settings
// (account.N.*). It is a plain value; the Password is a Secret, so
// printing an Account with any fmt verb shows it as Mask.
type Account struct {
	Index         int  // N: 1 or 2; 0 for an account that does not exist
	Enable        bool // register and offer the line
	Label         string
	DisplayName   string
	UserName      string
	AuthName      string // as configured; see DigestName
	Password      Secret
	Servers       [ServersPerAccount]Server // [0] primary, [1] backup
	OutboundProxy string                    // host[:port] or ""
	Forward       Forwarding
	Voicemail     string // number the message key dials
	SRTP          string // media encryption: "off", "optional" or "required"
}

// DigestName returns the name to answer digest challenges with: AuthName,
// or UserName when AuthName is empty.
func (a Account) DigestName() string {
	if a.AuthName != "" {
		return a.AuthName
	}
	return a.UserName
}

// Server is one registrar of an account.
type Server struct {
	Address   string        // host name or IP; "" when not configured
	Port      int           // 1..65535
	Transport string        // "udp", "tcp" or "tls"
	Expires   time.Duration // registration lifetime asked for
}

// Configured reports whether the server has an address.
func (s Server) Configured() bool { return s.Address != "" }

// Forwarding is an account's call forwarding. An empty target means that
// kind of forwarding is off.
type Forwarding struct {
	Always          string
	Busy            string
	NoAnswer        string
	NoAnswerTimeout time.Duration // ringing before a no-answer forward
}

// Account returns the typed settings of account n (1 or 2). For any other
// n it returns the zero Account, whose Index is 0.
func (c *Config) Account(n int) Account {
	if n < 1 || n > Accounts {
		return Account{}
	}
	p := "account." + strconv.Itoa(n) + "."
	a := Account{
		Index:         n,
		Enable:        c.Bool(p + "enable"),
		Label:         c.String(p + "label"),
		DisplayName:   c.String(p + "display_name"),
		UserName:      c.String(p + "user_name"),
		AuthName:      c.String(p + "auth_name"),
		Password:      Secret(c.String(p + "password")),
		OutboundProxy: c.String(p + "outbound_proxy"),
		Forward: Forwarding{
			Always:          c.String(p + "cfwd.always"),
			Busy:            c.String(p + "cfwd.busy"),
			NoAnswer:        c.String(p + "cfwd.no_answer"),
			NoAnswerTimeout: time.Duration(c.Int(p+"cfwd.no_answer_seconds")) * time.Second,
		},
		Voicemail: c.String(p + "voicemail_number"),
		SRTP:      c.String(p + "srtp"),
	}
	for m := range a.Servers {
		sp := p + "sip_server." + strconv.Itoa(m+1) + "."
		a.Servers[m] = Server{
			Address:   c.String(sp + "address"),
			Port:      c.Int(sp + "port"),
			Transport: c.String(sp + "transport"),
			Expires:   time.Duration(c.Int(sp+"expires")) * time.Second,
		}
	}
	return a
}

// Accounts returns every account, account 1 first.
func (c *Config) Accounts() []Account {
	out := make([]Account, Accounts)
	for n := range out {
		out[n] = c.Account(n + 1)
	}
	return out
}
