package ui

import "ccphone/hal"

// Clock tells the time and wakes the event loop. The phone uses one timer
// for everything it waits for (the minute tick of the idle clock, long
// presses, pop-ups, call timers), from NewTimer.
type Clock = hal.Clock
