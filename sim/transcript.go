package sim

import (
	"encoding/json"
	"fmt"
	"slices"
	"strings"

	"github.com/chatsim/chatsim/contracts"
)

// Line is one turn of the conversation as a person reads it.
type Line struct {
	Who      string // the user's name, or "bot"
	Incoming bool   // from a user to the bot
	Text     string // the message rendered on one line, buttons in [brackets]
}

// String renders the turn as "ada  ▸ menu" or "bot  ◂ What would you like?  [Tea] [Coffee]".
func (l Line) String() string {
	arrow := "◂"
	if l.Incoming {
		arrow = "▸"
	}
	return fmt.Sprintf("%s  %s %s", l.Who, arrow, l.Text)
}

// Turns returns each line as Transcript takes it: Line.String.
func Turns(lines []Line) []string {
	out := make([]string, len(lines))
	for i, l := range lines {
		out[i] = l.String()
	}
	return out
}

// Transcript renders a conversation one turn a line, each after indent:
// the turns of Conversation (see Turns) or lines in the same shape a step
// adds ("ada  ▸ (taps Coffee)"). It is the one renderer of a conversation:
// `chatsim replay` prints it, and ConversationSoFar puts it in every
// failure and interruption report.
func Transcript(turns []string, indent string) string {
	var b strings.Builder
	for _, t := range turns {
		b.WriteString(indent + t + "\n")
	}
	return b.String()
}

// ConversationSoFar renders the conversation a failed or interrupted run
// reports, its heading at indent and its turns two spaces deeper:
//
//	conversation so far:
//	  ada  ▸ menu
//	  bot  ◂ What would you like?  [Tea] [Coffee]
//
// or the one line "conversation so far: (nothing was said)".
func ConversationSoFar(turns []string, indent string) string {
	if len(turns) == 0 {
		return indent + "conversation so far: (nothing was said)\n"
	}
	return indent + "conversation so far:\n" + Transcript(turns, indent+"  ")
}

// Conversation returns every message the platform holds, in order, as a
// person reads it: who said what, buttons and cards rendered in text.
func (w *World) Conversation() []Line {
	users := map[string]contracts.User{}
	for _, u := range w.Platform.Users() {
		users[u.ID] = u
	}
	var out []Line
	for _, m := range w.Platform.Messages() {
		l := Line{Incoming: m.Direction == "incoming", Text: RenderPayload(m.Type, m.Payload)}
		if l.Incoming {
			l.Who = userName(users[m.UserID])
		} else {
			l.Who = "bot"
		}
		out = append(out, l)
	}
	return out
}

// conversationTail returns the last n turns of Conversation and how many
// came before them.
func (w *World) conversationTail(n int) ([]Line, int) {
	lines := w.Conversation()
	earlier := w.Platform.DroppedMessages()
	if len(lines) > n {
		earlier += len(lines) - n
		lines = slices.Clone(lines[len(lines)-n:])
	}
	return lines, earlier
}

func userName(u contracts.User) string {
	switch {
	case u.Tags["username"] != "":
		return u.Tags["username"]
	case u.Name != "":
		return u.Name
	case u.ID != "":
		return "user"
	}
	return "someone"
}

// RenderPayload renders a message payload of a standard Botpress type on one
// line: text as is, choices and cards with their buttons in [brackets],
// media as (image url). Unknown types render as their JSON.
func RenderPayload(typ string, payload json.RawMessage) string {
	var p struct {
		Text     string `json:"text"`
		Caption  string `json:"caption"`
		Title    string `json:"title"`
		Subtitle string `json:"subtitle"`
		ImageURL string `json:"imageUrl"`
		AudioURL string `json:"audioUrl"`
		VideoURL string `json:"videoUrl"`
		FileURL  string `json:"fileUrl"`
		Markdown string `json:"markdown"`
		Options  []struct {
			Label string `json:"label"`
			Value string `json:"value"`
		} `json:"options"`
		Actions []struct {
			Action string `json:"action"`
			Label  string `json:"label"`
			Value  string `json:"value"`
		} `json:"actions"`
		Items     []json.RawMessage `json:"items"`
		Latitude  float64           `json:"latitude"`
		Longitude float64           `json:"longitude"`
	}
	if err := json.Unmarshal(payload, &p); err != nil {
		return string(payload)
	}
	var b strings.Builder
	media := func(kind, url, caption string) {
		fmt.Fprintf(&b, "(%s %s)", kind, url)
		if caption != "" {
			b.WriteString(" " + caption)
		}
	}
	switch typ {
	case "text":
		b.WriteString(p.Text)
	case "markdown":
		b.WriteString(p.Markdown)
	case "image":
		media("image", p.ImageURL, firstNonEmpty(p.Caption, p.Title))
	case "audio":
		media("audio", p.AudioURL, firstNonEmpty(p.Caption, p.Title))
	case "video":
		media("video", p.VideoURL, p.Title)
	case "file":
		media("file", p.FileURL, p.Title)
	case "location":
		fmt.Fprintf(&b, "(location %g,%g) %s", p.Latitude, p.Longitude, p.Title)
	case "choice", "dropdown":
		b.WriteString(p.Text)
		if len(p.Options) > 0 {
			b.WriteString(" ")
		}
		for _, o := range p.Options {
			fmt.Fprintf(&b, " [%s]", o.Label)
		}
	case "card":
		fmt.Fprintf(&b, "[card] %s", p.Title)
		if p.Subtitle != "" {
			b.WriteString(" — " + p.Subtitle)
		}
		if p.ImageURL != "" {
			fmt.Fprintf(&b, " (image %s)", p.ImageURL)
		}
		for _, a := range p.Actions {
			fmt.Fprintf(&b, " [%s]", a.Label)
		}
	case "carousel", "bloc":
		fmt.Fprintf(&b, "[%s of %d]", typ, len(p.Items))
	default:
		return typ + " " + string(payload)
	}
	return b.String()
}

func firstNonEmpty(s ...string) string {
	for _, v := range s {
		if v != "" {
			return v
		}
	}
	return ""
}
