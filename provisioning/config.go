package provisioning

import (
	"errors"
	"fmt"
	"slices"
	"strconv"
)

// Origin says which layer set a value.
type Origin int

// The layers, lowest first.
const (
	FromDefault Origin = iota // the schema's default
	FromFile                  // an admin file (common or per-MAC)
	FromLocal                 // a change made on the phone
)

// Source says where a value came from: the schema default, a file and
// line, or a local change on the phone.
type Source struct {
	Origin Origin
	File   string // FromFile: the file's name
	Line   int    // FromFile: the 1-based line
}

// String returns "default", "local" or "file:line".
func (s Source) String() string {
	switch s.Origin {
	case FromFile:
		return s.File + ":" + strconv.Itoa(s.Line)
	case FromLocal:
		return "local"
	}
	return "default"
}

// Config is the merged, typed, validated configuration of the phone.
//
// Layers merge in this order, each overriding the one before:
//
//  1. the schema's defaults;
//  2. the admin files in the order given to Merge: the common file, then
//     the per-MAC file (<mac>.cfg);
//  3. local changes made on the phone.
//
// Local changes may only touch user-owned settings (ring volume,
// contrast, language...); admin files always win for admin-owned ones.
// An admin overrides a user's local change on purpose by listing the key
// in provisioning.override_local (or "*" for every user-owned key): the
// local change is then dropped at merge time (Local no longer returns it)
// and WithLocal refuses the key with ErrLocked until the admin removes it
// from the list.
//
// A Config is immutable and safe for concurrent use. Methods that change
// it return a new Config. Passwords are kept out of every printed form:
// %v of a Config shows no values at all, and Format hides them unless
// asked.
type Config struct {
	// state hides the values from fmt: a func prints as an address with
	// every verb, where a pointer to a struct would be followed.
	state func() *config
}

func newConfig(c *config) *Config {
	return &Config{state: func() *config { return c }}
}

type config struct {
	schema        *Schema
	values        []Value  // by setting index
	sources       []Source // by setting index
	locked        []bool   // by setting index: listed in provisioning.override_local
	admin         []layer  // validated admin files, for WithLocal
	local         []layerValue
	adminWarnings ErrorList
	warnings      ErrorList
}

// Merge validates the admin files and the local changes against s and
// merges them into a Config (see Config for the order and the override
// rule). admin lists the files lowest first: the common file, then the
// per-MAC file. local holds the changes made on the phone, as Local
// returned them; it may be nil.
//
// Merge checks everything before it returns anything: on any error in any
// admin file, or a conflict between merged settings, it returns a nil
// Config and an ErrorList naming every problem. Unknown keys are only
// warnings, returned by Config.Warnings. Local changes never make Merge
// fail: one that is unknown, admin-owned, locked or invalid is dropped
// with a warning, so an old state directory cannot stop the phone.
func (s *Schema) Merge(admin []*File, local *File) (*Config, error) {
	var errs, warnings ErrorList
	layers := make([]layer, 0, len(admin))
	for _, f := range admin {
		l, issues := s.validate(f)
		e, w := issues.split()
		errs = append(errs, e...)
		warnings = append(warnings, w...)
		layers = append(layers, l)
	}
	if len(errs) > 0 {
		return nil, errs
	}
	var locals []layerValue
	if local != nil {
		l, issues := s.validate(local)
		for _, i := range issues {
			if !i.Warning {
				i.Warning = true
				i.Problem += ", local change ignored"
			}
		}
		for _, lv := range l.values {
			if s.settings[lv.index].Owner != User {
				issues = append(issues, &Issue{File: local.Name, Line: lv.line, Key: s.settings[lv.index].Key,
					Problem: "admin-owned setting, local change ignored", Err: ErrNotUserOwned, Warning: true})
				continue
			}
			locals = append(locals, lv)
		}
		slices.SortStableFunc(issues, func(a, b *Issue) int { return a.Line - b.Line })
		warnings = append(warnings, issues...)
	}
	c, err := s.build(layers, locals, warnings)
	if err != nil {
		return nil, err
	}
	return newConfig(c), nil
}

// build merges validated layers; it fails only on cross-setting conflicts.
func (s *Schema) build(layers []layer, locals []layerValue, adminWarnings ErrorList) (*config, error) {
	n := len(s.settings)
	c := &config{
		schema:        s,
		values:        make([]Value, n),
		sources:       make([]Source, n),
		locked:        make([]bool, n),
		admin:         layers,
		adminWarnings: adminWarnings,
	}
	for i := range s.settings {
		st := &s.settings[i]
		v, p := s.value(st, st.Default)
		if p != nil {
			return nil, fmt.Errorf("provisioning: default of %s: %s: %w", st.Key, p.problem, p.err)
		}
		c.values[i] = v
	}
	for _, l := range layers {
		for _, lv := range l.values {
			c.values[lv.index] = lv.value
			c.sources[lv.index] = Source{Origin: FromFile, File: l.name, Line: lv.line}
		}
	}
	c.lock()
	c.warnings = append(c.warnings, adminWarnings...)
	for _, lv := range locals {
		if c.locked[lv.index] {
			c.warnings = append(c.warnings, &Issue{File: "local", Key: s.settings[lv.index].Key,
				Problem: "local change dropped: locked by provisioning.override_local", Err: ErrLocked, Warning: true})
			continue
		}
		c.values[lv.index] = lv.value
		c.sources[lv.index] = Source{Origin: FromLocal}
		c.local = append(c.local, lv)
	}
	if errs := c.conflicts(); len(errs) > 0 {
		return nil, errs
	}
	return c, nil
}

