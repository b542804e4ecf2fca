// go-containerregistry's stream.Layer design (pkg/v1/stream, v0.21), with the
// standard library only, as the reference the benchmark compares against:
// the tar is copied into a MultiWriter of the DiffID hash and a gzip writer,
// whose output goes through a 128 KiB bufio.Writer into a MultiWriter of an
// io.Pipe, the Digest hash and a byte counter, in a goroutine; the consumer
// reads the other end of the pipe.
//
// Usage: ggcr_stream <tar file> <level> <runs> [<registry URL> <repository>]
// The tar is read into memory first; each run's seconds of compression, wall
// then CPU (user and system, all threads), are printed on a line of their
// own, then the digest, DiffID and size. With a registry, each run pushes the
// layer as remote.Write does for a streaming layer (push.go) instead of
// discarding it.
package main

import (
	"bufio"
	"bytes"
	"compress/gzip"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"hash"
	"io"
	"os"
	"strconv"
	"syscall"
	"time"
)

// cpuSeconds is the user and system time of the whole process so far.
func cpuSeconds() float64 {
	var usage syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &usage); err != nil {
		fail(err)
	}
	return float64(usage.Utime.Nano()+usage.Stime.Nano()) / 1e9
}

type countWriter struct{ n int64 }

func (c *countWriter) Write(p []byte) (int, error) {
	c.n += int64(len(p))
	return len(p), nil
}

type layer struct {
	blob        io.Reader
	compression int
	diffID      hash.Hash
	digest      hash.Hash
	size        *countWriter
}

// compressed returns the gzip stream of the layer, as stream.Layer's
// Compressed does: the work happens in a goroutine behind an io.Pipe.
func (l *layer) compressed() io.Reader {
	pr, pw := io.Pipe()
	l.diffID = sha256.New()
	l.digest = sha256.New()
	l.size = &countWriter{}
	mw := io.MultiWriter(pw, l.digest, l.size)
	// stream.Layer buffers gzip's small writes before the pipe: 2<<16 bytes.
	bw := bufio.NewWriterSize(mw, 2<<16)
	zw, err := gzip.NewWriterLevel(bw, l.compression)
	if err != nil {
		pw.CloseWithError(err)
		return pr
	}
	go func() {
		if _, err := io.Copy(io.MultiWriter(l.diffID, zw), l.blob); err != nil {
			pw.CloseWithError(err)
			return
		}
		if err := zw.Close(); err != nil {
			pw.CloseWithError(err)
			return
		}
		if err := bw.Flush(); err != nil {
			pw.CloseWithError(err)
			return
		}
		pw.Close()
	}()
	return pr
}

func main() {
	if len(os.Args) != 4 && len(os.Args) != 6 {
		fail(fmt.Errorf("usage: ggcr_stream <tar file> <level> <runs> [<registry URL> <repository>]"))
	}
	tar, err := os.ReadFile(os.Args[1])
	if err != nil {
		fail(err)
	}
	level, err := strconv.Atoi(os.Args[2])
	if err != nil {
		fail(err)
	}
	runs, err := strconv.Atoi(os.Args[3])
	if err != nil {
		fail(err)
	}
	var last *layer
	for run := 0; run < runs; run++ {
		l := &layer{blob: bytes.NewReader(tar), compression: level}
		start := time.Now()
		cpuStart := cpuSeconds()
		if len(os.Args) == 6 {
			if err := push(os.Args[4], os.Args[5], l); err != nil {
				fail(err)
			}
		} else if _, err := io.Copy(io.Discard, l.compressed()); err != nil {
			fail(err)
		}
		// The values, as the digests are read after the upload.
		_ = hex.EncodeToString(l.digest.Sum(nil))
		_ = hex.EncodeToString(l.diffID.Sum(nil))
		fmt.Printf("%.6f %.6f\n", time.Since(start).Seconds(), cpuSeconds()-cpuStart)
		last = l
	}
	fmt.Printf("digest sha256:%s diffID sha256:%s size %d\n", hex.EncodeToString(last.digest.Sum(nil)), hex.EncodeToString(last.diffID.Sum(nil)), last.size.n)
}

func fail(err error) {
	fmt.Fprintln(os.Stderr, err)
	os.Exit(1)
}
