// Package upload takes finished recordings to the contact center's
// storage and keeps each one on the phone until the server has confirmed
// it.
//
// The common path, as the phone wires it:
//
//	q, err := upload.Open(stateDir+"/uploads", upload.Options{
//		Destinations: map[string]upload.Destination{"main": {
//			Kind: upload.PUT, URL: "https://rec.example.net/{start}/{call_id}/{file}"}},
//		DeleteAfterUpload: true, MaxBytes: 200 << 20})
//	go q.Run(ctx)                       // cancel ctx and wait for it at shutdown
//	if !q.CanRecord() { /* refuse the recording; the LCD says why */ }
//	err = q.Enqueue(upload.Item{ID: meta.ID, Files: meta.Files(), Destination: "main", ...})
//	for _, s := range q.Jobs() { /* the Recordings menu */ }
//	q.Retry(id)                         // the menu's "retry" on a failed job
//
// Each job is one small JSON file in the state folder, written atomically
// whenever it changes: when queued, when the server confirms each file,
// when it fails and when it is done. A restart resumes where it stopped;
// files already confirmed are not sent again. A file counts as delivered
// only on HTTP 200, 201 or 204 (PUT and POST) or, for S3, 200 with the
// ETag equal to the MD5 of what was sent; the request carries Content-MD5
// and, for S3, the payload's SHA-256 in the SigV4 signature, so the
// server checks the bytes. Only then, and only with DeleteAfterUpload,
// are the local files removed: nothing unconfirmed is ever deleted,
// quota or not.
//
// Failures: network errors, 5xx, 408 and 429 are retried with
// exponential backoff and jitter (Options.MinBackoff, MaxBackoff; the
// clock and the random source are injected). Answers that retrying cannot
// change (401, 403, 404...) make the job Failed with the error kept for
// the menu; Retry or new destinations (SetDestinations) start it again.
//
// Destinations: HTTP(S) PUT (WebDAV), POST with the raw file or a
// multipart form, both with URL templates ({id} {call_id} {line}
// {direction} {from} {to} {start} {file}, escaped for path or query; see
// Expand), and S3-compatible storage with path-style URLs and SigV4
// (SignV4, written here from the AWS specification). Credentials live
// only in Options, never in job files or the menu. media/upload/s3test
// runs a real S3 server (versitygw) for tests.
package upload
