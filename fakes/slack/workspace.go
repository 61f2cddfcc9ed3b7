package slack

import (
	"errors"
	"fmt"
	"os"
	"regexp"
	"strconv"
	"strings"
	"unicode/utf8"

	"gopkg.in/yaml.v3"
)

// Team is the Slack workspace itself.
type Team struct {
	ID     string `json:"id" yaml:"id"`
	Name   string `json:"name" yaml:"name"`
	Domain string `json:"domain" yaml:"domain"`
}

// App is the Slack app under test: its ids, its bot user and the credentials
// the integration is given.
type App struct {
	ID        string `json:"id" yaml:"id"`
	Name      string `json:"name" yaml:"name"`
	BotUserID string `json:"bot_user_id" yaml:"bot_user_id"`
	BotID     string `json:"bot_id" yaml:"bot_id"`
	// BotName is the bot user's handle (default: the app's name).
	BotName string `json:"bot_name" yaml:"bot_name"`
	// BotToken is the bot token, xoxb-…, that the Web API accepts.
	BotToken string `json:"bot_token" yaml:"bot_token"`
	// AppToken is the app-level token, xapp-…, for apps.connections.open.
	AppToken string `json:"app_token" yaml:"app_token"`
	// SigningSecret signs every request the fake sends to the app.
	SigningSecret string `json:"signing_secret" yaml:"signing_secret"`
	// VerificationToken is the legacy token in every payload's "token".
	VerificationToken string `json:"verification_token" yaml:"verification_token"`
}

// User is a person (or another bot) in the workspace.
type User struct {
	ID          string `json:"id" yaml:"id"`
	Name        string `json:"name" yaml:"name"` // the handle: "ada"
	RealName    string `json:"real_name,omitempty" yaml:"real_name"`
	DisplayName string `json:"display_name,omitempty" yaml:"display_name"`
	Email       string `json:"email,omitempty" yaml:"email"`
	TZ          string `json:"tz,omitempty" yaml:"tz"`
	IsAdmin     bool   `json:"is_admin,omitempty" yaml:"is_admin"`
	IsBot       bool   `json:"is_bot,omitempty" yaml:"is_bot"`
	// BotID is the B… id of a bot user other than the app's own.
	BotID string `json:"bot_id,omitempty" yaml:"bot_id"`
}

// Channel is a conversation: a public or private channel, a DM (IM set to
// the other person's id or name) or a group DM (MPIM).
type Channel struct {
	ID      string `json:"id" yaml:"id"`
	Name    string `json:"name,omitempty" yaml:"name"`
	Private bool   `json:"private,omitempty" yaml:"private"`
	// IM makes it a direct message between the bot and this user.
	IM   string `json:"im,omitempty" yaml:"im"`
	MPIM bool   `json:"mpim,omitempty" yaml:"mpim"`
	// Members are user ids or names; the bot is a member if its id or
	// name is listed (or "bot").
	Members  []string `json:"members,omitempty" yaml:"members"`
	Topic    string   `json:"topic,omitempty" yaml:"topic"`
	Purpose  string   `json:"purpose,omitempty" yaml:"purpose"`
	Creator  string   `json:"creator,omitempty" yaml:"creator"`
	Archived bool     `json:"archived,omitempty" yaml:"archived"`
	General  bool     `json:"general,omitempty" yaml:"general"`
}

// Workspace declares everything the fake starts with.
type Workspace struct {
	Team     Team      `json:"team" yaml:"team"`
	App      App       `json:"app" yaml:"app"`
	Users    []User    `json:"users" yaml:"users"`
	Channels []Channel `json:"channels" yaml:"channels"`
}

// Default ids and credentials of DefaultWorkspace.
const (
	DefaultTeamID            = "T0CHATSIM"
	DefaultAppID             = "A0CHATSIM"
	DefaultBotUserID         = "U0CHATBOT"
	DefaultBotID             = "B0CHATBOT"
	DefaultBotToken          = "xoxb-1000000001-1000000002-chatsimFakeBotToken00"
	DefaultAppToken          = "xapp-1-A0CHATSIM-1000000003-chatsimfakeapptoken0000000"
	DefaultSigningSecret     = "8f742231b10e8888abcd99e5b5e1a2c3"
	DefaultVerificationToken = "chatsimVerificationTok0"
)

