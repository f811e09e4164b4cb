package sip

import (
	"bufio"
	"bytes"
	"fmt"
	"net/url"
	"strconv"
	"strings"

	"github.com/emiago/sipgo/sip"

	"ccphone/provisioning"
)

// targetURI turns what the agent dialled into a Request-URI: digits (and
// * # +) become sip:digits@ the account's registrar domain, a sip: or
// sips: URI is taken as it is, and user@host gets sip: in front.
func targetURI(target string, acc provisioning.Account, server int) (sip.Uri, error) {
	target = strings.TrimSpace(target)
	var u sip.Uri
	switch {
	case target == "":
		return u, fmt.Errorf("%w: empty", ErrTarget)
	case isDialString(target):
		if server < 0 || !acc.Servers[server].Configured() {
			server = 0
		}
		domain := acc.Servers[server].Address
		if domain == "" {
			return u, fmt.Errorf("%w: %q needs a registrar to dial through", ErrTarget, target)
		}
		return sip.Uri{Scheme: "sip", User: target, Host: domain}, nil
	}
	lower := strings.ToLower(target)
	if !strings.HasPrefix(lower, "sip:") && !strings.HasPrefix(lower, "sips:") {
		if !strings.Contains(target, "@") {
			return u, fmt.Errorf("%w: %q is neither digits nor a SIP URI", ErrTarget, target)
		}
		target = "sip:" + target
	}
	if err := sip.ParseUri(target, &u); err != nil || u.Host == "" {
		return u, fmt.Errorf("%w: %q: %v", ErrTarget, target, err)
	}
	return u, nil
}

// isDialString reports whether s is something typed on a dial pad.
func isDialString(s string) bool {
	for i := 0; i < len(s); i++ {
		c := s[i]
		if !(c >= '0' && c <= '9' || c == '*' || c == '#' || c == '+') {
			return false
		}
	}
	return s != ""
}

// autoAnswerHint reports whether an INVITE asks the callee to answer by
// itself (intercom, paging): Call-Info with answer-after=N, Alert-Info
// with info=alert-autoanswer, intercom or "Auto Answer", or Answer-Mode
// (RFC 5373) Auto. The caller decides whether the sender may ask.
func autoAnswerHint(req *sip.Request) bool {
	for _, h := range req.GetHeaders("Call-Info") {
		if strings.Contains(strings.ToLower(h.Value()), "answer-after=") {
			return true
		}
	}
	for _, h := range req.GetHeaders("Alert-Info") {
		v := strings.ToLower(h.Value())
		if strings.Contains(v, "alert-autoanswer") || strings.Contains(v, "intercom") ||
			strings.Contains(v, "auto answer") || strings.Contains(v, "auto-answer") {
			return true
		}
	}
	for _, name := range []string{"Answer-Mode", "Priv-Answer-Mode"} {
		for _, h := range req.GetHeaders(name) {
			mode, _, _ := strings.Cut(h.Value(), ";")
			if strings.EqualFold(strings.TrimSpace(mode), "auto") {
				return true
			}
		}
	}
	return false
}

// validDigit reports whether d is a DTMF digit.
func validDigit(d byte) bool {
	return d >= '0' && d <= '9' || d == '*' || d == '#' || d >= 'A' && d <= 'D'
}

// dtmfInfoBody is the application/dtmf-relay body for digit d.
func dtmfInfoBody(d byte) []byte {
	return []byte("Signal=" + string(d) + "\r\nDuration=160\r\n")
}

// parseDTMFInfo reads the digit of an INFO body: application/dtmf-relay
// ("Signal=5\r\nDuration=160") or application/dtmf ("5"). Event codes
// 10 and 11 stand for * and #, 12-15 for A-D, as some gateways send.
func parseDTMFInfo(contentType string, body []byte) (byte, bool) {
	ct, _, _ := strings.Cut(strings.ToLower(contentType), ";")
	ct = strings.TrimSpace(ct)
	var sig string
	switch ct {
	case "application/dtmf-relay":
		sc := bufio.NewScanner(bytes.NewReader(body))
		for sc.Scan() {
			k, v, ok := strings.Cut(sc.Text(), "=")
			if ok && strings.EqualFold(strings.TrimSpace(k), "signal") {
				sig = strings.TrimSpace(v)
				break
			}
		}
	case "application/dtmf":
		sig = strings.TrimSpace(string(body))
	default:
		return 0, false
	}
	if n, err := strconv.Atoi(sig); err == nil && n >= 10 && n <= 15 {
		return "*#ABCD"[n-10], true
	}
	if len(sig) != 1 {
		return 0, false
	}
	d := sig[0]
	if d >= 'a' && d <= 'd' {
		d -= 'a' - 'A'
	}
	if !validDigit(d) {
		return 0, false
	}
	return d, true
}

// parseSipfrag reads the status line of a message/sipfrag body, e.g.
// "SIP/2.0 180 Ringing".
func parseSipfrag(body []byte) (code int, reason string, ok bool) {
	line, _, _ := strings.Cut(string(body), "\n")
	line = strings.TrimSpace(line)
	rest, found := strings.CutPrefix(line, "SIP/2.0 ")
	if !found {
		return 0, "", false
	}
	num, reason, _ := strings.Cut(rest, " ")
	code, err := strconv.Atoi(num)
	if err != nil || code < 100 || code > 699 {
		return 0, "", false
	}
	return code, strings.TrimSpace(reason), true
}

