// Package nginxtest runs a real nginx (Debian's nginx-light) on loopback
// for tests: provisioning files over HTTP and HTTPS, basic auth, error
// statuses, slow and stalled bodies, and WebDAV PUT for uploads.
//
//	srv := nginxtest.Start(t, nginxtest.Options{Root: "testdata/www"})
//	resp, err := http.Get(srv.URL + "/cc800.cfg")
//
// The configuration is kept here as nginx.conf.tmpl and
// locations.conf.tmpl; Start fills in the paths, makes a CA, a server
// certificate for 127.0.0.1 and a client certificate, opens two listening
// sockets on kernel-chosen 127.0.0.1 ports and hands them to nginx as
// inherited sockets, so no port is guessed. Locations on both ports:
//
//	/...            the files under Options.Root (ETag, Last-Modified, 304)
//	/auth/...       the same behind basic auth (Options.User, Password)
//	/status/404/... /status/500/... /status/503/...   that status
//	/slow/...       the files at 1 byte/s after the first 16 bytes
//	/hang/...       headers and one line, then silence (Server.HasHang)
//	/upload/...     WebDAV PUT, DELETE, MKCOL into Server.UploadDir
//	/mtls/...       TLS port only: needs Server.ClientCert
//
// Server.Requests lists what nginx served, for tests that count requests.
// Server.SetUploadStatus takes the storage down (/upload/ answers 503, or
// any status) and brings it back, with a configuration reload.
// nginx stops when the test ends. Without nginx installed, Start skips
// the test under -short and fails it otherwise, naming the package.
package nginxtest
