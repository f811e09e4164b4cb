//go:build race

package portaudio_test

// raceEnabled: the test binary was built with -race (and so checkptr).
const raceEnabled = true
