// Fontgen turns the BDF fonts and the icon file under ui/font/src into the
// generated Go tables of package font. It runs from go:generate in
// ui/font (see gen.go there); the commands are described in package
// ccphone/ui/font/internal/codegen.
package main

import (
	"fmt"
	"os"

	"ccphone/ui/font/internal/codegen"
)

func main() {
	if err := codegen.Run(os.Args[1:], os.Stderr); err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
}
