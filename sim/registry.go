package sim

import (
	"github.com/chatsim/chatsim/fakes"
	"github.com/chatsim/chatsim/fakes/rocketchat"
	"github.com/chatsim/chatsim/fakes/shopify"
	"github.com/chatsim/chatsim/fakes/slack"
	"github.com/chatsim/chatsim/fakes/telegram"
)

// Registry lists the chat platforms a World can simulate, in the order it
// starts them. It is the one place that names them: adding a platform is
// its package under fakes/ and one line here. It builds the list anew on
// each call.
func Registry() []fakes.Kind {
	return []fakes.Kind{
		telegram.Kind(),
		slack.Kind(),
		shopify.Kind(),
		rocketchat.Kind(),
	}
}

// PlatformNames lists the names of the registry's platforms ("telegram",
// "slack", …), in the order a World starts them.
func PlatformNames() []string {
	reg := Registry()
	names := make([]string, len(reg))
	for i, k := range reg {
		names[i] = k.Name
	}
	return names
}

// KindOf returns the registry's platform called name ("telegram").
func KindOf(name string) (fakes.Kind, bool) {
	for _, k := range Registry() {
		if k.Name == name {
			return k, true
		}
	}
	return fakes.Kind{}, false
}
