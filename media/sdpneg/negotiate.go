package sdpneg

import (
	"fmt"
	"math/rand/v2"
	"net/netip"
	"strconv"
	"strings"

	"github.com/pion/sdp/v3"
)

const telephoneEventName = "telephone-event"

// Describe parses an SDP body and returns its first audio stream.
func Describe(body []byte) (Remote, error) {
	var sd sdp.SessionDescription
	if err := unmarshal(&sd, body); err != nil {
		return Remote{}, err
	}
	r, _, err := describe(&sd)
	return r, err
}

// unmarshal parses body into sd. SDP is text: lines end in CRLF (or LF)
// and hold no other control characters than tab.
func unmarshal(sd *sdp.SessionDescription, body []byte) error {
	for i, c := range body {
		if c >= 0x20 && c != 0x7F || c == '\n' || c == '\t' || c == '\r' && i+1 < len(body) && body[i+1] == '\n' {
			continue
		}
		return fmt.Errorf("%w: control character %#02x at offset %d", ErrParse, c, i)
	}
	if err := sd.Unmarshal(body); err != nil {
		return fmt.Errorf("%w: %w", ErrParse, err)
	}
	return nil
}

// describe returns the first audio stream of sd and its index.
func describe(sd *sdp.SessionDescription) (Remote, int, error) {
	for i, md := range sd.MediaDescriptions {
		if md.MediaName.Media != "audio" {
			continue
		}
		r := Remote{
			Port:      md.MediaName.Port.Value,
			Proto:     strings.Join(md.MediaName.Protos, "/"),
			Direction: SendRecv,
		}
		// Direction: media level over session level.
		for _, attrs := range [][]sdp.Attribute{sd.Attributes, md.Attributes} {
			for _, a := range attrs {
				if d, ok := ParseDirection(a.Key); ok && a.Value == "" {
					r.Direction = d
				}
			}
		}
		ci := sd.ConnectionInformation
		if md.ConnectionInformation != nil {
			ci = md.ConnectionInformation
		}
		if r.Port != 0 {
			if ci == nil || ci.Address == nil {
				return r, i, fmt.Errorf("%w: no c= line for the audio stream", ErrAddress)
			}
			a, err := netip.ParseAddr(ci.Address.Address)
			if err != nil {
				return r, i, fmt.Errorf("%w: %q", ErrAddress, ci.Address.Address)
			}
			r.Addr = a.Unmap()
		}
		for _, f := range md.MediaName.Formats {
			pt, err := strconv.ParseUint(f, 10, 7)
			if err != nil {
				continue // not an RTP payload type
			}
			r.Formats = append(r.Formats, formatFor(md, uint8(pt)))
		}
		_, r.RTCPMux = md.Attribute("rtcp-mux")
		for _, a := range md.Attributes {
			if a.Key != "crypto" {
				continue
			}
			r.CryptoLines++
			if c, err := ParseCrypto(a.Value); err == nil {
				r.Crypto = append(r.Crypto, c)
			}
		}
		if v, ok := md.Attribute("ptime"); ok {
			if p, err := strconv.Atoi(strings.TrimSpace(v)); err == nil && p > 0 {
				r.Ptime = p
			}
		}
		return r, i, nil
	}
	return Remote{}, -1, ErrNoAudio
}

// formatFor resolves payload type pt from the rtpmap and fmtp attributes
// of md, falling back to the static assignments of RFC 3551.
func formatFor(md *sdp.MediaDescription, pt uint8) Format {
	f := Format{PayloadType: pt}
	switch pt {
	case 0:
		f.Name, f.ClockRate = "PCMU", 8000
	case 8:
		f.Name, f.ClockRate = "PCMA", 8000
	case 9:
		f.Name, f.ClockRate = "G722", 8000
	case 13:
		f.Name, f.ClockRate = "CN", 8000
	}
	for _, a := range md.Attributes {
		if a.Key != "rtpmap" && a.Key != "fmtp" {
			continue
		}
		ptText, rest, ok := strings.Cut(strings.TrimSpace(a.Value), " ")
		if !ok {
			continue
		}
		if n, err := strconv.ParseUint(ptText, 10, 8); err != nil || n != uint64(pt) {
			continue
		}
		rest = strings.TrimSpace(rest)
		if a.Key == "fmtp" {
			f.Fmtp = rest
			continue
		}
		fields := strings.Fields(rest)
		if len(fields) != 1 {
			continue // not "name/rate[/channels]"
		}
		name, rate, _ := strings.Cut(fields[0], "/")
		rate, _, _ = strings.Cut(rate, "/")
		f.Name, f.ClockRate = name, 0
		if r, err := strconv.ParseUint(rate, 10, 32); err == nil {
			f.ClockRate = uint32(r)
		}
	}
	return f
}

