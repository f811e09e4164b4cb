// Package record writes call recordings that survive a power cut: WAV
// files (16-bit PCM, or G.711 µ-law/A-law at half the size; stereo with
// the agent left and the far end right, or a mono mix; 8 or 16 kHz) and
// a JSON metadata file per recording.
//
// The common path, as the phone drives it:
//
//	record.RepairDir(dir)                 // at start-up: finish what a crash left
//	r, err := record.Open(dir, record.Options{Call: info, Format: record.Ulaw})
//	// hand r to the media engine; on every 20 ms tick:
//	err = r.WriteFrame(mic, farEnd)       // no allocation, never waits for the disk
//	r.Stop(); r.Start()                   // on-demand recording: a new segment file
//	meta, err := r.Close()                // final headers, metadata; too short: removed
//	queue.Enqueue(...meta.Files()...)     // media/upload takes it to the server
//
// Durability. WriteFrame fills in-memory buffers; every Options.SyncEvery
// of audio (1 s by default, counted in frames, since the media clock is
// the only time base) a goroutine owned by the Recorder writes the buffer,
// patches the header sizes and fsyncs, so a power cut loses at most that
// much. A segment being written is named ID-NN.wav.part and renamed to
// ID-NN.wav once its header is final; the metadata file ID.json is written
// atomically and says "recording" until Close. RepairDir turns whatever a
// crash left into finished recordings (state "repaired"); Repair fixes one
// WAV file's sizes from its length. Stop and Start never reuse a segment
// file: each Start opens the next number.
//
// For quota planning Options.BytesPerSecond says how fast a recording
// grows; List finds finished recordings at start-up so none is left out
// of the upload queue.
package record
