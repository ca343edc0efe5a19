// The Go side of keygen/benches/keygen.rs: reads one key size in bits per line on stdin, makes
// one RSA key of that size with crypto/rsa.GenerateKey (what Sprig's genPrivateKey and genCA
// call, and so helm), and answers with the wall and CPU time it took, in nanoseconds. One
// long-lived process, so that process start and Go's runtime start-up are not timed, as the
// Rust side is timed in its own process.
package main

import (
	"bufio"
	"crypto/rand"
	"crypto/rsa"
	"fmt"
	"os"
	"strconv"
	"syscall"
	"time"
)

// cpu is the process's user and system time: GenerateKey runs on one goroutine, but the
// garbage collector's threads count too.
func cpu() time.Duration {
	var u syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &u); err != nil {
		panic(err)
	}
	return time.Duration(u.Utime.Nano() + u.Stime.Nano())
}

func main() {
	in := bufio.NewScanner(os.Stdin)
	out := bufio.NewWriter(os.Stdout)
	for in.Scan() {
		bits, err := strconv.Atoi(in.Text())
		if err != nil {
			fmt.Fprintln(os.Stderr, "keygen-go: want a number of bits per line:", err)
			os.Exit(2)
		}
		wall, c := time.Now(), cpu()
		if _, err := rsa.GenerateKey(rand.Reader, bits); err != nil {
			fmt.Fprintln(os.Stderr, "keygen-go:", err)
			os.Exit(1)
		}
		fmt.Fprintf(out, "%d %d\n", time.Since(wall).Nanoseconds(), (cpu() - c).Nanoseconds())
		out.Flush()
	}
}
