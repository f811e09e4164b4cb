// Package font draws text and icons into the phone's one-bit LCD frame.
//
// Two faces cover every screen: Regular (6×10 pixels a character, 21
// characters across the 128-pixel display) for body text, menus and
// numbers, and Small (5×8, 25 across, one display page high) for the status
// bar and softkey labels. Both come from the public-domain X11 misc-fixed
// fonts and hold ASCII, Latin-1, Latin Extended-A, Cyrillic and the symbols
// the UI uses (← ↑ → ↓ • … « » — ° ✓), so a new UI language needs only a
// catalog file. The common path:
//
//	var f hal.Frame
//	x := font.Regular.Draw(&f, 0, 12, "Входящий 2001")
//	font.IconRecording.Draw(&f, x+2, 13)
//	f.Invert(image.Rect(0, 12, 128, 12+font.Regular.Height()))
//
// y is always the top of the line, not the baseline. Drawing only sets
// pixels, never clears them: clear a region with Frame.Fill first, and
// make a highlighted row by drawing then inverting it. Draw clips at the
// frame; DrawClipped clips to a rectangle too, for scrolling lists and
// fixed-width fields. A rune the face lacks draws as a box. Width and
// Truncate measure and shorten text to fit, so layouts never overflow.
// Drawing and measuring allocate nothing.
//
// Icons (IconRegistered, IconDND, IconMute, …; Icons lists them all) are
// 7×7 pictures drawn the same way; they sit in a Small line with a blank
// row below.
//
// Everything here is generated: fontgen (internal/fontgen) turns the BDF
// files and icons.txt under src/ into the z*.go tables; run go generate
// after changing them. src/README says where the fonts came from and how
// they were cut down.
package font