// codecOf returns the phone's codec for format f, if it has one.
func codecOf(f Format) (Codec, bool) {
	if f.ClockRate != 8000 {
		return 0, false
	}
	return ParseCodec(f.Name)
}

func (r Remote) telephoneEvent() uint8 {
	for _, f := range r.Formats {
		if equalFold(f.Name, telephoneEventName) && f.ClockRate == 8000 {
			return f.PayloadType
		}
	}
	return 0
}

func (l Local) codecs() []Codec {
	if len(l.Codecs) == 0 {
		return []Codec{PCMU, PCMA}
	}
	return l.Codecs
}

func (l Local) telephoneEvent() uint8 {
	if l.NoTelephoneEvent {
		return 0
	}
	if l.TelephoneEvent == 0 {
		return DefaultTelephoneEvent
	}
	return l.TelephoneEvent
}

func (l Local) check() error {
	if !l.Addr.IsValid() {
		return fmt.Errorf("%w: no address", ErrLocal)
	}
	if l.Port <= 0 || l.Port > 65535 {
		return fmt.Errorf("%w: port %d", ErrLocal, l.Port)
	}
	for _, c := range l.codecs() {
		if c != PCMU && c != PCMA && c != G722 {
			return fmt.Errorf("%w: codec %v", ErrLocal, c)
		}
	}
	if l.SRTP > SRTPRequired {
		return fmt.Errorf("%w: SRTP mode %v", ErrLocal, l.SRTP)
	}
	if l.SRTP != SRTPOff && l.SRTPKey == (MasterKey{}) {
		return fmt.Errorf("%w: SRTP %v without a master key", ErrLocal, l.SRTP)
	}
	if te := l.telephoneEvent(); te != 0 && (te < 96 || te > 127) {
		return fmt.Errorf("%w: telephone-event payload type %d is not dynamic (96-127)", ErrLocal, te)
	}
	if l.Direction > Inactive {
		return fmt.Errorf("%w: direction %v", ErrLocal, l.Direction)
	}
	return nil
}

// Offer returns an SDP offer for l: one m=audio line with l's codecs in
// order, telephone-event 0-16, ptime 20 and l's direction. With SRTP
// it carries a=crypto lines for AES_CM_128_HMAC_SHA1_80 (tag 1) and _32
// (tag 2) with l.SRTPKey, on RTP/SAVP when SRTP is required and on
// RTP/AVP when it is optional.
func Offer(l Local) ([]byte, error) {
	if err := l.check(); err != nil {
		return nil, err
	}
	return build(l, l.codecs(), l.telephoneEvent(), l.Direction)
}

// offerCrypto returns the a=crypto lines and the proto of l's offers.
func offerCrypto(l Local) ([]Crypto, string) {
	if l.SRTP == SRTPOff {
		return nil, "RTP/AVP"
	}
	cs := make([]Crypto, len(offeredSuites))
	for i, suite := range offeredSuites {
		cs[i] = Crypto{Tag: uint32(i + 1), Suite: suite, Key: l.SRTPKey}
	}
	if l.SRTP == SRTPRequired {
		return cs, "RTP/SAVP"
	}
	return cs, "RTP/AVP"
}

