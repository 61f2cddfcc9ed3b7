package telegram

import (
	"encoding/json"
	"errors"
	"fmt"
	"sort"
	"strconv"
	"strings"
	"unicode"
	"unicode/utf16"
	"unicode/utf8"
)

// Limits the Bot API enforces, counted in characters after entity parsing.
const (
	MaxTextLength    = 4096
	MaxCaptionLength = 1024
)

// Limits on people, bots and chats, in characters: a first name has 1–64,
// a last name at most 64, a username at most 32, a group's title 1–128.
const (
	MaxNameLength     = 64
	MaxUsernameLength = 32
	MaxTitleLength    = 128
)

// checkNames checks a user's names against Telegram's limits.
func checkNames(u User) error {
	switch {
	case strings.TrimSpace(u.FirstName) == "":
		return errors.New("first_name is required")
	case utf8.RuneCountInString(u.FirstName) > MaxNameLength:
		return fmt.Errorf("first_name of %d characters, Telegram allows 1–%d", utf8.RuneCountInString(u.FirstName), MaxNameLength)
	case utf8.RuneCountInString(u.LastName) > MaxNameLength:
		return fmt.Errorf("last_name of %d characters, Telegram allows at most %d", utf8.RuneCountInString(u.LastName), MaxNameLength)
	case utf8.RuneCountInString(u.Username) > MaxUsernameLength:
		return fmt.Errorf("username of %d characters, Telegram allows at most %d", utf8.RuneCountInString(u.Username), MaxUsernameLength)
	}
	return nil
}

// utf16Len returns the length of s in UTF-16 code units, the unit of entity
// offsets.
func utf16Len(s string) int {
	n := 0
	for _, r := range s {
		n += utf16.RuneLen(r)
		if utf16.RuneLen(r) < 0 {
			n++ // invalid rune, encoded as U+FFFD
		}
	}
	return n
}

// formatText turns a text parameter into the text and entities Telegram
// stores: explicit entities win over parse_mode; surrounding whitespace is
// trimmed; commands, mentions, hashtags and URLs are detected. Entities of
// null are none (go-telegram-bot-api sends entities=null with every
// message, parse_mode or not).
func formatText(text, parseMode, entitiesJSON string) (string, []MessageEntity, *apiError) {
	var ents []MessageEntity
	switch e := strings.TrimSpace(entitiesJSON); {
	case e != "" && e != "null":
		if err := json.Unmarshal([]byte(entitiesJSON), &ents); err != nil {
			return "", nil, badRequest("can't parse entities JSON object")
		}
		for _, e := range ents {
			// The Bot API's offsets and lengths are 32-bit integers; the
			// arithmetic below relies on it.
			if e.Offset != int(int32(e.Offset)) || e.Length != int(int32(e.Length)) {
				return "", nil, badRequest("can't parse entities: entity offset and length must be 32-bit integers")
			}
		}
	default:
		var aerr *apiError
		switch strings.ToLower(parseMode) {
		case "":
		case "html":
			text, ents, aerr = parseHTML(text)
		case "markdownv2":
			text, ents, aerr = parseMarkdownV2(text)
		case "markdown":
			text, ents, aerr = parseMarkdown(text)
		default:
			return "", nil, badRequest("unsupported parse_mode")
		}
		if aerr != nil {
			return "", nil, aerr
		}
	}
	text, ents = trimText(text, ents)
	ents = mergeEntities(ents, detectEntities(text))
	return text, ents, nil
}

// trimText removes surrounding whitespace and moves the entities with it,
// cutting them to the text. Entity offsets and lengths must fit in 32 bits.
func trimText(text string, ents []MessageEntity) (string, []MessageEntity) {
	trimmed := strings.TrimLeftFunc(text, unicode.IsSpace)
	shift := utf16Len(text) - utf16Len(trimmed)
	trimmed = strings.TrimRightFunc(trimmed, unicode.IsSpace)
	end := utf16Len(trimmed)
	out := ents[:0:0]
	for _, e := range ents {
		e.Offset -= shift
		if e.Offset < 0 {
			e.Length += e.Offset
			e.Offset = 0
		}
		if e.Offset+e.Length > end {
			e.Length = end - e.Offset
		}
		if e.Length > 0 {
			out = append(out, e)
		}
	}
	return trimmed, out
}

