package upload

import (
	"errors"
	"fmt"
)

// Sentinel errors; match them with errors.Is.
var (
	// ErrBadItem means an Item cannot be queued: a bad ID, no files, a
	// file that does not exist, no destination.
	ErrBadItem = errors.New("upload: bad item")
	// ErrUnknownJob means no job has the ID.
	ErrUnknownJob = errors.New("upload: unknown job")
	// ErrQuota means a reservation does not fit under Options.MaxBytes.
	ErrQuota = errors.New("upload: recording quota reached")
	// ErrRunning means Run was called while another Run is active.
	ErrRunning = errors.New("upload: already running")
	// ErrDestination means a destination is unknown or misconfigured.
	ErrDestination = errors.New("upload: bad destination")
	// ErrRejected means the server refused the upload in a way that will
	// not change by trying again (a 4xx such as 401, 403 or 404): the job
	// fails and waits for Retry or new destinations.
	ErrRejected = errors.New("upload: rejected by the server")
	// ErrServer means the server failed the upload in a way that may
	// pass (5xx, 408, 429); the job is retried with backoff.
	ErrServer = errors.New("upload: server error")
	// ErrIntegrity means the server confirmed an upload with the wrong
	// checksum (S3 ETag); the job is retried.
	ErrIntegrity = errors.New("upload: server checksum mismatch")
	// ErrState means the queue's state folder holds a job file that
	// cannot be read.
	ErrState = errors.New("upload: bad job file")
)

// StatusError is a server's answer that did not confirm an upload. It
// wraps ErrRejected or ErrServer.
type StatusError struct {
	Code int    // HTTP status code
	Body string // the start of the response body
}

func (e *StatusError) Error() string {
	if e.Body == "" {
		return fmt.Sprintf("HTTP %d", e.Code)
	}
	return fmt.Sprintf("HTTP %d: %s", e.Code, e.Body)
}

// Unwrap returns ErrRejected for answers that will not change on retry
// and ErrServer for the others.
func (e *StatusError) Unwrap() error {
	if permanentStatus(e.Code) {
		return ErrRejected
	}
	return ErrServer
}

func permanentStatus(code int) bool {
	if code < 400 || code >= 500 {
		return false
	}
	switch code {
	case 408, 409, 423, 425, 429:
		return false
	}
	return true
}
