// Package gpiokeys reads the phone's keys and switches from GPIO pins and
// turns them into debounced hal.KeyEvents.
//
// Two kinds of source, one interface (Source):
//
//   - Direct: one pin per key or switch (the headset key, the monitor-jack
//     detect, a hook switch). Each pin is watched for edges; a new level
//     counts once it has stayed put for Opts.Debounce. Switches that are
//     closed when Run starts are reported first, at once.
//   - Matrix: keys at the crossings of row and column wires, so that thirty
//     keys take eleven pins. While no key is down, every row is driven low
//     and Run sleeps until some column sees an edge: no polling. Then it
//     scans row by row every Opts.ScanInterval, debouncing each key, until
//     every key is up again. Up to two keys at once read correctly (a
//     matrix without diodes cannot tell three corners of a rectangle from
//     four).
//
// The common path:
//
//	m, err := gpiokeys.NewMatrix(gpiokeys.MatrixPins{Rows: rows, Cols: cols, Keys: layout}, nil)
//	d, err := gpiokeys.NewDirect([]gpiokeys.Input{{Key: hal.KeyMonitorJack, Pin: jack, ActiveLow: true, Pull: gpio.PullUp}}, nil)
//	go m.Run(ctx, events) // and d.Run; both return ctx's error when ctx is done
//
// Time comes from Opts.Clock, so tests step it by hand. Waiting for edges
// uses gpio.PinIn.WaitForEdge with a finite timeout (Opts.EdgeWait), the
// one form every periph pin driver agrees on; it bounds how long Run takes
// to return once ctx is done on pins whose Halt cannot interrupt a wait.
package gpiokeys