// Answer answers an SDP offer on behalf of l. It picks the first of l's
// codecs (in l's preference order) that the offer carries, keeps
// telephone-event if both sides have it, and answers the direction both
// sides allow. Non-audio streams and audio streams after the first are
// rejected with port 0, as RFC 3264 requires. Under l.SRTP it takes the
// offer's first usable a=crypto line and answers it with the same tag,
// suite and proto and l.SRTPKey. It fails with ErrNoCommonCodec or
// ErrCrypto (answer 488 to both) or ErrNoAudio.
func Answer(offer []byte, l Local) (answer []byte, s Session, err error) {
	if err := l.check(); err != nil {
		return nil, Session{}, err
	}
	var sd sdp.SessionDescription
	if err := unmarshal(&sd, offer); err != nil {
		return nil, Session{}, err
	}
	r, index, err := describe(&sd)
	if err != nil {
		return nil, Session{}, err
	}
	if r.Port == 0 {
		return nil, Session{}, fmt.Errorf("%w: the offer's audio stream has port 0", ErrNoAudio)
	}
	s, err = negotiate(r, l, l.codecs(), r.Formats)
	if err != nil {
		return nil, Session{}, err
	}
	cr, err := answerCrypto(r, l.SRTP)
	if err != nil {
		return nil, Session{}, err
	}
	proto := "RTP/AVP"
	var crypto []Crypto
	if cr.Suite != 0 {
		s.SRTP, s.SendKey, s.RecvKey = cr.Suite, l.SRTPKey, cr.Key
		crypto = []Crypto{{Tag: cr.Tag, Suite: cr.Suite, Key: l.SRTPKey}}
		if secureProto(r.Proto) {
			proto = r.Proto
		}
	}
	te := uint8(0)
	if s.TelephoneEvent != 0 {
		te = s.TelephoneEvent // answer with the offer's payload type
		s.LocalTelephoneEvent = te
	}
	answer, err = buildAnswer(l, &sd, index, s.Codec, te, s.Direction, s.RTCPMux, proto, crypto)
	if err != nil {
		return nil, Session{}, err
	}
	return answer, s, nil
}

// ParseAnswer reads the remote answer to an offer made with Offer(l) and
// returns the session: the first codec of the answer that l offered, and
// SRTP if the answer carries an a=crypto line with a tag and suite l
// offered. It fails with ErrCrypto when SRTP is required and the answer
// has no such line, or when the answer is RTP/SAVP or has a=crypto lines
// none of which fits.
func ParseAnswer(answer []byte, l Local) (Session, error) {
	if err := l.check(); err != nil {
		return Session{}, err
	}
	r, err := Describe(answer)
	if err != nil {
		return Session{}, err
	}
	if r.Port == 0 {
		return Session{}, fmt.Errorf("%w: the answer rejected the audio stream", ErrNoAudio)
	}
	// In an answer the remote's order rules: it has picked.
	var order []Codec
	for _, f := range r.Formats {
		if c, ok := codecOf(f); ok {
			order = append(order, c)
		}
	}
	s, err := negotiate(r, l, order, r.Formats)
	if err != nil {
		return Session{}, err
	}
	s.LocalTelephoneEvent = l.telephoneEvent()
	if s.TelephoneEvent == 0 {
		s.LocalTelephoneEvent = 0
	}
	cr, err := answeredCrypto(r, l.SRTP)
	if err != nil {
		return Session{}, err
	}
	if cr.Suite != 0 {
		s.SRTP, s.SendKey, s.RecvKey = cr.Suite, l.SRTPKey, cr.Key
	}
	return s, nil
}

// negotiate picks the first codec of order that both l and r have.
func negotiate(r Remote, l Local, order []Codec, formats []Format) (Session, error) {
	ours := l.codecs()
	has := func(list []Codec, c Codec) bool {
		for _, x := range list {
			if x == c {
				return true
			}
		}
		return false
	}
	var remote []Codec
	for _, f := range formats {
		if c, ok := codecOf(f); ok {
			remote = append(remote, c)
		}
	}
	s := Session{Ptime: DefaultPtime}
	for _, c := range order {
		if has(ours, c) && has(remote, c) {
			s.Codec = c
			break
		}
	}
	if s.Codec == 0 {
		names := make([]string, len(formats))
		for i, f := range formats {
			names[i] = fmt.Sprintf("%d %s/%d", f.PayloadType, f.Name, f.ClockRate)
		}
		return Session{}, fmt.Errorf("%w: remote offers [%s], phone accepts %v", ErrNoCommonCodec, strings.Join(names, ", "), ours)
	}
	s.PayloadType = s.Codec.PayloadType()
	if l.telephoneEvent() != 0 {
		s.TelephoneEvent = r.telephoneEvent()
	}
	if r.Ptime > 0 {
		s.Ptime = r.Ptime
	}
	s.RTCPMux = r.RTCPMux
	// A remote address of 0.0.0.0 (RFC 2543 hold) means: do not send.
	remoteRecv := r.Direction.Receives() && !r.Addr.IsUnspecified()
	s.Direction = MakeDirection(l.Direction.Sends() && remoteRecv, l.Direction.Receives() && r.Direction.Sends())
	if !r.Addr.IsUnspecified() {
		s.Remote = netip.AddrPortFrom(r.Addr, uint16(r.Port))
	}
	return s, nil
}

