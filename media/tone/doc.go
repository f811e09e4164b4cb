// Package tone makes the call-progress tones the agent hears: dial,
// ringback, busy, congestion, call-waiting and confirmation, from a
// per-country plan written in the compact notation of Asterisk's
// indications.conf and Yealink's tone settings.
//
// A tone is a comma-separated list of parts; each part is a frequency, a
// sum of frequencies ("350+440") or 0 for silence, optionally followed by
// "/milliseconds". A part without a duration lasts forever. After the
// last part the tone starts again at the first part not marked "!";
// parts marked "!" play only once. So:
//
//	350+440                  US dial tone, continuous
//	440+480/2000,0/4000      US ringback: 2 s on, 4 s off
//	!440/300,0/10000         one beep, then silence... repeating silence
//
// The common path:
//
//	plan, _ := tone.BuiltinPlan("de")
//	t, _ := plan.Tone(tone.Ringback)
//	var p tone.Player
//	p.Play(t)
//	for each 20 ms frame { p.Read(frame) } // or p.Add into a mix
//
// Parse reports errors naming the part and what is wrong with it. A Tone
// is a plain value; a Player is used by one goroutine at a time and does
// not allocate.
package tone
