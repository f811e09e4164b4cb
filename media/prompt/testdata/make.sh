#!/bin/sh
# Regenerates the test MP3s (see README). Needs python3 and lame
# (apt-get install -y lame). LAME 3.100 made the committed files.
set -eu
cd "$(dirname "$0")"
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
python3 maketones.py "$tmp/a.wav" 44100 1.0 1000 1000
lame --quiet -b 64 --resample 44.1 "$tmp/a.wav" tone1k_44100_stereo.mp3
python3 maketones.py "$tmp/b.wav" 44100 0.5 600 1500
lame --quiet -b 96 -m s --resample 44.1 "$tmp/b.wav" split_44100_stereo.mp3
python3 maketones.py "$tmp/c.wav" 16000 1.0 1000
lame --quiet -b 64 "$tmp/c.wav" tone1k_16000_mono.mp3
lame --quiet -b 32 "$tmp/c.wav" tone1k_16000_mono_notag.mp3
python3 maketones.py "$tmp/d.wav" 8000 1.0 1000
lame --quiet -b 16 "$tmp/d.wav" tone1k_8000_mono.mp3
