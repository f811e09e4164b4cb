package provisioning

// fetchConflicts checks the provisioning and firmware settings that need
// each other. Like every conflict it rejects the whole configuration.
func (c *config) fetchConflicts() ErrorList {
	var errs ErrorList
	text := func(key string) (string, int, bool) {
		i, ok := c.schema.index[key]
		if !ok {
			return "", 0, false
		}
		return c.values[i].text, i, true
	}
	cert, ci, _ := text("provisioning.client_cert")
	key, ki, _ := text("provisioning.client_key")
	if (cert == "") != (key == "") {
		at := ci
		if cert != "" {
			at = ki
		}
		errs = append(errs, c.issueAt(at, "provisioning.client_cert and provisioning.client_key must be set together", "both or neither", ErrConflict))
	}
	if u, i, ok := text("firmware.url"); ok && u != "" {
		for _, need := range []string{"firmware.version", "firmware.signature", "provisioning.signing_key"} {
			if v, _, _ := text(need); v == "" {
				errs = append(errs, c.issueAt(i, "firmware.url is set but "+need+" is empty",
					"firmware.url only with firmware.version, firmware.signature and provisioning.signing_key", ErrConflict))
			}
		}
	}
	return errs
}