func origin(l Local) sdp.Origin {
	user := l.Username
	if user == "" {
		user = "-"
	}
	id := l.SessionID
	if id == 0 {
		id = rand.Uint64() >> 1
	}
	return sdp.Origin{
		Username:       user,
		SessionID:      id,
		SessionVersion: l.SessionVersion,
		NetworkType:    "IN",
		AddressType:    addrType(l.Addr),
		UnicastAddress: l.Addr.String(),
	}
}

func addrType(a netip.Addr) string {
	if a.Is4() || a.Is4In6() {
		return "IP4"
	}
	return "IP6"
}

func audioMedia(l Local, codecs []Codec, te uint8, dir Direction, proto string, crypto []Crypto) *sdp.MediaDescription {
	md := &sdp.MediaDescription{
		MediaName: sdp.MediaName{
			Media:  "audio",
			Port:   sdp.RangedPort{Value: l.Port},
			Protos: strings.Split(proto, "/"),
		},
	}
	// WithCodec appends the payload type to the m= format list itself.
	for _, c := range codecs {
		md.WithCodec(c.PayloadType(), c.String(), c.ClockRate(), 0, "")
	}
	if te != 0 {
		md.WithCodec(te, telephoneEventName, 8000, 0, "0-16")
	}
	md.WithValueAttribute("ptime", strconv.Itoa(DefaultPtime))
	md.WithPropertyAttribute(dir.String())
	for _, c := range crypto {
		md.WithValueAttribute("crypto", c.String())
	}
	return md
}

func build(l Local, codecs []Codec, te uint8, dir Direction) ([]byte, error) {
	crypto, proto := offerCrypto(l)
	sd := &sdp.SessionDescription{
		Origin:      origin(l),
		SessionName: "ccphone",
		ConnectionInformation: &sdp.ConnectionInformation{
			NetworkType: "IN",
			AddressType: addrType(l.Addr),
			Address:     &sdp.Address{Address: l.Addr.Unmap().String()},
		},
		TimeDescriptions:  []sdp.TimeDescription{{}},
		MediaDescriptions: []*sdp.MediaDescription{audioMedia(l, codecs, te, dir, proto, crypto)},
	}
	b, err := sd.Marshal()
	if err != nil {
		return nil, fmt.Errorf("%w: marshal: %w", ErrLocal, err)
	}
	return b, nil
}

// buildAnswer answers offer: stream index carries audio, every other
// stream is rejected with port 0 and its first format. mux agrees to
// the offer's a=rtcp-mux; the audio stream has proto and crypto.
func buildAnswer(l Local, offer *sdp.SessionDescription, index int, c Codec, te uint8, dir Direction, mux bool, proto string, crypto []Crypto) ([]byte, error) {
	sd := &sdp.SessionDescription{
		Origin:      origin(l),
		SessionName: "ccphone",
		ConnectionInformation: &sdp.ConnectionInformation{
			NetworkType: "IN",
			AddressType: addrType(l.Addr),
			Address:     &sdp.Address{Address: l.Addr.Unmap().String()},
		},
		TimeDescriptions: []sdp.TimeDescription{{}},
	}
	for i, md := range offer.MediaDescriptions {
		if i == index {
			md := audioMedia(l, []Codec{c}, te, dir, proto, crypto)
			if mux {
				md.WithPropertyAttribute("rtcp-mux")
			}
			sd.MediaDescriptions = append(sd.MediaDescriptions, md)
			continue
		}
		rejected := &sdp.MediaDescription{MediaName: sdp.MediaName{
			Media:   md.MediaName.Media,
			Port:    sdp.RangedPort{Value: 0},
			Protos:  md.MediaName.Protos,
			Formats: md.MediaName.Formats,
		}}
		if len(rejected.MediaName.Formats) > 1 {
			rejected.MediaName.Formats = rejected.MediaName.Formats[:1]
		}
		sd.MediaDescriptions = append(sd.MediaDescriptions, rejected)
	}
	b, err := sd.Marshal()
	if err != nil {
		return nil, fmt.Errorf("%w: marshal answer: %w", ErrLocal, err)
	}
	return b, nil
}