// lock marks the keys named by provisioning.override_local.
func (c *config) lock() {
	i, ok := c.schema.index["provisioning.override_local"]
	if !ok {
		return
	}
	list := c.values[i].text
	for list != "" {
		var key string
		key, list, _ = cut(list, ',')
		if key == "*" {
			for j := range c.schema.settings {
				c.locked[j] = c.schema.settings[j].Owner == User
			}
			return
		}
		if j, ok := c.schema.index[key]; ok {
			c.locked[j] = true
		}
	}
}

func cut(s string, sep byte) (before, after string, found bool) {
	for i := 0; i < len(s); i++ {
		if s[i] == sep {
			return s[:i], s[i+1:], true
		}
	}
	return s, "", false
}

// conflicts checks the rules that span settings.
func (c *config) conflicts() ErrorList {
	var errs ErrorList
	lo, hi := c.schema.index["rtp.port_min"], c.schema.index["rtp.port_max"]
	if c.values[lo].num >= c.values[hi].num {
		// Report at the key an admin wrote, naming the other and its source.
		problem := c.values[lo].text + " is not below rtp.port_max " + c.values[hi].text + " (" + c.sources[hi].String() + ")"
		at := lo
		if c.sources[lo].Origin != FromFile && c.sources[hi].Origin == FromFile {
			problem = c.values[hi].text + " is not above rtp.port_min " + c.values[lo].text + " (" + c.sources[lo].String() + ")"
			at = hi
		}
		errs = append(errs, c.issueAt(at, problem, "rtp.port_min < rtp.port_max", ErrConflict))
	}
	for n := 1; n <= Accounts; n++ {
		prefix := "account." + strconv.Itoa(n) + "."
		enable, ok := c.schema.index[prefix+"enable"]
		if !ok || !c.values[enable].Bool() {
			continue
		}
		for _, need := range []string{"sip_server.1.address", "user_name"} {
			if c.values[c.schema.index[prefix+need]].text == "" {
				errs = append(errs, c.issueAt(enable, "account is enabled but "+prefix+need+" is empty",
					"enable = 1 only with "+prefix+"sip_server.1.address and "+prefix+"user_name set", ErrConflict))
			}
		}
	}
	errs = append(errs, c.fetchConflicts()...)
	errs = append(errs, c.recordingConflicts()...)
	return errs
}

func (c *config) issueAt(i int, problem, allowed string, err error) *Issue {
	src := c.sources[i]
	is := &Issue{Key: c.schema.settings[i].Key, Problem: problem, Allowed: allowed, Err: err}
	switch src.Origin {
	case FromFile:
		is.File, is.Line = src.File, src.Line
	case FromLocal:
		is.File = "local"
	}
	return is
}

// Schema returns the schema the Config was validated against.
func (c *Config) Schema() *Schema { return c.state().schema }

// Warnings returns the problems that did not reject the configuration:
// unknown keys and ignored local changes.
func (c *Config) Warnings() ErrorList { return append(ErrorList(nil), c.state().warnings...) }

// Lookup returns the value of key and where it came from. It reports
// false for a key the schema does not know.
func (c *Config) Lookup(key string) (Value, Source, bool) {
	i, ok := c.state().schema.index[key]
	if !ok {
		return Value{}, Source{}, false
	}
	return c.state().values[i], c.state().sources[i], true
}

// Bool returns a bool setting; false if key is unknown.
func (c *Config) Bool(key string) bool {
	v, _, _ := c.Lookup(key)
	return v.Bool()
}

// Int returns the number of an int, port, bool or numeric enum setting;
// 0 if key is unknown.
func (c *Config) Int(key string) int {
	v, _, _ := c.Lookup(key)
	return v.Int()
}

// String returns the canonical text of a setting, secrets included; ""
// if key is unknown. Use Lookup and Value.String for anything printed.
func (c *Config) String(key string) string {
	v, _, _ := c.Lookup(key)
	return v.text
}

