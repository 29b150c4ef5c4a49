// Test guest for the WASI host: a Go program on the standard library only,
// built for wasip1 by scripts/build_guests.sh. The first argument picks the
// behaviour:
//
//	stdio_kinds    print whether each of stdin, stdout and stderr is a terminal
//	               (a character device, as os.File.Stat reports it)
//	write_forever  write numbered lines to stdout, one write each, and leave
//	               a failed write to Go's own handling (EPIPE on stdout ends
//	               the program)
package main

import (
	"fmt"
	"os"
	"strconv"
)

func main() {
	if len(os.Args) < 2 {
		fmt.Fprintln(os.Stderr, "usage: go_stdio stdio_kinds|write_forever")
		os.Exit(2)
	}
	switch os.Args[1] {
	case "stdio_kinds":
		for _, f := range []*os.File{os.Stdin, os.Stdout, os.Stderr} {
			info, err := f.Stat()
			if err != nil {
				fmt.Printf("%s stat error %v\n", f.Name(), err)
				continue
			}
			fmt.Printf("%s terminal %t\n", f.Name(), info.Mode()&os.ModeCharDevice != 0)
		}
	case "write_forever":
		line := make([]byte, 0, 32)
		for i := 0; ; i++ {
			line = strconv.AppendInt(append(line[:0], "line "...), int64(i), 10)
			line = append(line, '\n')
			if _, err := os.Stdout.Write(line); err != nil {
				fmt.Fprintf(os.Stderr, "write: %v\n", err)
				os.Exit(3)
			}
		}
	default:
		fmt.Fprintln(os.Stderr, "usage: go_stdio stdio_kinds|write_forever")
		os.Exit(2)
	}
}
