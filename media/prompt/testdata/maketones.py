#!/usr/bin/env python3
"""Writes the WAV sources of the test MP3s: pure sines, no recorded audio.

usage: maketones.py OUT.wav RATE SECONDS FREQ_LEFT [FREQ_RIGHT]
One frequency makes a mono file; two make a stereo file. The amplitude is
16384 (-6 dBFS); every tone starts at phase 0 on sample 0.
"""
import math, struct, sys

out, rate, secs = sys.argv[1], int(sys.argv[2]), float(sys.argv[3])
freqs = [float(f) for f in sys.argv[4:6]]
n = int(round(rate * secs))
data = bytearray()
for i in range(n):
    for f in freqs:
        data += struct.pack('<h', int(round(16384 * math.sin(2 * math.pi * f * i / rate))))
ch = len(freqs)
fmt = struct.pack('<IHHIIHH', 16, 1, ch, rate, rate * ch * 2, ch * 2, 16)
with open(out, 'wb') as w:
    w.write(b'RIFF' + struct.pack('<I', 36 + len(data)) + b'WAVE' + b'fmt ' + fmt
            + b'data' + struct.pack('<I', len(data)) + data)
