package main

import (
	"encoding/hex"
	"fmt"
	"io"
	"net/http"
	"net/url"
)

// push uploads the layer as go-containerregistry's remote.Write does for a
// layer whose digest is not known in advance (stream.Layer): POST to start an
// upload, one PATCH whose body is the compressed stream itself (chunked
// transfer encoding, no Content-Range), then PUT with the digest computed on
// the way.
func push(registry, repository string, l *layer) error {
	base, err := url.Parse(registry)
	if err != nil {
		return err
	}
	started, err := http.Post(base.JoinPath("v2", repository, "blobs/uploads/").String(), "", nil)
	if err != nil {
		return err
	}
	started.Body.Close()
	if started.StatusCode != http.StatusAccepted {
		return fmt.Errorf("POST: %s", started.Status)
	}
	location, err := base.Parse(started.Header.Get("Location"))
	if err != nil {
		return err
	}
	patch, err := http.NewRequest(http.MethodPatch, location.String(), l.compressed())
	if err != nil {
		return err
	}
	patch.Header.Set("Content-Type", "application/octet-stream")
	patched, err := http.DefaultClient.Do(patch)
	if err != nil {
		return err
	}
	io.Copy(io.Discard, patched.Body)
	patched.Body.Close()
	if patched.StatusCode != http.StatusAccepted && patched.StatusCode != http.StatusNoContent {
		return fmt.Errorf("PATCH: %s", patched.Status)
	}
	commit, err := base.Parse(patched.Header.Get("Location"))
	if err != nil {
		return err
	}
	query := commit.Query()
	query.Set("digest", "sha256:"+hex.EncodeToString(l.digest.Sum(nil)))
	commit.RawQuery = query.Encode()
	put, err := http.NewRequest(http.MethodPut, commit.String(), nil)
	if err != nil {
		return err
	}
	committed, err := http.DefaultClient.Do(put)
	if err != nil {
		return err
	}
	committed.Body.Close()
	if committed.StatusCode != http.StatusCreated {
		return fmt.Errorf("PUT: %s", committed.Status)
	}
	return nil
}