// DefaultWorkspace is the workspace a Server starts with unless told
// otherwise: team T0CHATSIM "chatsim", the app A0CHATSIM with bot user
// U0CHATBOT ("chatsim"), users ada (U0ADA) and grace (U0GRACE), #general
// (C0GENERAL) with all three in it, #random (C0RANDOM) without the bot, and
// a DM between the bot and ada (D0ADA).
func DefaultWorkspace() Workspace {
	return Workspace{
		Team: Team{ID: DefaultTeamID, Name: "chatsim", Domain: "chatsim"},
		App: App{ID: DefaultAppID, Name: "chatsim", BotUserID: DefaultBotUserID, BotID: DefaultBotID, BotName: "chatsim",
			BotToken: DefaultBotToken, AppToken: DefaultAppToken, SigningSecret: DefaultSigningSecret,
			VerificationToken: DefaultVerificationToken},
		Users: []User{
			{ID: "U0ADA", Name: "ada", RealName: "Ada Lovelace", DisplayName: "ada", Email: "ada@example.com", TZ: "Europe/London", IsAdmin: true},
			{ID: "U0GRACE", Name: "grace", RealName: "Grace Hopper", DisplayName: "grace", Email: "grace@example.com", TZ: "America/New_York"},
		},
		Channels: []Channel{
			{ID: "C0GENERAL", Name: "general", General: true, Members: []string{"ada", "grace", "bot"}, Creator: "ada", Purpose: "This channel is for workspace-wide communication."},
			{ID: "C0RANDOM", Name: "random", Members: []string{"ada", "grace"}, Creator: "ada"},
			{ID: "D0ADA", IM: "ada"},
		},
	}
}

// LoadWorkspace reads a workspace from a YAML or JSON file. Errors name the
// file, the line and the field.
func LoadWorkspace(path string) (Workspace, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return Workspace{}, fmt.Errorf("load workspace: %w", err)
	}
	return ParseWorkspace(path, data)
}

// ParseWorkspace reads a workspace from YAML or JSON; name is used in
// errors ("workspace.yaml:12: users[1].id: …"). Fields left out of team and
// app take DefaultWorkspace's values; users and channels are exactly those
// listed.
func ParseWorkspace(name string, data []byte) (Workspace, error) {
	var root yaml.Node
	if err := yaml.Unmarshal(data, &root); err != nil {
		return Workspace{}, fmt.Errorf("parse workspace %s: %w", name, err)
	}
	ws := DefaultWorkspace()
	ws.Users, ws.Channels = nil, nil
	if len(root.Content) == 0 {
		return Workspace{}, fmt.Errorf("parse workspace %s: empty document", name)
	}
	doc := root.Content[0]
	if doc.Kind != yaml.MappingNode {
		return Workspace{}, fmt.Errorf("%s:%d: want a mapping with team, app, users and channels", name, doc.Line)
	}
	lines := map[string]int{}
	for i := 0; i+1 < len(doc.Content); i += 2 {
		key, val := doc.Content[i], doc.Content[i+1]
		var err error
		switch key.Value {
		case "team":
			err = decodeNode(val, &ws.Team)
			lines["team"] = val.Line
		case "app":
			err = decodeNode(val, &ws.App)
			lines["app"] = val.Line
		case "users":
			if val.Kind != yaml.SequenceNode {
				return Workspace{}, fmt.Errorf("%s:%d: users: want a list", name, val.Line)
			}
			for j, n := range val.Content {
				var u User
				if err := decodeNode(n, &u); err != nil {
					return Workspace{}, fmt.Errorf("%s:%d: users[%d]: %w", name, n.Line, j, err)
				}
				lines[fmt.Sprintf("users[%d]", j)] = n.Line
				ws.Users = append(ws.Users, u)
			}
		case "channels":
			if val.Kind != yaml.SequenceNode {
				return Workspace{}, fmt.Errorf("%s:%d: channels: want a list", name, val.Line)
			}
			for j, n := range val.Content {
				var c Channel
				if err := decodeNode(n, &c); err != nil {
					return Workspace{}, fmt.Errorf("%s:%d: channels[%d]: %w", name, n.Line, j, err)
				}
				lines[fmt.Sprintf("channels[%d]", j)] = n.Line
				ws.Channels = append(ws.Channels, c)
			}
		default:
			return Workspace{}, fmt.Errorf("%s:%d: unknown field %q (want team, app, users or channels)", name, key.Line, key.Value)
		}
		if err != nil {
			return Workspace{}, fmt.Errorf("%s:%d: %s: %w", name, val.Line, key.Value, err)
		}
	}
	if err := ws.Validate(); err != nil {
		var fe *fieldError
		if errors.As(err, &fe) {
			if l, ok := lines[fe.item]; ok {
				return Workspace{}, fmt.Errorf("%s:%d: %w", name, l, err)
			}
		}
		return Workspace{}, fmt.Errorf("%s: %w", name, err)
	}
	return ws, nil
}

