//go:build !race

package rtpio

const raceDetector = false
