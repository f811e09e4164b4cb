package kamailiotest_test

import (
	"testing"
	"time"

	"ccphone/sip/kamailiotest"
)

func TestStartTwoKillRestart(t *testing.T) {
	primary := kamailiotest.Start(t, "primary")
	backup := kamailiotest.Start(t, "backup")
	if primary.Addr() == backup.Addr() {
		t.Fatalf("both servers on %s", primary.Addr())
	}
	primary.WaitRegistered(t, kamailiotest.User1, false, time.Second)
	primary.Kill()
	primary.Restart()
	primary.WaitRegistered(t, kamailiotest.User1, false, time.Second)
	backup.Stop()
	backup.Stop() // a second Stop does nothing
}
