package provisioning

import (
	"fmt"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// TestSimExample checks the config "make run" uses: it loads without
// warnings and says what the simulated phone needs.
func TestSimExample(t *testing.T) {
	cfg, err := Load(filepath.Join("examples", "sim.cfg"))
	if err != nil {
		t.Fatalf("Load: %v", err)
	}
	if w := cfg.Warnings(); len(w) > 0 {
		t.Errorf("warnings:\n%v", w)
	}
	a1, a2 := cfg.Account(1), cfg.Account(2)
	checks := []struct {
		name      string
		got, want any
	}{
		{"account 1 enabled", a1.Enable, true},
		{"account 1 label", a1.Label, "Sales 10"},
		{"account 1 user", a1.UserName, "1001"},
		{"account 1 password", a1.Password.Reveal(), "secret1001"},
		{"account 1 server", a1.Servers[0], Server{Address: "127.0.0.1", Port: 5060, Transport: "udp", Expires: 600 * time.Second}},
		{"account 2 enabled", a2.Enable, false},
		{"account 2 label", a2.Label, "Support 20"},
		{"account 2 user", a2.UserName, "1002"},
		{"listen port", cfg.Int("sip.listen_port"), 5070},
		{"rtp min", cfg.Int("rtp.port_min"), 12000},
		{"rtp max", cfg.Int("rtp.port_max"), 12040},
		{"language", cfg.String("phone.language"), "en"},
	}
	for _, c := range checks {
		if c.got != c.want {
			t.Errorf("%s = %v, want %v", c.name, c.got, c.want)
		}
	}
}

func TestWriteMarkdown(t *testing.T) {
	s, err := DefaultSchema().WithEnumValues("phone.language", "de")
	if err != nil {
		t.Fatal(err)
	}
	var b strings.Builder
	if err := s.WriteMarkdown(&b); err != nil {
		t.Fatal(err)
	}
	doc := b.String()
	for _, st := range s.Settings() {
		row := fmt.Sprintf("| `%s` | %s | %s |", st.Pattern, st.Type, cell(st.Allowed()))
		if !strings.Contains(doc, row) {
			t.Errorf("reference lacks the row for %s (%q)", st.Pattern, row)
		}
		if strings.Contains(doc, "`"+st.Key+"`") && st.Key != st.Pattern {
			t.Errorf("reference lists the expanded key %s instead of its pattern", st.Key)
		}
	}
	wants := []string{
		"| `account.N.sip_server.M.port` | port | 1..65535 | `5060` | admin |",
		"| `phone.language` | enum | en, ru, de | `en` | user |",
		"| `lcd.contrast` | int | 0..63 | `32` | user |",
		"| `account.N.password` | string | up to 64 characters | (empty) | admin |",
		"**Secret.**",
		"provisioning.override_local",
	}
	for _, w := range wants {
		if !strings.Contains(doc, w) {
			t.Errorf("reference lacks %q", w)
		}
	}
}

func TestEditDistance(t *testing.T) {
	tests := []struct {
		a, b  string
		limit int
		want  int
	}{
		{"", "", 3, 0},
		{"abc", "abc", 3, 0},
		{"lable", "label", 3, 1},
		{"acount", "account", 3, 1},
		{"kitten", "sitting", 3, 3},
		{"kitten", "sitting", 2, 3},
		{"abcdef", "ab", 3, 4},
		{"ca", "abc", 3, 3},
		{"rtp.port_mim", "rtp.port_min", 1, 1},
		{"features.dnd.enable", "account.1.enable", 3, 4},
	}
	for _, tt := range tests {
		t.Run(tt.a+"/"+tt.b, func(t *testing.T) {
			if got := editDistance(tt.a, tt.b, tt.limit); got != tt.want {
				t.Errorf("editDistance(%q, %q, %d) = %d, want %d", tt.a, tt.b, tt.limit, got, tt.want)
			}
		})
	}
}

// Example shows the common path: load the files, read typed settings,
// change a user setting on the phone.
func Example() {
	cfg, err := Load("examples/sim.cfg")
	if err != nil {
		fmt.Println(err)
		return
	}
	acct := cfg.Account(1)
	fmt.Println(acct.Label, acct.UserName, acct.Password, acct.Servers[0].Address)
	cfg, err = cfg.WithLocal("ringer.volume", "8")
	if err != nil {
		fmt.Println(err)
		return
	}
	v, src, _ := cfg.Lookup("ringer.volume")
	fmt.Println("ringer.volume", v, "from", src)
	_, err = cfg.WithLocal("sip.listen_port", "5080")
	fmt.Println(err)
	// Output:
	// Sales 10 1001 ******** 127.0.0.1
	// ringer.volume 8 from local
	// local: sip.listen_port: admin-owned setting cannot be changed on the phone
}
