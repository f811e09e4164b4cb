package provisioning

import (
	"testing"
	"time"
)

func TestNextCheck(t *testing.T) {
	at := func(s string) time.Time {
		v, err := time.Parse("2006-01-02 15:04", s)
		if err != nil {
			t.Fatal(err)
		}
		return v
	}
	night, _ := ParseWindow("02:00-04:00")
	wrap, _ := ParseWindow("22:00-02:00")
	tests := []struct {
		name     string
		now      string
		interval time.Duration
		jitter   int
		window   Window
		r, r2    float64
		want     string
	}{
		{"no jitter", "2026-01-10 12:00", time.Hour, 0, Window{}, 0.9, 0, "2026-01-10 13:00"},
		{"earliest", "2026-01-10 12:00", 100 * time.Minute, 10, Window{}, 0, 0, "2026-01-10 13:30"},
		{"middle", "2026-01-10 12:00", 100 * time.Minute, 10, Window{}, 0.5, 0, "2026-01-10 13:40"},
		{"inside window", "2026-01-10 02:10", time.Hour, 0, night, 0, 0, "2026-01-10 03:10"},
		{"moved to tonight's window", "2026-01-10 12:00", time.Hour, 0, night, 0, 0.5, "2026-01-11 03:00"},
		{"moved to today's window", "2026-01-10 00:30", time.Hour, 0, night, 0, 0.25, "2026-01-10 02:30"},
		{"window over midnight", "2026-01-10 12:00", time.Hour, 0, wrap, 0, 0.5, "2026-01-11 00:00"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := NextCheck(at(tt.now), tt.interval, tt.jitter, tt.window, tt.r, tt.r2)
			if !got.Equal(at(tt.want)) {
				t.Errorf("NextCheck = %s, want %s", got.Format("2006-01-02 15:04"), tt.want)
			}
		})
	}
}

func TestParseWindow(t *testing.T) {
	for _, bad := range []string{"2-4", "02:00", "25:00-01:00", "02:00-02:00", "02:60-03:00", "a:bc-01:00"} {
		if _, err := ParseWindow(bad); err == nil {
			t.Errorf("ParseWindow(%q) succeeded", bad)
		}
	}
	w, err := ParseWindow("2:05-04:30")
	if err != nil || w.String() != "02:05-04:30" {
		t.Errorf("ParseWindow = %v, %v", w, err)
	}
}

func TestCompareVersions(t *testing.T) {
	tests := []struct {
		a, b string
		want int
	}{
		{"1.2.10", "1.2.9", 1}, {"1.2", "1.2.0", 0}, {"0.9", "1.0", -1}, {"v2.0", "1.9.9", 1},
	}
	for _, tt := range tests {
		if got, err := CompareVersions(tt.a, tt.b); err != nil || got != tt.want {
			t.Errorf("CompareVersions(%s, %s) = %d, %v; want %d", tt.a, tt.b, got, err, tt.want)
		}
	}
	if _, err := CompareVersions("1.x", "1"); err == nil {
		t.Error("1.x parsed")
	}
}
