package provisioning

// markdownFetching is the part of the admin reference on fetching,
// signing, encryption and firmware.
const markdownFetching = `
## Where the phone fetches its files

The phone fetches two files from the folder ` + "`provisioning.server_url`" + `
names (` + "`{mac}`" + ` and ` + "`{model}`" + ` in it are replaced by the phone's MAC
address in lower-case hex and its model, ` + "`cc800`" + `):

1. the common file ` + "`<model>.cfg`" + `, e.g. ` + "`cc800.cfg`" + `;
2. the per-MAC file ` + "`<mac>.cfg`" + `, e.g. ` + "`001565aabbcc.cfg`" + `.

Either may be missing (HTTP 404, TFTP "file not found"), not both. A file
that was there before and is now missing no longer contributes its
settings. Any other failure (a server error, a timeout, a server that
stops sending, a file that does not validate or verify) changes nothing:
the phone keeps its last good configuration, the LCD and the panel say what
failed and when, and the next check tries again.

URLs: ` + "`http://`" + `, ` + "`https://`" + ` (the server's certificate is checked
against the system roots, or only against ` + "`provisioning.ca_file`" + `; a client
certificate is shown when ` + "`provisioning.client_cert`" + ` is set) and
` + "`tftp://host[:port]/folder/`" + `. HTTP servers may ask for basic or digest
(MD5 or SHA-256, ` + "`qop=auth`" + `) authentication with
` + "`provisioning.user_name`" + ` and ` + "`provisioning.password`" + `.

When ` + "`provisioning.server_url`" + ` is empty the phone reads the URL from the
lease file of its DHCP client (` + "`provisioning.dhcp_lease_file`" + `): option 160
(a URL), else option 66 (a TFTP server name, taken as ` + "`tftp://name/`" + `); see
` + "`provisioning.dhcp_option`" + `. For ISC dhclient, option 160 is written as
` + "`option unknown-160 \"...\";`" + `, or by name once dhclient.conf declares
` + "`option provisioning-server code 160 = text;`" + ` and requests it.

When: at start-up; every ` + "`provisioning.interval`" + ` minutes, spread by
` + "`provisioning.jitter`" + ` percent either way and, with
` + "`provisioning.window`" + `, moved to a random moment inside the maintenance
window; from the phone's menu; and when the registrar sends a SIP NOTIFY
with ` + "`Event: check-sync`" + ` (from anywhere else it is refused). A failed check
is retried after 1 minute, then 2, 4... up to the interval. An unchanged
file costs one conditional request (` + "`If-None-Match`" + ` / ` + "`If-Modified-Since`" + `
over HTTP, a SHA-256 of the content over TFTP).

Applying: everything is fetched, verified and validated first; then the
last good files are saved on the phone (so it starts with them without a
network) and the changes applied per subsystem. A changed account
re-registers, an unchanged one is left alone; an account in a call gets
its change when the call ends. Settings the user changed on the phone
(owner **user**) are kept unless ` + "`provisioning.override_local`" + ` says otherwise.

## Signed files

With ` + "`provisioning.signing_key`" + ` set (in the phone's own configuration, or
by an earlier signed file), every file needs a signature file beside it:
` + "`cc800.cfg.sig`" + ` for ` + "`cc800.cfg`" + `. A missing, malformed or wrong signature
refuses the file like any bad file. The signature is Ed25519 over

` + "```" + `
"ccphone signed file v1\n" + <file name> + "\n" + <the file's bytes as served>
` + "```" + `

written as 64 bytes in base64 (a trailing newline is fine; the raw 64 bytes
are accepted too). The file name (` + "`001565aabbcc.cfg`" + `) is signed so a file
signed for one phone cannot be served to another. Make keys and signatures
with ` + "`ccprov keygen --out admin`" + ` (writes ` + "`admin.key`" + `, keep it secret, and
` + "`admin.pub`" + `, the value for ` + "`provisioning.signing_key`" + `), then
` + "`ccprov sign --key admin.key FILE...`" + ` and ` + "`ccprov verify --pub admin.pub FILE...`" + `.

## Encrypted per-MAC files

With ` + "`provisioning.device_key`" + ` set, the per-MAC file must be encrypted for
this phone (a plain one is refused); the common file stays plain, as it is
shared. Each phone has its own key, derived from the admin's master secret
and the phone's MAC (` + "`ccprov keygen --device --master master.key --mac MAC`" + `,
HKDF-SHA256), so a phone's key reads and forges nothing of another phone's,
unlike phones that share one key for the whole model. The format:

` + "```" + `
"ccphone-enc-v1\n" | 12-byte random nonce | AES-256-GCM ciphertext and tag
associated data: "ccphone-enc-v1\n" + <file name>
` + "```" + `

` + "`ccprov encrypt --master master.key --mac MAC FILE`" + ` writes it; sign the
encrypted file (the signature covers the bytes as served).

## Firmware

With ` + "`firmware.url`" + `, ` + "`firmware.version`" + ` and ` + "`firmware.signature`" + ` set, a phone
running an older version downloads the binary, checks the signature
(Ed25519 by ` + "`provisioning.signing_key`" + ` over
` + "`\"ccphone firmware v1\\n\" + version + \"\\n\" + hex(SHA-256(binary))`" + `, made with
` + "`ccprov sign-firmware`" + `), stages it, switches to it at the next idle moment,
and goes back to the previous binary if the new one does not come up
healthy. An older version is installed only with
` + "`firmware.allow_downgrade = 1`" + `.
`