// mergeEntities adds the detected entities that overlap no explicit one and
// sorts by offset.
func mergeEntities(explicit, detected []MessageEntity) []MessageEntity {
	out := append([]MessageEntity(nil), explicit...)
	for _, d := range detected {
		overlap := false
		for _, e := range explicit {
			if d.Offset < e.Offset+e.Length && e.Offset < d.Offset+d.Length {
				overlap = true
				break
			}
		}
		if !overlap {
			out = append(out, d)
		}
	}
	sort.SliceStable(out, func(i, j int) bool { return out[i].Offset < out[j].Offset })
	if len(out) == 0 {
		return nil
	}
	return out
}

func isWordRune(r rune) bool { return r == '_' || unicode.IsLetter(r) || unicode.IsDigit(r) }

// detectEntities finds bot commands, mentions, hashtags and URLs in text,
// with offsets in UTF-16 code units.
func detectEntities(text string) []MessageEntity {
	runes := []rune(text)
	offs := make([]int, len(runes)+1) // UTF-16 offset of each rune
	for i, r := range runes {
		n := utf16.RuneLen(r)
		if n < 0 {
			n = 1
		}
		offs[i+1] = offs[i] + n
	}
	var out []MessageEntity
	add := func(typ string, from, to int) {
		out = append(out, MessageEntity{Type: typ, Offset: offs[from], Length: offs[to] - offs[from]})
	}
	wordBefore := func(i int) bool { return i > 0 && (isWordRune(runes[i-1]) || runes[i-1] == '/' || runes[i-1] == '@') }
	isUser := func(r rune) bool { return r < utf8.RuneSelf && isWordRune(r) }
	for i := 0; i < len(runes); i++ {
		switch r := runes[i]; {
		case r == '/' && !wordBefore(i):
			j := i + 1
			for j < len(runes) && isUser(runes[j]) && j-i <= 64 {
				j++
			}
			if j == i+1 {
				continue
			}
			if j < len(runes) && runes[j] == '@' {
				k := j + 1
				for k < len(runes) && isUser(runes[k]) {
					k++
				}
				if k > j+1 {
					j = k
				}
			}
			if j < len(runes) && (isWordRune(runes[j]) || runes[j] == '/') {
				continue
			}
			add("bot_command", i, j)
			i = j - 1
		case r == '@' && !wordBefore(i):
			j := i + 1
			for j < len(runes) && isUser(runes[j]) {
				j++
			}
			if n := j - i - 1; n < 2 || n > 32 {
				continue
			}
			add("mention", i, j)
			i = j - 1
		case r == '#' && !wordBefore(i):
			j := i + 1
			letter := false
			for j < len(runes) && isWordRune(runes[j]) {
				if !unicode.IsDigit(runes[j]) {
					letter = true
				}
				j++
			}
			if !letter {
				continue
			}
			add("hashtag", i, j)
			i = j - 1
		case (r == 'h' || r == 'H') && !wordBefore(i):
			rest := strings.ToLower(string(runes[i:min(i+8, len(runes))]))
			var scheme int
			switch {
			case strings.HasPrefix(rest, "https://"):
				scheme = 8
			case strings.HasPrefix(rest, "http://"):
				scheme = 7
			default:
				continue
			}
			j := i + scheme
			for j < len(runes) && !unicode.IsSpace(runes[j]) {
				j++
			}
			for j > i+scheme && strings.ContainsRune(".,;:!?)'\"", runes[j-1]) {
				j--
			}
			if j == i+scheme {
				continue
			}
			add("url", i, j)
			i = j - 1
		}
	}
	return out
}

// textBuilder accumulates parsed text and tracks its UTF-16 length.
type textBuilder struct {
	b   strings.Builder
	pos int
}

func (t *textBuilder) write(s string) {
	t.b.WriteString(s)
	t.pos += utf16Len(s)
}

func entitiesErr(msg string) *apiError { return badRequest("can't parse entities: " + msg) }

