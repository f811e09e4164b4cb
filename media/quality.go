package media

import (
	"time"

	"ccphone/media/sdpneg"
)

// Quality is a snapshot of how a call sounds, for the phone's display
// and the supervisor's wallboard: both directions' loss and jitter from
// RTCP, the round-trip time, and a MOS estimated with the E-model.
//
// Loss and Jitter are what the phone measures on the far end's stream;
// FarLoss and FarJitter what the far end measured on ours and said in its
// last RTCP report (zero until FarReported). Loss figures are over the
// last report interval (about 5 s), as RTCP's fraction lost is.
type Quality struct {
	Codec sdpneg.Codec // zero before the session is applied
	// SRTP is the crypto suite protecting the call's media; zero for
	// plain RTP (and before the session is applied). Rejected counts
	// the far end's packets dropped as inauthentic or replayed.
	SRTP                  sdpneg.CryptoSuite
	Rejected              uint64
	PacketsSent, Received uint64  // RTP packets
	Loss                  float64 // % of the far end's packets lost, our last interval
	FarLoss               float64 // % of ours the far end lost, its last interval
	Lost, FarLost         int64   // cumulative packets lost, each way
	Jitter                time.Duration
	FarJitter             time.Duration
	FarReported           bool          // a report block about our stream came
	RTT                   time.Duration // round-trip time from LSR/DLSR; 0 until known
	// Delay is the one-way mouth-to-ear delay the MOS assumes:
	// RTT/2 + the jitter buffer's delay + one 20 ms frame of packing.
	Delay time.Duration
	R     float64 // E-model transmission rating, 0..93.2
	MOS   float64 // estimated mean opinion score, 1..4.5
}

// qualityState is what the engine publishes for Quality under
// legState.qmu: the figures that change only with RTCP.
type qualityState struct {
	codec         sdpneg.Codec
	srtp          sdpneg.CryptoSuite
	loss, farLoss float64
	lost, farLost int64
	farJitter     time.Duration
	farReported   bool
	rtt           time.Duration
}

// Quality returns the leg's call quality, as of the last tick and the
// last RTCP exchanged. Safe from any goroutine; it does the E-model's
// arithmetic in the caller's goroutine, not the engine's.
func (l *Leg) Quality() Quality {
	s := l.st
	s.qmu.Lock()
	p := s.q
	s.qmu.Unlock()
	rtp := s.stream.Stats()
	q := Quality{
		Codec: p.codec, SRTP: p.srtp, Rejected: rtp.Rejected, PacketsSent: rtp.Sent, Received: rtp.Received,
		Loss: p.loss, FarLoss: p.farLoss, Lost: p.lost, FarLost: p.farLost,
		Jitter:      time.Duration(s.jitter.Load()) * time.Second / rtpClock,
		FarJitter:   p.farJitter,
		FarReported: p.farReported,
		RTT:         p.rtt,
	}
	q.Delay = q.RTT/2 + time.Duration(s.target.Load())*FrameDuration + FrameDuration
	// The call is as good as its worse direction.
	q.R, q.MOS = EModel(q.Codec, q.Delay, max(q.Loss, q.FarLoss))
	return q
}

// The simplified ITU-T G.107 E-model (as in Cole and Rosenbluth, "Voice
// over IP performance monitoring", 2001):
//
//	R    = R0 - Id - Ie,eff                       (Is and A left at their defaults)
//	Id   = 0.024 d + 0.11 (d - 177.3) H(d - 177.3), d the one-way delay in ms
//	Ie,eff = Ie + (95 - Ie) Ppl / (Ppl + Bpl)     (random loss: BurstR = 1)
//	MOS  = 1                                      for R <= 0
//	     = 1 + 0.035 R + 7e-6 R (R - 60)(100 - R) for 0 < R < 100
//	     = 4.5                                    for R >= 100
//
// with Ppl the packet loss in percent and these constants (G.107, G.113
// Appendix I):
//
//	R0                      93.2  G.107 with all its defaults, no delay, no loss
//	G.711 (PCMU, PCMA) Ie   0
//	G.711 with PLC     Bpl  25.1  the engine conceals every loss (media/jitter)
//	G.722              Ie   0,    Bpl 25.1: scored as G.711 on the narrowband
//	                              scale (G.107.1's wideband R of 129 is not used),
//	                              so a G.722 call's MOS is a floor, not its worth
//
// The MOS formula dips below 1 for R under about 6.5; it is clamped.
const (
	eModelR0     = 93.2
	eModelIeG711 = 0
	eModelBplPLC = 25.1
)

// codecImpairment returns the E-model's Ie and Bpl for codec: the same
// for all the phone's codecs (see the table above).
func codecImpairment(sdpneg.Codec) (ie, bpl float64) {
	return eModelIeG711, eModelBplPLC
}

// EModel returns the E-model rating R and the MOS it maps to for codec
// with a one-way mouth-to-ear delay and a packet loss in percent. See the
// formulas above.
func EModel(codec sdpneg.Codec, delay time.Duration, lossPercent float64) (r, mos float64) {
	ie, bpl := codecImpairment(codec)
	d := float64(delay) / float64(time.Millisecond)
	id := 0.024 * d
	if d > 177.3 {
		id += 0.11 * (d - 177.3)
	}
	ppl := min(max(lossPercent, 0), 100)
	ieEff := ie + (95-ie)*ppl/(ppl+bpl)
	r = max(eModelR0-id-ieEff, 0)
	switch {
	case r <= 0:
		mos = 1
	case r >= 100:
		mos = 4.5
	default:
		mos = max(1, 1+0.035*r+7e-6*r*(r-60)*(100-r))
	}
	return r, mos
}
