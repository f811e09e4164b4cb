package ui

import (
	"testing"

	"ccphone/hal"
)

// BenchmarkDrawIdle draws the idle screen from scratch.
func BenchmarkDrawIdle(b *testing.B) {
	tp := newTestPhone(b, testSettings())
	v := tp.view()
	var f hal.Frame
	b.ReportAllocs()
	for b.Loop() {
		tp.draw(&v, &f)
	}
}

// BenchmarkDrawMenu draws the menu from scratch.
func BenchmarkDrawMenu(b *testing.B) {
	tp := newTestPhone(b, testSettings())
	tp.press(hal.KeyMenu)
	v := tp.view()
	var f hal.Frame
	b.ReportAllocs()
	for b.Loop() {
		tp.draw(&v, &f)
	}
}

// BenchmarkRefreshUnchanged is the loop's work after an event that
// changed nothing on screen: compare the view, ship nothing.
func BenchmarkRefreshUnchanged(b *testing.B) {
	tp := newTestPhone(b, testSettings())
	b.ReportAllocs()
	for b.Loop() {
		tp.refresh()
	}
}
