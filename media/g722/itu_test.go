package g722

import (
	"encoding/binary"
	"hash/crc32"
	"os"
	"path/filepath"
	"testing"
)

// The digital test sequences of ITU-T G.722 Appendix II are ITU's and are
// distributed only inside ITU's software package for the Recommendation
// (T-REC-G.722-201209, folder Software/G.722_MB-testvectors/g722-ts-le/bin);
// they are not kept in this repository. To run this test, point
// G722_ITU_VECTORS at a directory holding the little-endian binary files
// (bt1c1.xmt, bt2r1.cod, …). Each file is checked against the CRC-32 that
// ITU's readme lists before it is used.
//
// The sequences exercise the SB-ADPCM coder with the QMF bypassed, as
// Appendix II prescribes: each input word (LSB = reset flag) is fed, shifted
// right once, to both sub-band encoders, and the decoders' 15-bit outputs
// are compared shifted left once.
const ituVectorsEnv = "G722_ITU_VECTORS"

// ituCRC holds the CRC-32 and size of each sequence, from ITU's
// 00readme-g.722-testvectors-le.txt.
var ituCRC = map[string]struct {
	crc  uint32
	size int
}{
	"bt1c1.xmt": {0x0C3BFCA7, 32832}, "bt1c2.xmt": {0x2D604685, 1600},
	"bt1d3.cod": {0x7398964F, 32832}, "bt2r1.cod": {0xD1DAA1D1, 32832},
	"bt2r2.cod": {0x344EA5D0, 1600}, "bt3h1.rc0": {0xE9250851, 32832},
	"bt3h2.rc0": {0x5330AE2E, 1600}, "bt3h3.rc0": {0x3731AD7F, 32832},
	"bt3l1.rc1": {0xED1B3993, 32832}, "bt3l1.rc2": {0x8E8C4E2B, 32832},
	"bt3l1.rc3": {0xB7AA5569, 32832}, "bt3l2.rc1": {0xAF00F31F, 1600},
	"bt3l2.rc2": {0x9143E92C, 1600}, "bt3l2.rc3": {0xAE855C07, 1600},
	"bt3l3.rc1": {0xA5374659, 32832}, "bt3l3.rc2": {0x687B250A, 32832},
	"bt3l3.rc3": {0x3605736B, 32832},
}

// loadITU reads one sequence as 16-bit words, skipping the test if the
// file is absent and failing if it does not match ITU's CRC-32.
func loadITU(t *testing.T, dir, name string) []uint16 {
	t.Helper()
	raw, err := os.ReadFile(filepath.Join(dir, name))
	if err != nil {
		t.Skipf("%s not available: %v", name, err)
	}
	want := ituCRC[name]
	if got := crc32.ChecksumIEEE(raw); got != want.crc || len(raw) != want.size {
		t.Fatalf("%s: CRC-32 %08X, %d bytes; ITU lists %08X, %d bytes", name, got, len(raw), want.crc, want.size)
	}
	words := make([]uint16, len(raw)/2)
	for i := range words {
		words[i] = binary.LittleEndian.Uint16(raw[2*i:])
	}
	return words
}

// ituBody returns the range of words between the leading and trailing
// reset words (those with the least significant bit set).
func ituBody(words []uint16) (start, end int) {
	for start < len(words) && words[start]&1 != 0 {
		start++
	}
	end = start
	for end < len(words) && words[end]&1 == 0 {
		end++
	}
	return start, end
}

func TestITUEncoder(t *testing.T) {
	dir := os.Getenv(ituVectorsEnv)
	if dir == "" {
		t.Skipf("set %s to the directory of ITU's G.722 test sequences (see itu_test.go)", ituVectorsEnv)
	}
	for _, tc := range []struct{ in, ref string }{
		{"bt1c1.xmt", "bt2r1.cod"},
		{"bt1c2.xmt", "bt2r2.cod"},
	} {
		t.Run(tc.in, func(t *testing.T) {
			in := loadITU(t, dir, tc.in)
			ref := loadITU(t, dir, tc.ref)
			start, end := ituBody(in)
			e := NewEncoder()
			bad := 0
			for i := start; i < end; i++ {
				x := int(int16(in[i])) >> 1
				got := e.encodeBands(x, x)
				if want := byte(ref[i] >> 8); got != want {
					if bad < 10 {
						t.Errorf("word %d: code %02x, want %02x", i, got, want)
					}
					bad++
				}
			}
			if bad > 0 {
				t.Errorf("%d of %d codes differ", bad, end-start)
			}
		})
	}
}

func TestITUDecoder(t *testing.T) {
	dir := os.Getenv(ituVectorsEnv)
	if dir == "" {
		t.Skipf("set %s to the directory of ITU's G.722 test sequences (see itu_test.go)", ituVectorsEnv)
	}
	for _, tc := range []struct {
		in, low, high string
		mode          Mode
	}{
		{"bt2r1.cod", "bt3l1.rc1", "bt3h1.rc0", Mode1},
		{"bt2r1.cod", "bt3l1.rc2", "bt3h1.rc0", Mode2},
		{"bt2r1.cod", "bt3l1.rc3", "bt3h1.rc0", Mode3},
		{"bt2r2.cod", "bt3l2.rc1", "bt3h2.rc0", Mode1},
		{"bt2r2.cod", "bt3l2.rc2", "bt3h2.rc0", Mode2},
		{"bt2r2.cod", "bt3l2.rc3", "bt3h2.rc0", Mode3},
		{"bt1d3.cod", "bt3l3.rc1", "bt3h3.rc0", Mode1},
		{"bt1d3.cod", "bt3l3.rc2", "bt3h3.rc0", Mode2},
		{"bt1d3.cod", "bt3l3.rc3", "bt3h3.rc0", Mode3},
	} {
		t.Run(tc.low, func(t *testing.T) {
			in := loadITU(t, dir, tc.in)
			low := loadITU(t, dir, tc.low)
			high := loadITU(t, dir, tc.high)
			start, end := ituBody(in)
			d, err := NewDecoder(tc.mode)
			if err != nil {
				t.Fatal(err)
			}
			bad := 0
			for i := start; i < end; i++ {
				rl, rh := d.decodeBands(byte(in[i] >> 8))
				gotL, gotH := uint16(rl<<1), uint16(rh<<1)
				if gotL != low[i] || gotH != high[i] {
					if bad < 10 {
						t.Errorf("word %d: low %04x high %04x, want %04x %04x", i, gotL, gotH, low[i], high[i])
					}
					bad++
				}
			}
			if bad > 0 {
				t.Errorf("%d of %d samples differ", bad, end-start)
			}
		})
	}
}
