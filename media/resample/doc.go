// Package resample converts 16-bit mono audio from one sample rate to
// another, a stream at a time: the phone's 8 or 16 kHz to and from a sound
// device that only runs at 44.1 or 48 kHz, and MP3 or WAV prompts to the
// phone's rate.
//
// The common path:
//
//	r, err := resample.New(48000, 8000)
//	n, used := r.Process(out, in) // as often as needed; state carries over
//
// Process reads what it can of src and writes what it can into dst;
// calling it with the rest of src (and more dst) later gives exactly the
// same samples as one call with everything, so chunk sizes never matter.
// The filter looks Latency() input samples ahead: the output that belongs
// to the last samples of a stream comes out once that many more samples
// (zeros, to end a stream) have been fed. Output sample k stands for the
// instant k/outRate, with no further delay, so a clip resampled this way
// keeps its timing.
//
// The filter is a polyphase windowed sinc (Kaiser window) designed for the
// pair of rates when New is called: flat to 0.44 of the lower rate (3.5
// kHz for 8 kHz, 7 kHz for 16 kHz, within 0.01 dB) and at least 75 dB down
// from 0.54 of it, so a tone above the new Nyquist frequency does not fold
// back into the band as an audible alias. Any two rates from 8000 to
// 48000 Hz whose ratio reduces to at most MaxPhases phases work; the
// phone's are 8000, 11025, 16000, 22050, 32000, 44100 and 48000.
//
// New allocates the filter tables (up to about 100 KB); after that
// Process allocates nothing. A Resampler is used by one goroutine at a
// time; make one per stream and direction.
package resample
