package tone

import (
	"fmt"
	"strings"
)

// Kind names a call-progress tone.
type Kind uint8

// The tones of a plan.
const (
	Dial        Kind = iota // off-hook, ready to dial
	Ringback                // the far end is ringing
	Busy                    // the far end is busy
	Congestion              // the network is busy (fast busy, reorder)
	CallWaiting             // a second call is waiting during a call
	Confirm                 // a setting was accepted (short beeps)
	NumKinds    = iota
)

var kindNames = [NumKinds]string{"dial", "ringback", "busy", "congestion", "callwaiting", "confirm"}

// String returns the tone's name as provisioning writes it.
func (k Kind) String() string {
	if int(k) < len(kindNames) {
		return kindNames[k]
	}
	return fmt.Sprintf("Kind(%d)", uint8(k))
}

// ParseKind returns the kind with the given name.
func ParseKind(name string) (Kind, bool) {
	for i, n := range kindNames {
		if n == name {
			return Kind(i), true
		}
	}
	return 0, false
}

// Plan is a country's set of tones, as strings in the notation of Parse.
type Plan struct {
	Country string // ISO 3166 alpha-2, lower case ("gb", not "uk")
	Tones   [NumKinds]string
}

// Tone parses the plan's tone of kind k.
func (p Plan) Tone(k Kind) (Tone, error) {
	if int(k) >= NumKinds {
		return Tone{}, fmt.Errorf("%w: %v", ErrSyntax, k)
	}
	t, err := Parse(p.Tones[k])
	if err != nil {
		return Tone{}, fmt.Errorf("plan %s, %v: %w", p.Country, k, err)
	}
	return t, nil
}

// Countries returns the countries with a built-in plan.
func Countries() []string { return []string{"de", "gb", "ru", "us"} }

// BuiltinPlan returns the built-in plan for a country code (case
// insensitive; "uk" is accepted for "gb").
//
// The values follow ITU-T E.180 and its Supplement 2 (Various tones used
// in national networks), as carried by Asterisk's indications.conf:
//
//	us: dial 350+440; ringback 440+480 2 s on 4 s off; busy 480+620
//	    0.5/0.5 s; congestion (reorder) 480+620 0.25/0.25 s; call waiting
//	    440 0.3 s every 10 s.
//	gb: dial 350+440; ringback 400+450 0.4 on 0.2 off 0.4 on 2.0 off;
//	    busy 400 0.375/0.375 s; congestion 400 0.4 on 0.35 off 0.225 on
//	    0.525 off; call waiting 400 0.1 s every 4 s.
//	de: dial 425; ringback 425 1 s on 4 s off; busy 425 0.48/0.48 s;
//	    congestion 425 0.24/0.24 s; call waiting 425 two 0.2 s beeps 0.2 s
//	    apart, every 5.4 s.
//	ru: dial 425; ringback 425 0.8 s on 3.2 s off; busy 425 0.35/0.35 s;
//	    congestion 425 0.175/0.175 s; call waiting 425 0.2 s every 5.2 s.
//
// The confirmation tone is three 0.1 s beeps of the dial frequency.
func BuiltinPlan(country string) (Plan, error) {
	switch strings.ToLower(country) {
	case "us":
		return Plan{"us", [NumKinds]string{
			Dial:        "350+440",
			Ringback:    "440+480/2000,0/4000",
			Busy:        "480+620/500,0/500",
			Congestion:  "480+620/250,0/250",
			CallWaiting: "440/300,0/10000",
			Confirm:     "!350+440/100,!0/100,!350+440/100,!0/100,!350+440/100",
		}}, nil
	case "gb", "uk":
		return Plan{"gb", [NumKinds]string{
			Dial:        "350+440",
			Ringback:    "400+450/400,0/200,400+450/400,0/2000",
			Busy:        "400/375,0/375",
			Congestion:  "400/400,0/350,400/225,0/525",
			CallWaiting: "400/100,0/4000",
			Confirm:     "!400/100,!0/100,!400/100,!0/100,!400/100",
		}}, nil
	case "de":
		return Plan{"de", [NumKinds]string{
			Dial:        "425",
			Ringback:    "425/1000,0/4000",
			Busy:        "425/480,0/480",
			Congestion:  "425/240,0/240",
			CallWaiting: "425/200,0/200,425/200,0/5000",
			Confirm:     "!425/100,!0/100,!425/100,!0/100,!425/100",
		}}, nil
	case "ru":
		return Plan{"ru", [NumKinds]string{
			Dial:        "425",
			Ringback:    "425/800,0/3200",
			Busy:        "425/350,0/350",
			Congestion:  "425/175,0/175",
			CallWaiting: "425/200,0/5000",
			Confirm:     "!425/100,!0/100,!425/100,!0/100,!425/100",
		}}, nil
	}
	return Plan{}, fmt.Errorf("%w %q (have %s)", ErrCountry, country, strings.Join(Countries(), ", "))
}
