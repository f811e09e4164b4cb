package ui

// pageID names one screen of the phone.
type pageID uint8

const (
	pageIdle pageID = iota
	pageMenu
	pageStatus
	pageNetwork
	pageAccounts
	pageVersion
	pageCallLog
	pagePhonebook
	pageSettings
	pageLanguage
	pageContrast
	pageRingVolume
	pageShutdown
	pageProvisioning
	pageMonitor
	pageRecordings
	pageRecording
	pageQuality
	numPages
)

// pageKind says how a page behaves under the keys and how it is drawn.
type pageKind uint8

const (
	kindIdle       pageKind = iota
	kindList                // a menu: items that open other pages
	kindChoice              // pick one of several values (language)
	kindValue               // adjust a number (contrast, ring volume)
	kindText                // read-only lines that scroll
	kindNotice              // one centred message (shutdown)
	kindLog                 // the call history: pick an entry to dial it
	kindRecordings          // the recordings: their upload state, retry, play
)

// pageDef is the static description of a page. Titles and item labels are
// catalog keys.
type pageDef struct {
	name  string // for /api/state and logs
	kind  pageKind
	title string
	items []pageID // kindList: the pages it opens, in order
	// kindValue: the setting it adjusts and its range.
	setting  string
	min, max int
}

// pages is the menu tree of the phone, as the CC800 arranges it:
// Menu → Status (Network, Accounts, Provisioning, Version), Call log, Phonebook, Recordings,
// Settings (Language, Contrast, Ring volume, Monitor).
var pages = [numPages]pageDef{
	pageIdle:         {name: "idle", kind: kindIdle},
	pageMenu:         {name: "menu", kind: kindList, title: "menu.title", items: []pageID{pageStatus, pageCallLog, pagePhonebook, pageRecordings, pageSettings}},
	pageStatus:       {name: "status", kind: kindList, title: "status.title", items: []pageID{pageNetwork, pageAccounts, pageProvisioning, pageVersion}},
	pageNetwork:      {name: "network", kind: kindText, title: "network.title"},
	pageAccounts:     {name: "accounts", kind: kindText, title: "accounts.title"},
	pageVersion:      {name: "version", kind: kindText, title: "version.title"},
	pageCallLog:      {name: "calllog", kind: kindLog, title: "calllog.title"},
	pagePhonebook:    {name: "phonebook", kind: kindText, title: "phonebook.title"},
	pageSettings:     {name: "settings", kind: kindList, title: "settings.title", items: []pageID{pageLanguage, pageContrast, pageRingVolume, pageMonitor}},
	pageLanguage:     {name: "language", kind: kindChoice, title: "language.title", setting: KeyLanguage},
	pageContrast:     {name: "contrast", kind: kindValue, title: "contrast.title", setting: KeyContrast, min: 0, max: MaxContrast},
	pageRingVolume:   {name: "ringvolume", kind: kindValue, title: "ringvolume.title", setting: KeyRingVolume, min: 0, max: MaxRingVolume},
	pageShutdown:     {name: "shutdown", kind: kindNotice, title: "shutdown.text"},
	pageProvisioning: {name: "provisioning", kind: kindText, title: "provisioning.title"},
	pageMonitor:      {name: "monitor", kind: kindChoice, title: "monitor.title", setting: KeyMonitorMode},
	pageRecordings:   {name: "recordings", kind: kindRecordings, title: "recordings.title"},
	pageRecording:    {name: "recording", kind: kindText, title: "recording.title"},
	pageQuality:      {name: "quality", kind: kindText, title: "quality.title"},
}

func (id pageID) def() *pageDef { return &pages[id] }

// String returns the page's name.
func (id pageID) String() string {
	if id < numPages {
		return pages[id].name
	}
	return "unknown"
}

// softkeys returns the catalog keys of the four softkey labels of a page
// ("" for an unlabelled softkey).
func softkeys(kind pageKind) [4]string {
	switch kind {
	case kindIdle:
		return [4]string{"soft.calllog", "soft.phonebook", "soft.dnd", "soft.menu"}
	case kindList, kindChoice:
		return [4]string{"soft.back", "", "", "soft.ok"}
	case kindValue:
		return [4]string{"soft.minus", "soft.plus", "soft.back", "soft.save"}
	case kindText:
		return [4]string{"soft.back", "", "", ""}
	case kindLog:
		return [4]string{"soft.back", "soft.dial", "", ""}
	case kindRecordings:
		return [4]string{"soft.back", "soft.retry", "soft.play", "soft.details"}
	}
	return [4]string{}
}
