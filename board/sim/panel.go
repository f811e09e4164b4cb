package sim

import (
	"bytes"
	_ "embed"
	"fmt"
	"html/template"

	"ccphone/hal"
)

// panelHTML is the front panel: one self-contained page with its CSS and
// JavaScript inline, so that it needs nothing from the network.
//
//go:embed panel.html
var panelHTML string

// panelData fills the panel's template.
type panelData struct {
	Title        string
	SlowPeriodMs int // a full slow blink cycle
	FastPeriodMs int // a full fast blink cycle
	LCDWidth     int
	LCDHeight    int
	MaxContrast  int
}

// renderPanel renders the page once; the board serves the bytes.
func renderPanel(title string) ([]byte, error) {
	t, err := template.New("panel").Parse(panelHTML)
	if err != nil {
		return nil, fmt.Errorf("sim: parse panel: %w", err)
	}
	var buf bytes.Buffer
	err = t.Execute(&buf, panelData{
		Title:        title,
		SlowPeriodMs: 2 * hal.SlowHalfPeriodMs,
		FastPeriodMs: 2 * hal.FastHalfPeriodMs,
		LCDWidth:     hal.LCDWidth,
		LCDHeight:    hal.LCDHeight,
		MaxContrast:  hal.MaxContrast,
	})
	if err != nil {
		return nil, fmt.Errorf("sim: render panel: %w", err)
	}
	return buf.Bytes(), nil
}