// parseHTML parses Telegram's HTML subset.
func parseHTML(src string) (string, []MessageEntity, *apiError) {
	type open struct {
		tag   string
		ent   MessageEntity
		start int
	}
	var (
		t     textBuilder
		stack []open
		ents  []MessageEntity
	)
	for i := 0; i < len(src); {
		c := src[i]
		switch c {
		case '&':
			end := strings.IndexByte(src[i:], ';')
			if end > 0 && end <= 10 {
				if s, ok := htmlEntity(src[i+1 : i+end]); ok {
					t.write(s)
					i += end + 1
					continue
				}
			}
			t.write("&")
			i++
		case '<':
			end := strings.IndexByte(src[i:], '>')
			if end < 0 {
				return "", nil, entitiesErr("Unclosed start tag at byte offset " + strconv.Itoa(i))
			}
			tag := src[i+1 : i+end]
			if strings.HasPrefix(tag, "/") {
				name := strings.ToLower(strings.TrimSpace(tag[1:]))
				if len(stack) == 0 {
					return "", nil, entitiesErr("Unexpected end tag at byte offset " + strconv.Itoa(i))
				}
				top := stack[len(stack)-1]
				if name != "" && name != top.tag {
					return "", nil, entitiesErr("Unmatched end tag at byte offset " + strconv.Itoa(i) + ", expected \"</" + top.tag + ">\", found \"</" + name + ">\"")
				}
				stack = stack[:len(stack)-1]
				top.ent.Offset, top.ent.Length = top.start, t.pos-top.start
				if top.ent.Length > 0 && top.ent.Type != "" {
					ents = append(ents, top.ent)
				}
				i += end + 1
				continue
			}
			name, attrs, _ := strings.Cut(tag, " ")
			name = strings.ToLower(name)
			ent, ok := htmlTag(name, attrs)
			if !ok {
				return "", nil, entitiesErr("Unsupported start tag \"" + name + "\" at byte offset " + strconv.Itoa(i))
			}
			if name == "code" && len(stack) > 0 && stack[len(stack)-1].tag == "pre" {
				if lang := htmlAttr(attrs, "class"); strings.HasPrefix(lang, "language-") {
					stack[len(stack)-1].ent.Language = strings.TrimPrefix(lang, "language-")
				}
				ent.Type = "" // the pre carries it
			}
			stack = append(stack, open{tag: name, ent: ent, start: t.pos})
			i += end + 1
		default:
			r, size := utf8.DecodeRuneInString(src[i:])
			t.write(string(r))
			i += size
		}
	}
	if len(stack) > 0 {
		return "", nil, entitiesErr("Can't find end tag corresponding to start tag \"" + stack[len(stack)-1].tag + "\"")
	}
	sort.SliceStable(ents, func(i, j int) bool { return ents[i].Offset < ents[j].Offset })
	return t.b.String(), ents, nil
}

func htmlEntity(name string) (string, bool) {
	switch name {
	case "lt":
		return "<", true
	case "gt":
		return ">", true
	case "amp":
		return "&", true
	case "quot":
		return "\"", true
	}
	if strings.HasPrefix(name, "#") {
		var n int64
		var err error
		if strings.HasPrefix(name, "#x") || strings.HasPrefix(name, "#X") {
			n, err = strconv.ParseInt(name[2:], 16, 32)
		} else {
			n, err = strconv.ParseInt(name[1:], 10, 32)
		}
		if err == nil && utf8.ValidRune(rune(n)) {
			return string(rune(n)), true
		}
	}
	return "", false
}

func htmlAttr(attrs, key string) string {
	i := strings.Index(attrs, key+"=")
	if i < 0 {
		return ""
	}
	v := attrs[i+len(key)+1:]
	if len(v) > 0 && (v[0] == '"' || v[0] == '\'') {
		q := v[0]
		if j := strings.IndexByte(v[1:], q); j >= 0 {
			return v[1 : j+1]
		}
		return v[1:]
	}
	if j := strings.IndexAny(v, " \t"); j >= 0 {
		return v[:j]
	}
	return v
}

func htmlTag(name, attrs string) (MessageEntity, bool) {
	switch name {
	case "b", "strong":
		return MessageEntity{Type: "bold"}, true
	case "i", "em":
		return MessageEntity{Type: "italic"}, true
	case "u", "ins":
		return MessageEntity{Type: "underline"}, true
	case "s", "strike", "del":
		return MessageEntity{Type: "strikethrough"}, true
	case "tg-spoiler":
		return MessageEntity{Type: "spoiler"}, true
	case "span":
		if htmlAttr(attrs, "class") == "tg-spoiler" {
			return MessageEntity{Type: "spoiler"}, true
		}
	case "code":
		return MessageEntity{Type: "code"}, true
	case "pre":
		return MessageEntity{Type: "pre"}, true
	case "blockquote":
		if strings.Contains(attrs, "expandable") {
			return MessageEntity{Type: "expandable_blockquote"}, true
		}
		return MessageEntity{Type: "blockquote"}, true
	case "a":
		href := htmlAttr(attrs, "href")
		if strings.HasPrefix(href, "tg://user?id=") {
			if id, err := strconv.ParseInt(strings.TrimPrefix(href, "tg://user?id="), 10, 64); err == nil {
				return MessageEntity{Type: "text_mention", User: &User{ID: id}}, true
			}
		}
		return MessageEntity{Type: "text_link", URL: href}, true
	case "tg-emoji":
		return MessageEntity{Type: "custom_emoji"}, true
	}
	return MessageEntity{}, false
}