// sipfrag is a message/sipfrag body for status code and reason.
func sipfrag(code int, reason string) []byte {
	return []byte("SIP/2.0 " + strconv.Itoa(code) + " " + reason + "\r\n")
}

// parseMessageSummary reads an RFC 3842 application/simple-message-summary
// body: Messages-Waiting and the Voice-Message new/old counts.
func parseMessageSummary(body []byte) (waiting bool, newMsgs, oldMsgs int, ok bool) {
	sc := bufio.NewScanner(bytes.NewReader(body))
	for sc.Scan() {
		k, v, found := strings.Cut(sc.Text(), ":")
		if !found {
			continue
		}
		v = strings.TrimSpace(v)
		switch strings.ToLower(strings.TrimSpace(k)) {
		case "messages-waiting":
			waiting = strings.EqualFold(v, "yes")
			ok = true
		case "voice-message":
			// "2/8 (0/2)": new/old, then urgent new/old.
			counts, _, _ := strings.Cut(v, " ")
			n, o, found := strings.Cut(counts, "/")
			if !found {
				continue
			}
			var err1, err2 error
			newMsgs, err1 = strconv.Atoi(strings.TrimSpace(n))
			oldMsgs, err2 = strconv.Atoi(strings.TrimSpace(o))
			if err1 != nil || err2 != nil || newMsgs < 0 || oldMsgs < 0 {
				newMsgs, oldMsgs = 0, 0
			}
		}
	}
	return waiting, newMsgs, oldMsgs, ok
}

// replaces is the dialog a Replaces header (RFC 3891) names, from the
// point of view of the INVITE's recipient: ToTag is its local tag.
type replaces struct {
	CallID, ToTag, FromTag string
	EarlyOnly              bool
}

// parseReplaces reads "callid;to-tag=a;from-tag=b[;early-only]".
func parseReplaces(v string) (replaces, bool) {
	parts := strings.Split(v, ";")
	r := replaces{CallID: strings.TrimSpace(parts[0])}
	for _, p := range parts[1:] {
		k, val, _ := strings.Cut(strings.TrimSpace(p), "=")
		switch strings.ToLower(k) {
		case "to-tag":
			r.ToTag = val
		case "from-tag":
			r.FromTag = val
		case "early-only":
			r.EarlyOnly = true
		}
	}
	return r, r.CallID != "" && r.ToTag != "" && r.FromTag != ""
}

// String formats r as a Replaces header value.
func (r replaces) String() string {
	return r.CallID + ";to-tag=" + r.ToTag + ";from-tag=" + r.FromTag
}

// referToWithReplaces is a Refer-To value for an attended transfer: the
// consultation's far end, with the Replaces header to put in the INVITE
// the transferee sends there, escaped as a URI header (RFC 3515 §2.1).
func referToWithReplaces(target sip.Uri, r replaces) string {
	t := target.Clone()
	t.UriParams = nil
	t.Headers = nil
	return "<" + t.String() + "?Replaces=" + url.QueryEscape(r.String()) + ">"
}

// parseReferTo reads a Refer-To value: the URI to call and the Replaces
// header it carries, if any.
func parseReferTo(v string) (sip.Uri, *replaces, error) {
	v = strings.TrimSpace(v)
	if i := strings.IndexByte(v, '<'); i >= 0 {
		if j := strings.IndexByte(v[i:], '>'); j > 0 {
			v = v[i+1 : i+j]
		}
	}
	var rep *replaces
	if base, hdrs, found := strings.Cut(v, "?"); found {
		v = base
		for _, kv := range strings.Split(hdrs, "&") {
			k, val, _ := strings.Cut(kv, "=")
			if !strings.EqualFold(k, "Replaces") {
				continue
			}
			un, err := url.QueryUnescape(val)
			if err != nil {
				return sip.Uri{}, nil, fmt.Errorf("%w: Refer-To Replaces %q: %v", ErrTarget, val, err)
			}
			if r, ok := parseReplaces(un); ok {
				rep = &r
			}
		}
	}
	var u sip.Uri
	if err := sip.ParseUri(v, &u); err != nil || u.Host == "" {
		return sip.Uri{}, nil, fmt.Errorf("%w: Refer-To %q: %v", ErrTarget, v, err)
	}
	return u, rep, nil
}

// headerValue returns the first value of header name, or "".
func headerValue(m interface{ GetHeader(string) sip.Header }, name string) string {
	if h := m.GetHeader(name); h != nil {
		return strings.TrimSpace(h.Value())
	}
	return ""
}

// eventPackage returns the Event header's package name, lower-case.
func eventPackage(req *sip.Request) string {
	ev, _, _ := strings.Cut(headerValue(req, "Event"), ";")
	return strings.ToLower(strings.TrimSpace(ev))
}

// recordHeader reads Record: on / off.
func recordHeader(req *sip.Request) (on, ok bool) {
	switch strings.ToLower(headerValue(req, "Record")) {
	case "on":
		return true, true
	case "off":
		return false, true
	}
	return false, false
}

// parseRecordRequest reads the value of Options.RecordHeader: on, yes,
// true or 1 ask for recording, off, no, false or 0 ask against it, in
// any case; anything else (or nothing) is no request.
func parseRecordRequest(v string) (record, ok bool) {
	v, _, _ = strings.Cut(v, ";")
	switch strings.ToLower(strings.TrimSpace(v)) {
	case "on", "yes", "true", "1":
		return true, true
	case "off", "no", "false", "0":
		return false, true
	}
	return false, false
}