func decodeNode(n *yaml.Node, v any) error {
	if n.Kind != yaml.MappingNode {
		return fmt.Errorf("want a mapping, got %s", nodeKind(n))
	}
	for i := 0; i+1 < len(n.Content); i += 2 {
		if !knownField(v, n.Content[i].Value) {
			return fmt.Errorf("line %d: unknown field %q", n.Content[i].Line, n.Content[i].Value)
		}
	}
	if err := n.Decode(v); err != nil {
		return yamlProblem(err)
	}
	return nil
}

// yamlTypeErr is one of yaml's "line 3: cannot unmarshal !!seq into
// string" lines.
var yamlTypeErr = regexp.MustCompile("^line ([0-9]+): cannot unmarshal (!![a-z]+)(?: `(.*)`)? into (.+)$")

// yamlProblem says what is wrong with a value in the words of a
// workspace file ("line 3: want text, got a list"), not yaml's Go types.
func yamlProblem(err error) error {
	var te *yaml.TypeError
	if !errors.As(err, &te) {
		return fmt.Errorf("decode: %w", err)
	}
	var parts []string
	for _, e := range te.Errors {
		m := yamlTypeErr.FindStringSubmatch(e)
		if m == nil {
			parts = append(parts, strings.TrimPrefix(e, "yaml: "))
			continue
		}
		want := "a value of another kind"
		switch m[4] {
		case "string":
			want = "text"
		case "bool":
			want = "true or false"
		case "[]string":
			want = "a list of text"
		}
		got := map[string]string{"!!map": "a mapping", "!!seq": "a list", "!!int": "a number", "!!float": "a number",
			"!!bool": "true or false", "!!null": "nothing"}[m[2]]
		if got == "" {
			got = strconv.Quote(m[3])
		}
		parts = append(parts, fmt.Sprintf("line %s: want %s, got %s", m[1], want, got))
	}
	return errors.New(strings.Join(parts, "; "))
}

func nodeKind(n *yaml.Node) string {
	switch n.Kind {
	case yaml.SequenceNode:
		return "a list"
	case yaml.ScalarNode:
		return fmt.Sprintf("%q", n.Value)
	}
	return "something else"
}

func knownField(v any, name string) bool {
	var fields []string
	switch v.(type) {
	case *Team:
		fields = []string{"id", "name", "domain"}
	case *App:
		fields = []string{"id", "name", "bot_user_id", "bot_id", "bot_name", "bot_token", "app_token", "signing_secret", "verification_token"}
	case *User:
		fields = []string{"id", "name", "real_name", "display_name", "email", "tz", "is_admin", "is_bot", "bot_id"}
	case *Channel:
		fields = []string{"id", "name", "private", "im", "mpim", "members", "topic", "purpose", "creator", "archived", "general"}
	}
	for _, f := range fields {
		if f == name {
			return true
		}
	}
	return false
}

// fieldError is a validation error about one item of a workspace.
type fieldError struct {
	item string // "users[1]", "team", "app"
	msg  string
}

func (e *fieldError) Error() string { return e.item + ": " + e.msg }

func fieldErr(item, format string, args ...any) error {
	return &fieldError{item: item, msg: fmt.Sprintf(format, args...)}
}

// validID reports whether id is prefix followed by at least two uppercase
// letters or digits, the shape of Slack's ids.
func validID(id string, prefixes string) bool {
	if len(id) < 3 || !strings.ContainsRune(prefixes, rune(id[0])) {
		return false
	}
	for _, r := range id[1:] {
		if !(r >= 'A' && r <= 'Z' || r >= '0' && r <= '9') {
			return false
		}
	}
	return true
}

