// Package i18n holds the phone's message catalogs and looks texts up in
// them.
//
// Each language is one file in catalogs/, named by its ISO 639-1 code
// (en.cat, ru.cat), in the same `key = text` format as provisioning files.
// Every catalog carries `language.name` (the language's own name, shown in
// the language menu). Adding a language is adding a file: the catalogs are
// embedded at build time and Languages lists whatever is there. Catalogs
// can also be loaded from a directory at run time with LoadDir.
//
// English is the reference: a text missing from another catalog falls back
// to English, and tests check that every catalog has every English key.
package i18n
