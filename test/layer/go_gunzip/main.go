// Go's own gzip reader (compress/gzip, multistream as by default: what
// containerd and Docker read gzip layers with), as an independent judge for
// test/layer/gzip_as_go_reads_it.test.ts: prints the sha256 of what it
// decompresses from stdin, or "error: ..." and exits 1.
package main

import (
	"compress/gzip"
	"crypto/sha256"
	"fmt"
	"io"
	"os"
)

func main() {
	r, err := gzip.NewReader(os.Stdin)
	if err != nil {
		fmt.Println("error:", err)
		os.Exit(1)
	}
	h := sha256.New()
	if _, err := io.Copy(h, r); err != nil {
		fmt.Println("error:", err)
		os.Exit(1)
	}
	fmt.Printf("sha256:%x\n", h.Sum(nil))
}
