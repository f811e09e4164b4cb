// Command broken stands for a firmware build that does not come up: it
// says so and exits 1 at once, before it could commit.
package main

import (
	"fmt"
	"os"
)

func main() {
	fmt.Fprintln(os.Stderr, "broken build: exiting at start")
	os.Exit(1)
}
