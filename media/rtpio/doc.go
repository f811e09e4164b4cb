// Package rtpio is one call leg's RTP stream: a UDP socket bound to an even
// port in the phone's RTP range, the sending state of RFC 3550 (SSRC,
// sequence number, timestamp, marker bit) and the receiving side's choice
// of which source to listen to.
//
// The media engine uses a Stream from its one goroutine, once per tick:
//
//	for {
//		st, err := s.Receive(buf, &pkt) // never blocks
//		if st == rtpio.Nothing { break }
//		if st == rtpio.NewSource { jitterBuffer.Reset() }
//		jitterBuffer.Push(&pkt, now)
//	}
//	s.SendFrame(0, payload) // or nothing while held or silent
//	s.EndFrame(160)         // the clock moves on whether or not we sent
//
// Receive reads the socket without blocking and without a goroutine: the
// kernel queues datagrams between ticks and Receive drains them with
// recvfrom(MSG_DONTWAIT). On Linux the socket is kept out of the Go
// runtime's network poller and used with raw system calls, so that
// arriving packets wake no thread (see socket_linux.go). pkt points into
// buf; nothing is allocated per packet, sending included.
//
// With Config.Symmetric the stream sends to where the remote's packets come
// from (symmetric RTP, RFC 4961, for phones behind NAT). A packet from an
// unknown SSRC (or, when symmetric, an unknown address) is ignored until
// Config.NewSourceAfter of them arrive in sequence; then the stream switches
// to it and reports NewSource so that the jitter buffer starts over.
//
// With Config.RTCP the stream also binds the odd port above its RTP port
// for RTCP, in the same raw style: SendControl and ReceiveControl carry
// datagrams the caller marshals and parses (the engine does, in
// media/rtcp.go); with SetMux (RFC 5761) RTCP shares the RTP socket and
// Receive hands it out as Control.
//
// With SetSRTP (RFC 3711, keys from SDES in the SDP: see media/sdpneg)
// the stream protects what it sends and authenticates and decrypts what
// it receives, RTP and RTCP, in place in the same buffers with
// github.com/pion/srtp/v3 contexts, still without allocating per packet.
// Replay protection is on; a datagram that fails authentication or
// comes again is dropped and counted in Stats.Rejected.
//
// Apart from LocalAddr, SSRC and Stats, which are safe from any
// goroutine, a Stream (Close included) is used by one goroutine at a time.
package rtpio
