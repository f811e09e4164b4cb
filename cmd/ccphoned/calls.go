package main

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"math"
	"net/netip"
	"strconv"
	"sync"
	"sync/atomic"

	"ccphone/hal"
	"ccphone/media"
	"ccphone/media/dtmf"
	"ccphone/media/prompt"
	"ccphone/media/sdpneg"
	"ccphone/media/tone"
	"ccphone/provisioning"
	"ccphone/sip"
	"ccphone/ui"
)

// telephony joins the phone's keys (ui), its SIP user agent and its media
// engine: it is ui.Telephony for the phone, sip.Media for the user agent,
// and ui.Sounds for the tones. It is safe for concurrent use.
type telephony struct {
	ua     *sip.UA
	engine *media.Engine
	plan   tone.Plan
	ring   tone.Tone
	codecs []sdpneg.Codec
	log    *slog.Logger

	// ringtone, when set, rings instead of the built-in ring tone.
	ringtone atomic.Pointer[prompt.Clip]

	// legClosed, when set, is told of a call's media leg closing, before
	// the leg is removed from the engine (recordings end there).
	legClosed func(id sip.CallID, leg *media.Leg)

	mu         sync.Mutex
	legs       map[sip.CallID]*media.Leg
	negotiated map[sip.CallID]negotiated // by Start and Update
}

var (
	_ ui.Telephony       = (*telephony)(nil)
	_ ui.QualityReporter = (*telephony)(nil)
	_ ui.Conferencer     = (*telephony)(nil)
	_ ui.Sounds          = (*telephony)(nil)
	_ ui.Volumes         = (*telephony)(nil)
	_ sip.Media          = (*telephony)(nil)
)

// ringTone is the ringer until ringtones come from MP3 files: a double
// ring, 0.4 s on, 0.2 s off, 0.4 s on, 2 s off.
const ringTone = "400+450/400,0/200,400+450/400,0/2000"

func newTelephony(engine *media.Engine, country string, log *slog.Logger) (*telephony, error) {
	plan, err := tone.BuiltinPlan(country)
	if err != nil {
		return nil, err
	}
	ring, err := tone.Parse(ringTone)
	if err != nil {
		return nil, err
	}
	return &telephony{engine: engine, plan: plan, ring: ring, log: log,
		codecs: []sdpneg.Codec{sdpneg.PCMU, sdpneg.PCMA}, legs: map[sip.CallID]*media.Leg{}, negotiated: map[sip.CallID]negotiated{}}, nil
}

// --- ui.Telephony ---

func (t *telephony) Dial(line int, target string) (ui.CallID, error) {
	id, err := t.ua.Dial(line, target)
	return ui.CallID(id), err
}

func (t *telephony) Answer(id ui.CallID) error { return t.ua.Answer(sip.CallID(id)) }

func (t *telephony) Reject(id ui.CallID, code int) error { return t.ua.Reject(sip.CallID(id), code) }

func (t *telephony) Hangup(id ui.CallID) error { return t.ua.Hangup(sip.CallID(id)) }

func (t *telephony) Hold(id ui.CallID, hold bool) error {
	if err := t.ua.Hold(sip.CallID(id), hold); err != nil {
		return err
	}
	if leg := t.leg(sip.CallID(id)); leg != nil {
		// The agent stops hearing a held call at once, whatever the far
		// end does with its stream.
		return leg.SetHold(hold)
	}
	return nil
}

func (t *telephony) Mute(id ui.CallID, mute bool) error {
	leg := t.leg(sip.CallID(id))
	if leg == nil {
		return fmt.Errorf("mute call %d: %w", id, sip.ErrNoCall)
	}
	return leg.SetMute(mute)
}

func (t *telephony) SendDTMF(id ui.CallID, digit byte) error {
	return t.ua.SendDTMF(sip.CallID(id), digit)
}

func (t *telephony) Transfer(id ui.CallID, target string) error {
	return t.ua.Transfer(sip.CallID(id), target)
}

func (t *telephony) TransferTo(id, consult ui.CallID) error {
	return t.ua.TransferTo(sip.CallID(id), sip.CallID(consult))
}

