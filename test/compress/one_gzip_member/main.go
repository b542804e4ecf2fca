// Reads a gzip file as exactly one member, the way Go's compress/gzip does
// with Multistream(false), and fails if any byte follows that member. Prints
// the SHA-256 of what it decompressed.
package main

import (
	"bufio"
	"compress/gzip"
	"crypto/sha256"
	"fmt"
	"io"
	"os"
)

func main() {
	file, err := os.Open(os.Args[1])
	if err != nil {
		fail(err)
	}
	defer file.Close()
	input := bufio.NewReader(file)
	reader, err := gzip.NewReader(input)
	if err != nil {
		fail(err)
	}
	reader.Multistream(false)
	hash := sha256.New()
	if _, err := io.Copy(hash, reader); err != nil {
		fail(err)
	}
	if err := reader.Close(); err != nil {
		fail(err)
	}
	if rest, _ := io.Copy(io.Discard, input); rest != 0 {
		fail(fmt.Errorf("%d bytes after the first gzip member", rest))
	}
	fmt.Printf("sha256:%x\n", hash.Sum(nil))
}

func fail(err error) {
	fmt.Fprintln(os.Stderr, err)
	os.Exit(1)
}
