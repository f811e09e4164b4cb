package provisioning

import "testing"

func TestRecordingQuota(t *testing.T) {
	s := DefaultSchema()
	for _, tc := range []struct {
		name   string
		values map[string]string
		want   int64
	}{
		{"default", nil, 256 << 20},
		{"megabytes", map[string]string{"recording.quota_mb": "2"}, 2 << 20},
		{"kilobytes win", map[string]string{"recording.quota_mb": "2", "recording.quota_kb": "96"}, 96 << 10},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if got := recordingConfig(t, s, tc.values).RecordingOptions().QuotaBytes; got != tc.want {
				t.Errorf("QuotaBytes = %d, want %d", got, tc.want)
			}
		})
	}
}
