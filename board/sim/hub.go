package sim

import "sync"

// topic is a set of things that changed, one bit each.
type topic uint8

const (
	topicLCD   topic = 1 << iota // the frame: event "lcd"
	topicLEDs                    // the LEDs: event "leds"
	topicState                   // Options.State, the LCD settings, the jack: event "state"

	allTopics = topicLCD | topicLEDs | topicState
)

// hub tells event streams what changed. A change sets a bit on every
// subscriber and wakes it; the subscriber then sends the current value of
// each changed topic once. Publishing never blocks, and changes that come
// faster than a stream writes are coalesced. It is safe for concurrent use.
type hub struct {
	mu   sync.Mutex
	subs map[*subscriber]struct{}
}

// subscriber is one open event stream.
type subscriber struct {
	pending topic         // guarded by hub.mu
	wake    chan struct{} // capacity 1: "pending may be non-zero"
}

func (h *hub) init() { h.subs = make(map[*subscriber]struct{}) }

// subscribe returns a subscriber with every topic pending, so that a new
// stream starts with the current state of everything.
func (h *hub) subscribe() *subscriber {
	s := &subscriber{pending: allTopics, wake: make(chan struct{}, 1)}
	s.wake <- struct{}{}
	h.mu.Lock()
	h.subs[s] = struct{}{}
	h.mu.Unlock()
	return s
}

func (h *hub) unsubscribe(s *subscriber) {
	h.mu.Lock()
	delete(h.subs, s)
	h.mu.Unlock()
}

// publish marks t changed for every subscriber.
func (h *hub) publish(t topic) {
	h.mu.Lock()
	defer h.mu.Unlock()
	for s := range h.subs {
		s.pending |= t
		select {
		case s.wake <- struct{}{}:
		default:
		}
	}
}

// take returns and clears what changed for s since the last take.
func (h *hub) take(s *subscriber) topic {
	h.mu.Lock()
	defer h.mu.Unlock()
	t := s.pending
	s.pending = 0
	return t
}
