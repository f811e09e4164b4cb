//go:build race

package media

// raceDetector: under -race, sync.Pool drops a quarter of what is put
// back on purpose, so pion/srtp's pooled keystream buffers are remade
// now and then.
const raceDetector = true