// Validate checks ids, tokens and references; errors name the field.
func (ws *Workspace) Validate() error {
	if !validID(ws.Team.ID, "T") {
		return fieldErr("team", "id: want T followed by uppercase letters and digits, got %q", ws.Team.ID)
	}
	if ws.Team.Name == "" {
		return fieldErr("team", "name is required")
	}
	if ws.Team.Domain == "" {
		ws.Team.Domain = strings.ToLower(ws.Team.Name)
	}
	a := &ws.App
	switch {
	case !validID(a.ID, "A"):
		return fieldErr("app", "id: want A followed by uppercase letters and digits, got %q", a.ID)
	case !validID(a.BotUserID, "UW"):
		return fieldErr("app", "bot_user_id: want U followed by uppercase letters and digits, got %q", a.BotUserID)
	case !validID(a.BotID, "B"):
		return fieldErr("app", "bot_id: want B followed by uppercase letters and digits, got %q", a.BotID)
	case !strings.HasPrefix(a.BotToken, "xoxb-"):
		return fieldErr("app", "bot_token: want xoxb-…, got %q", a.BotToken)
	case a.AppToken != "" && !strings.HasPrefix(a.AppToken, "xapp-"):
		return fieldErr("app", "app_token: want xapp-…, got %q", a.AppToken)
	case a.SigningSecret == "":
		return fieldErr("app", "signing_secret is required")
	}
	if a.Name == "" {
		a.Name = "chatsim"
	}
	if a.BotName == "" {
		a.BotName = strings.ToLower(a.Name)
	}
	ids := map[string]bool{a.BotUserID: true}
	names := map[string]bool{a.BotName: true, "bot": true}
	for i, u := range ws.Users {
		item := fmt.Sprintf("users[%d]", i)
		if !validID(u.ID, "UW") {
			return fieldErr(item, "id: want U followed by uppercase letters and digits, got %q", u.ID)
		}
		if err := checkUserNames(u); err != nil {
			return fieldErr(item, "%v", err)
		}
		if ids[u.ID] {
			return fieldErr(item, "id %s: %v", u.ID, ErrExists)
		}
		if names[u.Name] {
			return fieldErr(item, "name %q: %v", u.Name, ErrExists)
		}
		if u.BotID != "" && !validID(u.BotID, "B") {
			return fieldErr(item, "bot_id: want B followed by uppercase letters and digits, got %q", u.BotID)
		}
		ids[u.ID], names[u.Name] = true, true
	}
	chIDs := map[string]bool{}
	chNames := map[string]bool{}
	known := func(ref string) bool {
		if ids[ref] || names[ref] {
			return true
		}
		return false
	}
	for i, c := range ws.Channels {
		item := fmt.Sprintf("channels[%d]", i)
		switch {
		case c.IM != "":
			if !validID(c.ID, "D") {
				return fieldErr(item, "id: a DM's id is D followed by uppercase letters and digits, got %q", c.ID)
			}
			if !known(c.IM) {
				return fieldErr(item, "im: %v %q", ErrUnknownUser, c.IM)
			}
		case c.MPIM:
			if !validID(c.ID, "G") {
				return fieldErr(item, "id: a group DM's id is G followed by uppercase letters and digits, got %q", c.ID)
			}
		default:
			if !validID(c.ID, "CG") {
				return fieldErr(item, "id: want C (or G) followed by uppercase letters and digits, got %q", c.ID)
			}
			if !validChannelName(c.Name) {
				return fieldErr(item, "name: want lowercase letters, digits, - and _ (at most 80), got %q", c.Name)
			}
			if chNames[c.Name] {
				return fieldErr(item, "name %q: %v", c.Name, ErrExists)
			}
			chNames[c.Name] = true
		}
		if chIDs[c.ID] {
			return fieldErr(item, "id %s: %v", c.ID, ErrExists)
		}
		chIDs[c.ID] = true
		for j, m := range c.Members {
			if !known(m) {
				return fieldErr(item, "members[%d]: %v %q", j, ErrUnknownUser, m)
			}
		}
		if c.Creator != "" && !known(c.Creator) {
			return fieldErr(item, "creator: %v %q", ErrUnknownUser, c.Creator)
		}
	}
	return nil
}

// Slack's limits on a member's names: a username of at most 21 lowercase
// letters, digits, periods, hyphens and underscores; a full name and a
// display name of at most 80 characters each.
const (
	maxUsername    = 21
	maxProfileName = 80
)

// checkUserNames checks u's names against Slack's limits, naming the field.
func checkUserNames(u User) error {
	if u.Name == "" {
		return errors.New("name is required")
	}
	if n := utf8.RuneCountInString(u.Name); n > maxUsername {
		return fmt.Errorf("name %q: %d characters, at most %d", u.Name, n, maxUsername)
	}
	for _, r := range u.Name {
		if !(r >= 'a' && r <= 'z' || r >= '0' && r <= '9' || r == '.' || r == '-' || r == '_') {
			return fmt.Errorf("name %q: want lowercase letters, digits, periods, hyphens and underscores", u.Name)
		}
	}
	for _, f := range []struct{ field, v string }{{"real_name", u.RealName}, {"display_name", u.DisplayName}} {
		if n := utf8.RuneCountInString(f.v); n > maxProfileName {
			return fmt.Errorf("%s: %d characters, at most %d", f.field, n, maxProfileName)
		}
	}
	return nil
}

func validChannelName(n string) bool {
	if n == "" || len(n) > 80 {
		return false
	}
	for _, r := range n {
		if !(r >= 'a' && r <= 'z' || r >= '0' && r <= '9' || r == '-' || r == '_' || r > 127) {
			return false
		}
	}
	return true
}