// Conference implements ui.Conferencer: both calls are resumed and mixed
// by the engine (each party hears the other two); splitting holds b.
func (t *telephony) Conference(a, b ui.CallID, on bool) error {
	la, lb := t.leg(sip.CallID(a)), t.leg(sip.CallID(b))
	if la == nil || lb == nil {
		return fmt.Errorf("conference: %w", sip.ErrNoCall)
	}
	if !on {
		if err := t.engine.Conference(la, lb, false); err != nil {
			return err
		}
		return t.Hold(b, true)
	}
	for _, id := range []ui.CallID{a, b} {
		if err := t.Hold(id, false); err != nil && !errors.Is(err, sip.ErrCallState) {
			return err
		}
	}
	return t.engine.Conference(la, lb, true)
}

// CallQuality implements ui.QualityReporter from the media leg's RTCP
// figures.
func (t *telephony) CallQuality(id ui.CallID) (ui.CallQuality, bool) {
	leg := t.leg(sip.CallID(id))
	if leg == nil {
		return ui.CallQuality{}, false
	}
	q := leg.Quality()
	codec := ""
	n := t.negotiation(sip.CallID(id))
	if n.codec != 0 {
		codec = n.codec.String() // known at once, while the engine applies it at its next tick
	}
	return ui.CallQuality{Codec: codec, SRTP: n.srtp, MOS: q.MOS, Loss: q.Loss, FarLoss: q.FarLoss,
		Jitter: q.Jitter, RTT: q.RTT, FarReported: q.FarReported,
		PacketsSent: q.PacketsSent, PacketsHeard: q.Received}, true
}

// --- ui.Sounds ---

func (t *telephony) SetSound(port hal.AudioPort, s ui.Sound) {
	var err error
	switch s {
	case ui.SoundNone:
		err = errors.Join(t.engine.StopTone(port), t.engine.PlayClip(port, nil))
	case ui.SoundRing:
		if clip := t.ringtone.Load(); clip != nil {
			err = t.engine.PlayClip(port, prompt.NewPlayer(clip, true, prompt.RingtoneGap))
			break
		}
		err = t.engine.PlayTone(port, t.ring)
	default:
		kind := map[ui.Sound]tone.Kind{
			ui.SoundDial:        tone.Dial,
			ui.SoundRingback:    tone.Ringback,
			ui.SoundBusy:        tone.Busy,
			ui.SoundCallWaiting: tone.CallWaiting,
		}[s]
		var tn tone.Tone
		if tn, err = t.plan.Tone(kind); err == nil {
			err = t.engine.PlayTone(port, tn)
		}
	}
	if err != nil {
		t.log.Warn("sound", "port", port, "sound", s, "err", err)
	}
}

// SetVolume implements ui.Volumes: the port's gain, 3 dB a step around
// level 5 (as it comes); level 0 is silent.
func (t *telephony) SetVolume(port hal.AudioPort, level int) {
	if err := t.engine.SetGain(port, volumeGain(level)); err != nil {
		t.log.Warn("volume", "port", port, "level", level, "err", err)
	}
}

// volumeGain returns the gain of a volume level: 0 for 0, else 3 dB a
// step from 1 at level 5 (-12 dB at 1, +15 dB at 10).
func volumeGain(level int) float64 {
	if level <= 0 {
		return 0
	}
	return math.Pow(10, float64(level-5)*3/20)
}

// Beep implements ui.Beeper: a short 1 kHz beep on port, beside any call.
func (t *telephony) Beep(port hal.AudioPort) {
	rate := t.engine.SampleRate()
	samples := make([]int16, rate/5) // 200 ms
	for i := range samples {
		samples[i] = int16(6000 * math.Sin(2*math.Pi*1000*float64(i)/float64(rate)))
	}
	clip, err := prompt.NewClip(samples, rate)
	if err == nil {
		err = t.engine.PlayClip(port, prompt.NewPlayer(clip, false, 0))
	}
	if err != nil {
		t.log.Warn("beep", "err", err)
	}
}

// --- sip.Media ---

