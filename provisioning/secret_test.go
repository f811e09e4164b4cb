package provisioning

import (
	"fmt"
	"strings"
	"testing"
)

// TestSecretsNeverShown searches every printed form of a config and of
// errors about it for the password.
func TestSecretsNeverShown(t *testing.T) {
	const password = "Hunter2Pass"
	s := DefaultSchema()
	good := "account.1.enable = 1\naccount.1.user_name = 1001\naccount.1.sip_server.1.address = pbx.example.net\n" +
		"account.1.password = " + password + "\n"
	cfg := mustMerge(t, s, nil, mustParse(t, "good.cfg", good))
	if got := cfg.Account(1).Password.Reveal(); got != password {
		t.Fatalf("Reveal = %q, want the password", got)
	}
	value, _, _ := cfg.Lookup("account.1.password")

	var outputs []string
	var dump strings.Builder
	if err := cfg.Format(&dump, false); err != nil {
		t.Fatal(err)
	}
	outputs = append(outputs, dump.String())
	for _, verb := range []string{"%v", "%+v", "%#v", "%s", "%q", "%x", "%d"} {
		for _, arg := range []any{cfg, cfg.Account(1), cfg.Accounts(), cfg.Account(1).Password, value, &value} {
			outputs = append(outputs, fmt.Sprintf(verb, arg))
		}
	}
	outputs = append(outputs, value.String(), value.GoString())

	bad := []struct{ name, text string }{
		{"too long", "account.1.password = " + password + strings.Repeat("x", 64) + "\n"},
		{"control character", "account.1.password = " + password + "\x07\n"},
		{"invalid UTF-8", "account.1.password = " + password + "\xff\n"},
		{"no equals", "account.1.password " + password + "\n"},
		{"colon for equals", "account.1.password: " + password + "\n"},
		{"duplicate", "account.1.password = a\naccount.1.password = " + password + "\n"},
		{"password as key", password + "\n"},
	}
	for _, tt := range bad {
		f, err := Parse("bad.cfg", strings.NewReader(tt.text))
		if err == nil {
			_, err = s.Merge([]*File{f}, nil)
		}
		if err == nil {
			t.Errorf("%s: no error", tt.name)
			continue
		}
		outputs = append(outputs, tt.name+": "+err.Error())
	}
	if _, err := cfg.WithLocal("account.1.password", password); err != nil {
		outputs = append(outputs, err.Error())
	}

	for _, out := range outputs {
		if strings.Contains(out, password) {
			// "password as key" is the one case that may name the line's text:
			// a bare word is not known to be a secret.
			if strings.HasPrefix(out, "password as key: ") {
				continue
			}
			t.Errorf("password shown in: %s", out)
		}
		if strings.Contains(out, fmt.Sprintf("%x", password)) {
			t.Errorf("password shown in hex in: %s", out)
		}
	}
}
