// Package prompt plays recorded audio on the phone: ringtones (the
// built-in one or an MP3/WAV file an admin provisions by URL) and the
// announcement that a call is being recorded.
//
// The common path, outside the media engine's goroutine:
//
//	clip, err := prompt.Load(ctx, fetch, "https://prov.example.net/ring.mp3", 8000)
//	if err != nil { // log it; fall back to the built-in tone
//		clip, _ = prompt.DefaultRingtone(8000)
//	}
//	p := prompt.NewPlayer(clip, true, prompt.RingtoneGap)
//	p.SetVolumeStep(7)
//
// and in the engine, once per 20 ms frame of the clip's rate:
//
//	p.Add(mix)       // into a mix, or
//	p.Read(frame)    // as the whole frame; false once played out
//
// Decode reads MP3 (MPEG 1 and 2 layer III, through go-mp3, with LAME's
// gapless information honoured so a clip is as long as its source) and
// WAV (16- or 8-bit PCM, µ-law, A-law; mono or stereo; 8 to 48 kHz), mixes
// stereo to mono and converts the rate with media/resample. Files are
// limited to MaxFileSize bytes and MaxDuration of audio; a damaged,
// truncated or unsupported file fails with a sentinel error (ErrCorrupt,
// ErrUnsupported...) that says what is wrong, and never panics the phone.
// MPEG 2.5 MP3s (8, 11.025 and 12 kHz) are not supported by the decoder:
// such files fail with ErrUnsupported.
//
// DefaultRingtone and RecordingBeeps are made in code at the asked rate;
// no audio files ship with the phone.
//
// A Clip never changes once made, and may be shared by any goroutines.
// Decode and Load are safe for concurrent use. A Player's Read and Add
// belong to one goroutine and never allocate; Stop, SetVolume and Playing
// may be called from any goroutine.
package prompt