// Local returns the local changes in effect, in schema order, as a File
// named "local" that the phone persists in its state directory with
// File.Format and hands back to Merge after a restart. Local changes
// locked by the admin are not included.
func (c *Config) Local() *File {
	f := &File{Name: "local", Entries: make([]Entry, 0, len(c.state().local))}
	for _, lv := range c.state().local {
		f.Entries = append(f.Entries, Entry{Key: c.state().schema.settings[lv.index].Key, Value: lv.value.text})
	}
	return f
}

// WithLocal returns a new Config in which the user changed key to value
// on the phone. The key must be user-owned (else ErrNotUserOwned) and not
// locked by provisioning.override_local (else ErrLocked); the value is
// validated like a file's, with "" resetting numbers and choices to their
// default. The returned error is an *Issue naming the key and what is
// allowed.
func (c *Config) WithLocal(key, value string) (*Config, error) {
	s := c.state().schema
	i, ok := s.index[key]
	if !ok {
		return nil, s.unknownKeyError(key)
	}
	st := &s.settings[i]
	switch {
	case st.Owner != User:
		return nil, &Issue{File: "local", Key: key, Problem: "admin-owned setting cannot be changed on the phone", Err: ErrNotUserOwned}
	case c.state().locked[i]:
		return nil, &Issue{File: "local", Key: key, Problem: "locked by the administrator (provisioning.override_local)", Err: ErrLocked}
	}
	v, p := s.value(st, trimSpace(value))
	if p != nil {
		return nil, &Issue{File: "local", Key: key, Problem: p.problem, Allowed: allowed(st), Err: p.err}
	}
	locals := make([]layerValue, 0, len(c.state().local)+1)
	added := false
	for _, lv := range c.state().local {
		switch {
		case lv.index == i:
			continue
		case lv.index > i && !added:
			locals = append(locals, layerValue{index: i, value: v})
			added = true
		}
		locals = append(locals, lv)
	}
	if !added {
		locals = append(locals, layerValue{index: i, value: v})
	}
	return c.rebuild(locals)
}

// WithoutLocal returns a new Config without the local change of key, so
// the admin's value (or the default) applies again. Without such a
// change it returns c.
func (c *Config) WithoutLocal(key string) *Config {
	i, ok := c.state().schema.index[key]
	if !ok {
		return c
	}
	locals := make([]layerValue, 0, len(c.state().local))
	for _, lv := range c.state().local {
		if lv.index != i {
			locals = append(locals, lv)
		}
	}
	if len(locals) == len(c.state().local) {
		return c
	}
	out, err := c.rebuild(locals)
	if err != nil {
		// Removing a user-owned value cannot create a conflict: the rules
		// span admin-owned settings only.
		return c
	}
	return out
}

func (c *Config) rebuild(locals []layerValue) (*Config, error) {
	nc, err := c.state().schema.build(c.state().admin, locals, c.state().adminWarnings)
	if err != nil {
		return nil, err
	}
	return newConfig(nc), nil
}

func (s *Schema) unknownKeyError(key string) *Issue {
	i := s.unknownKey("local", 0, key)
	i.Warning = false
	i.Problem = "unknown setting"
	if near := s.suggest(key); near != "" {
		i.Problem += "; did you mean " + near + "?"
	}
	return i
}

// Diff returns the keys whose values differ between a and b, in schema
// order, so the keys of each subsystem (account.1., sip., rtp., lcd. ...)
// come together. A nil Config counts as one where every key differs.
// Diff names keys only, never values.
func Diff(a, b *Config) []string {
	if a == nil && b == nil {
		return nil
	}
	if a == nil || b == nil {
		c := a
		if c == nil {
			c = b
		}
		keys := make([]string, len(c.state().schema.settings))
		for i := range keys {
			keys[i] = c.state().schema.settings[i].Key
		}
		return keys
	}
	var keys []string
	for i := range a.state().schema.settings {
		key := a.state().schema.settings[i].Key
		j, ok := b.state().schema.index[key]
		if !ok || a.state().values[i].text != b.state().values[j].text {
			keys = append(keys, key)
		}
	}
	for j := range b.state().schema.settings {
		key := b.state().schema.settings[j].Key
		if _, ok := a.state().schema.index[key]; !ok {
			keys = append(keys, key)
		}
	}
	return keys
}

// Load reads and merges the files at paths, lowest first (a common file,
// then a per-MAC file), with the default schema and no local changes: the
// convenience behind "ccphoned --config FILE". Errors name each file by
// the path given.
func Load(paths ...string) (*Config, error) {
	return DefaultSchema().Load(paths...)
}

// Load is like the package's Load, with schema s.
func (s *Schema) Load(paths ...string) (*Config, error) {
	files := make([]*File, 0, len(paths))
	var errs ErrorList
	for _, p := range paths {
		f, err := ReadFile(p)
		var list ErrorList
		switch {
		case errors.As(err, &list):
			errs = append(errs, list...)
		case err != nil:
			return nil, err
		}
		files = append(files, f)
	}
	if len(errs) > 0 {
		return nil, errs
	}
	return s.Merge(files, nil)
}