// parseMarkdownV2 parses Telegram's MarkdownV2, where every reserved
// character outside an entity marker must be escaped with '\'.
func parseMarkdownV2(src string) (string, []MessageEntity, *apiError) {
	type open struct {
		typ   string
		start int
		at    int
	}
	var (
		t     textBuilder
		stack []open
		ents  []MessageEntity
	)
	toggle := func(typ string, at int) {
		if n := len(stack); n > 0 && stack[n-1].typ == typ {
			o := stack[n-1]
			stack = stack[:n-1]
			if t.pos > o.start {
				ents = append(ents, MessageEntity{Type: typ, Offset: o.start, Length: t.pos - o.start})
			}
			return
		}
		stack = append(stack, open{typ: typ, start: t.pos, at: at})
	}
	lineStart := true
	quoteStart := -1
	endQuote := func() {
		if quoteStart >= 0 && t.pos > quoteStart {
			ents = append(ents, MessageEntity{Type: "blockquote", Offset: quoteStart, Length: t.pos - quoteStart})
		}
		quoteStart = -1
	}
	for i := 0; i < len(src); {
		c := src[i]
		if lineStart && c != '>' {
			endQuote()
		}
		lineStart = false
		switch {
		case c == '\\' && i+1 < len(src):
			r, size := utf8.DecodeRuneInString(src[i+1:])
			t.write(string(r))
			i += 1 + size
		case c == '\n':
			t.write("\n")
			lineStart = true
			i++
		case c == '>' && (i == 0 || src[i-1] == '\n'):
			if quoteStart < 0 {
				quoteStart = t.pos
			}
			i++
		case c == '*':
			toggle("bold", i)
			i++
		case c == '_' && strings.HasPrefix(src[i:], "__"):
			toggle("underline", i)
			i += 2
		case c == '_':
			toggle("italic", i)
			i++
		case c == '~':
			toggle("strikethrough", i)
			i++
		case c == '|' && strings.HasPrefix(src[i:], "||"):
			toggle("spoiler", i)
			i += 2
		case c == '`' && strings.HasPrefix(src[i:], "```"):
			end := strings.Index(src[i+3:], "```")
			if end < 0 {
				return "", nil, entitiesErr("Can't find end of Pre entity at byte offset " + strconv.Itoa(i))
			}
			body := src[i+3 : i+3+end]
			lang := ""
			if nl := strings.IndexByte(body, '\n'); nl >= 0 && !strings.ContainsAny(body[:nl], " \t") {
				lang, body = body[:nl], body[nl+1:]
			}
			body = unescapeCode(body)
			start := t.pos
			t.write(body)
			if t.pos > start {
				ents = append(ents, MessageEntity{Type: "pre", Offset: start, Length: t.pos - start, Language: lang})
			}
			i += 3 + end + 3
		case c == '`':
			end := strings.IndexByte(src[i+1:], '`')
			for end >= 0 && end > 0 && src[i+end] == '\\' {
				next := strings.IndexByte(src[i+1+end+1:], '`')
				if next < 0 {
					end = -1
					break
				}
				end += next + 1
			}
			if end < 0 {
				return "", nil, entitiesErr("Can't find end of Code entity at byte offset " + strconv.Itoa(i))
			}
			start := t.pos
			t.write(unescapeCode(src[i+1 : i+1+end]))
			if t.pos > start {
				ents = append(ents, MessageEntity{Type: "code", Offset: start, Length: t.pos - start})
			}
			i += end + 2
		case c == '[':
			stack = append(stack, open{typ: "text_link", start: t.pos, at: i})
			i++
		case c == ']':
			n := len(stack)
			if n == 0 || stack[n-1].typ != "text_link" {
				return "", nil, entitiesErr("Character ']' is reserved and must be escaped with the preceding '\\'")
			}
			if !strings.HasPrefix(src[i+1:], "(") {
				return "", nil, entitiesErr("Can't find end of TextUrl entity at byte offset " + strconv.Itoa(stack[n-1].at))
			}
			end := strings.IndexByte(src[i+2:], ')')
			if end < 0 {
				return "", nil, entitiesErr("Can't find end of a URL at byte offset " + strconv.Itoa(i+1))
			}
			u := strings.ReplaceAll(strings.ReplaceAll(src[i+2:i+2+end], "\\)", ")"), "\\\\", "\\")
			o := stack[n-1]
			stack = stack[:n-1]
			if t.pos > o.start {
				ents = append(ents, MessageEntity{Type: "text_link", Offset: o.start, Length: t.pos - o.start, URL: u})
			}
			i += 2 + end + 1
		case strings.IndexByte("_*[]()~`>#+-=|{}.!", c) >= 0:
			return "", nil, entitiesErr("Character '" + string(c) + "' is reserved and must be escaped with the preceding '\\'")
		default:
			r, size := utf8.DecodeRuneInString(src[i:])
			t.write(string(r))
			i += size
		}
	}
	endQuote()
	if n := len(stack); n > 0 {
		return "", nil, entitiesErr("Can't find end of " + mdEntityName(stack[n-1].typ) + " entity at byte offset " + strconv.Itoa(stack[n-1].at))
	}
	sort.SliceStable(ents, func(i, j int) bool { return ents[i].Offset < ents[j].Offset })
	return t.b.String(), ents, nil
}

