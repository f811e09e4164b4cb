package font

// The generated tables. TestGeneratedUpToDate runs these same lines into a
// temporary directory and fails if the checked-in files differ.

//go:generate go run ./internal/fontgen face -name Regular -replacement replacement -o zfont_regular.go -doc "for body text, menus and numbers: misc-fixed 6×10, 21 characters across the display." src/6x10.bdf src/6x10-ccphone.bdf
//go:generate go run ./internal/fontgen face -name Small -replacement replacement -o zfont_small.go -doc "for the status bar and softkey labels: misc-fixed 5×8, 25 characters across the display and exactly one display page high." src/5x8.bdf src/5x8-ccphone.bdf
//go:generate go run ./internal/fontgen icons -o zicons.go src/icons.txt