func (t *telephony) NewLeg(id sip.CallID) (sip.MediaLeg, error) {
	leg, err := t.engine.AddLeg(media.LegConfig{Name: "call" + strconv.FormatUint(uint64(id), 10)})
	if err != nil {
		return nil, err
	}
	t.mu.Lock()
	t.legs[id] = leg
	t.mu.Unlock()
	return &callLeg{t: t, id: id, leg: leg}, nil
}

func (t *telephony) leg(id sip.CallID) *media.Leg {
	t.mu.Lock()
	defer t.mu.Unlock()
	return t.legs[id]
}

// callLeg is one call's media as the user agent sees it.
type callLeg struct {
	t   *telephony
	id  sip.CallID
	leg *media.Leg
}

func (l *callLeg) Local() sdpneg.Local {
	ap := l.leg.LocalAddr()
	addr := ap.Addr()
	if addr.IsUnspecified() {
		addr = netip.MustParseAddr("127.0.0.1") // replaced by sip with its own address
	}
	return sdpneg.Local{Addr: addr, Port: int(ap.Port()), Codecs: l.t.codecs}
}

func (l *callLeg) Start(s sdpneg.Session) error  { l.t.setNegotiated(l.id, s); return l.leg.Apply(s) }
func (l *callLeg) Update(s sdpneg.Session) error { l.t.setNegotiated(l.id, s); return l.leg.Apply(s) }

// negotiated is what a call's offer/answer agreed, as the phone shows it.
type negotiated struct {
	codec sdpneg.Codec
	srtp  bool // the media is SRTP
}

func (t *telephony) setNegotiated(id sip.CallID, s sdpneg.Session) {
	t.mu.Lock()
	t.negotiated[id] = negotiated{codec: s.Codec, srtp: s.Secure()}
	t.mu.Unlock()
}

// negotiation returns what a call negotiated; zero before.
func (t *telephony) negotiation(id sip.CallID) negotiated {
	t.mu.Lock()
	defer t.mu.Unlock()
	return t.negotiated[id]
}

func (l *callLeg) SendDTMF(digit byte) error {
	d, err := dtmf.ParseDigit(rune(digit))
	if err != nil {
		return err
	}
	return l.leg.SendDTMF(d, 0)
}

func (l *callLeg) Close() error {
	if l.t.legClosed != nil {
		l.t.legClosed(l.id, l.leg)
	}
	l.t.mu.Lock()
	delete(l.t.legs, l.id)
	delete(l.t.negotiated, l.id)
	l.t.mu.Unlock()
	return l.leg.Remove()
}

// callEvent turns the user agent's view of a call into the phone's.
func callEvent(e sip.CallEvent) ui.CallEvent {
	return ui.CallEvent{
		ID:           ui.CallID(e.ID),
		Line:         e.Line,
		State:        ui.CallState(e.State),
		Direction:    ui.Direction(e.Direction),
		Remote:       e.Remote,
		RemoteName:   e.RemoteName,
		RemoteNumber: e.RemoteNumber,
		HeldByRemote: e.HeldByRemote,
		Reason:       e.Reason,
		AutoAnswer:   e.AutoAnswer,
	}
}

// loadRingtone fetches and decodes the provisioned ringtone; on any
// failure the built-in ring stays, and the log says why.
func (t *telephony) loadRingtone(ctx context.Context, url string) {
	if url == "" {
		t.ringtone.Store(nil)
		return
	}
	fetcher := provisioning.NewFetcher(provisioning.FetchOptions{MaxSize: prompt.MaxFileSize})
	defer fetcher.Close()
	fetch := func(ctx context.Context, url string) ([]byte, error) {
		f, err := fetcher.Fetch(ctx, url, provisioning.Validators{})
		if err != nil {
			return nil, err
		}
		return f.Data, nil
	}
	clip, err := prompt.Load(ctx, fetch, url, t.engine.SampleRate())
	if err != nil {
		t.log.Warn("ringtone: keeping the built-in ring", "err", err)
		return
	}
	t.ringtone.Store(clip)
	t.log.Info("ringtone loaded", "seconds", clip.Duration().Seconds())
}