func mdEntityName(typ string) string {
	switch typ {
	case "bold":
		return "Bold"
	case "italic":
		return "Italic"
	case "underline":
		return "Underline"
	case "strikethrough":
		return "Strikethrough"
	case "spoiler":
		return "Spoiler"
	case "text_link":
		return "TextUrl"
	}
	return typ
}

func unescapeCode(s string) string {
	return strings.NewReplacer("\\`", "`", "\\\\", "\\").Replace(s)
}

// parseMarkdown parses the legacy Markdown mode: *bold*, _italic_, `code`,
// ```pre``` and [text](url); no nesting.
func parseMarkdown(src string) (string, []MessageEntity, *apiError) {
	var (
		t    textBuilder
		ents []MessageEntity
	)
	for i := 0; i < len(src); {
		c := src[i]
		switch {
		case c == '\\' && i+1 < len(src) && strings.IndexByte("_*`[", src[i+1]) >= 0:
			t.write(src[i+1 : i+2])
			i += 2
		case c == '*' || c == '_' || c == '`':
			marker := string(c)
			typ := map[byte]string{'*': "bold", '_': "italic", '`': "code"}[c]
			lang := ""
			if strings.HasPrefix(src[i:], "```") {
				marker, typ = "```", "pre"
			}
			end := strings.Index(src[i+len(marker):], marker)
			if end < 0 {
				return "", nil, entitiesErr("Can't find end of the entity starting at byte offset " + strconv.Itoa(i))
			}
			body := src[i+len(marker) : i+len(marker)+end]
			if typ == "pre" {
				if nl := strings.IndexByte(body, '\n'); nl >= 0 && !strings.ContainsAny(body[:nl], " \t") {
					lang, body = body[:nl], body[nl+1:]
				}
			}
			start := t.pos
			t.write(body)
			if t.pos > start {
				ents = append(ents, MessageEntity{Type: typ, Offset: start, Length: t.pos - start, Language: lang})
			}
			i += len(marker) + end + len(marker)
		case c == '[':
			close := strings.IndexByte(src[i:], ']')
			if close < 0 || !strings.HasPrefix(src[i+close+1:], "(") {
				return "", nil, entitiesErr("Can't find end of the entity starting at byte offset " + strconv.Itoa(i))
			}
			end := strings.IndexByte(src[i+close+2:], ')')
			if end < 0 {
				return "", nil, entitiesErr("Can't find end of the entity starting at byte offset " + strconv.Itoa(i))
			}
			start := t.pos
			t.write(src[i+1 : i+close])
			if t.pos > start {
				ents = append(ents, MessageEntity{Type: "text_link", Offset: start, Length: t.pos - start, URL: src[i+close+2 : i+close+2+end]})
			}
			i += close + 2 + end + 1
		default:
			r, size := utf8.DecodeRuneInString(src[i:])
			t.write(string(r))
			i += size
		}
	}
	return t.b.String(), ents, nil
}

// utf16Units encodes s as UTF-16, the unit of entity offsets.
func utf16Units(s string) []uint16 { return utf16.Encode([]rune(s)) }

// utf16String decodes UTF-16 units back to a string.
func utf16String(u []uint16) string { return string(utf16.Decode(u)) }
