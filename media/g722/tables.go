package g722

// The tables of the SB-ADPCM coder, with the values printed in ITU-T G.722
// (09/2012) §4 (block names in brackets). They are read-only. They are
// the Recommendation's own integer tables, not computed, so there is no
// generator: a generator would only print these literals back.

// qmfCoeffs holds the even-indexed taps h(0), h(2), …, h(22) of the
// 24-tap QMF, scaled by 2^13. The filter is symmetric, h(i) = h(23-i), so
// the odd taps h(2i+1) are qmfCoeffs[11-i].
var qmfCoeffs = [12]int{3, -11, 12, 32, -210, 951, 3876, -805, 362, -156, 53, -11}

// q6 holds the decision levels of the 6-bit lower sub-band quantiser
// (QUANTL, Table 6), scaled so that a level is q6[i]*det>>12.
var q6 = [32]int{
	0, 35, 72, 110, 150, 190, 233, 276,
	323, 370, 422, 473, 530, 587, 650, 714,
	786, 858, 940, 1023, 1121, 1219, 1339, 1458,
	1612, 1765, 1980, 2195, 2557, 2919, 0, 0,
}

// iln and ilp map a quantiser interval to its 6-bit code IL for a
// negative and a non-negative difference signal (QUANTL).
var iln = [32]int{
	0, 63, 62, 31, 30, 29, 28, 27,
	26, 25, 24, 23, 22, 21, 20, 19,
	18, 17, 16, 15, 14, 13, 12, 11,
	10, 9, 8, 7, 6, 5, 4, 0,
}

var ilp = [32]int{
	0, 61, 60, 59, 58, 57, 56, 55,
	54, 53, 52, 51, 50, 49, 48, 47,
	46, 45, 44, 43, 42, 41, 40, 39,
	38, 37, 36, 35, 34, 33, 32, 0,
}

// qm4, qm5 and qm6 are the output levels of the 4-, 5- and 6-bit inverse
// quantisers of the lower sub-band (INVQAL, INVQBL; Tables 7–9), indexed
// by the code; the level is det*qm>>15.
var qm4 = [16]int{
	0, -20456, -12896, -8968, -6288, -4240, -2584, -1200,
	20456, 12896, 8968, 6288, 4240, 2584, 1200, 0,
}

var qm5 = [32]int{
	-280, -280, -23352, -17560, -14120, -11664, -9752, -8184,
	-6864, -5712, -4696, -3784, -2960, -2208, -1520, -880,
	23352, 17560, 14120, 11664, 9752, 8184, 6864, 5712,
	4696, 3784, 2960, 2208, 1520, 880, 280, -280,
}

var qm6 = [64]int{
	-136, -136, -136, -136, -24808, -21904, -19008, -16704,
	-14984, -13512, -12280, -11192, -10232, -9360, -8576, -7856,
	-7192, -6576, -6000, -5456, -4944, -4464, -4008, -3576,
	-3168, -2776, -2400, -2032, -1688, -1360, -1040, -728,
	24808, 21904, 19008, 16704, 14984, 13512, 12280, 11192,
	10232, 9360, 8576, 7856, 7192, 6576, 6000, 5456,
	4944, 4464, 4008, 3576, 3168, 2776, 2400, 2032,
	1688, 1360, 1040, 728, 432, 136, -432, -136,
}

// rl42 maps the 4-bit code IL4 to the magnitude index of wl (RL42, LOGSCL).
var rl42 = [16]int{0, 7, 6, 5, 4, 3, 2, 1, 7, 6, 5, 4, 3, 2, 1, 0}

// wl is the lower sub-band logarithmic scale factor multiplier (LOGSCL, Table 10).
var wl = [8]int{-60, -30, 58, 172, 334, 538, 1198, 3042}

// ilb is the inverse-log table of the scale factor adaptation
// (SCALEL, SCALEH): 2048·2^(i/32), rounded.
var ilb = [32]int{
	2048, 2093, 2139, 2186, 2233, 2282, 2332, 2383,
	2435, 2489, 2543, 2599, 2656, 2714, 2774, 2834,
	2896, 2960, 3025, 3091, 3158, 3228, 3298, 3371,
	3444, 3520, 3597, 3676, 3756, 3838, 3922, 4008,
}

// qm2 is the output level of the 2-bit higher sub-band inverse quantiser
// (INVQAH, Table 11), indexed by the code IH.
var qm2 = [4]int{-7408, -1616, 7408, 1616}

// ihn and ihp map the higher sub-band interval (1 inner, 2 outer) to the
// code IH for a negative and a non-negative difference (QUANTH).
var ihn = [3]int{0, 1, 0}
var ihp = [3]int{0, 3, 2}

// rh2 maps IH to the magnitude index of wh (RH2, LOGSCH).
var rh2 = [4]int{2, 1, 2, 1}

// wh is the higher sub-band logarithmic scale factor multiplier (LOGSCH, Table 12).
var wh = [3]int{0, -214, 798}
