package telegram

import (
	"bytes"
	"encoding/json"
	"fmt"
	"image"
	_ "image/gif" // register decoders so uploaded photos get real sizes
	_ "image/jpeg"
	_ "image/png"
	"io"
	"net/http"
	"net/url"
	"path"
	"strings"
	"unicode/utf8"
)

func (s *Server) botUser() *User {
	u := *s.cfg.bot
	return &u
}

// replyTo resolves reply_to_message_id / reply_parameters in cs. s.mu must
// be held.
func replyTo(p *params, cs *chatState) (*Message, *apiError) {
	id, ok, _ := p.int64("reply_to_message_id")
	allow := p.bool("allow_sending_without_reply")
	if rp := strings.TrimSpace(p.str("reply_parameters")); rp != "" {
		var r struct {
			MessageID                int  `json:"message_id"`
			AllowSendingWithoutReply bool `json:"allow_sending_without_reply"`
		}
		if err := json.Unmarshal([]byte(rp), &r); err != nil {
			return nil, badRequest("can't parse reply parameters JSON object")
		}
		id, ok, allow = int64(r.MessageID), r.MessageID != 0, r.AllowSendingWithoutReply
	}
	if !ok || id == 0 {
		return nil, nil
	}
	e := cs.byID[int(id)]
	if e == nil || e.deleted {
		if allow {
			return nil, nil
		}
		return nil, badRequest("message to be replied not found")
	}
	m := e.msg
	m.ReplyToMessage = nil
	return &m, nil
}

func (s *Server) sendMessage(c *call) (result, *apiError) {
	p := c.p
	text, ents, aerr := formatText(p.str("text"), p.str("parse_mode"), p.str("entities"))
	if aerr != nil {
		return result{}, aerr
	}
	if text == "" {
		return result{}, badRequest("message text is empty")
	}
	if utf8.RuneCountInString(text) > MaxTextLength {
		return result{}, badRequest("message is too long")
	}
	mk, aerr := parseMarkup(p.str("reply_markup"))
	if aerr != nil {
		return result{}, aerr
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	cs, aerr := s.chatParamLocked(p)
	if aerr != nil {
		return result{}, aerr
	}
	if aerr := s.canWriteLocked(cs); aerr != nil {
		return result{}, aerr
	}
	reply, aerr := replyTo(p, cs)
	if aerr != nil {
		return result{}, aerr
	}
	e := s.appendLocked(cs, Message{From: s.botUser(), Text: text, Entities: ents, ReplyToMessage: reply, ReplyMarkup: mk.inline})
	mk.apply(e)
	return result{value: e.msg}, nil
}

// editTargetLocked resolves the message an edit method applies to: the bot's own
// message in chat_id, not deleted. s.mu must be held.
func (s *Server) editTargetLocked(p *params) (*entry, *apiError) {
	if p.str("inline_message_id") != "" {
		return nil, badRequest("MESSAGE_ID_INVALID")
	}
	cs, aerr := s.chatParamLocked(p)
	if aerr != nil {
		return nil, aerr
	}
	e, aerr := messageParam(p, cs, "message to edit not found")
	if aerr != nil {
		return nil, aerr
	}
	if e.msg.From == nil || e.msg.From.ID != s.cfg.bot.ID {
		return nil, badRequest("message can't be edited")
	}
	return e, nil
}

const notModified = "message is not modified: specified new message content and reply markup are exactly the same as a current content and reply markup of the message"

// inlineOnly reads the reply_markup of an edit method, which must be an
// inline keyboard.
func inlineOnly(p *params) (*InlineKeyboardMarkup, *apiError) {
	mk, aerr := parseMarkup(p.str("reply_markup"))
	if aerr != nil {
		return nil, aerr
	}
	if !mk.empty() && mk.inline == nil {
		return nil, badRequest("inline keyboard expected")
	}
	return mk.inline, nil
}

func (s *Server) pushEditLocked(e *entry) {
	d := e.msg.Date
	if e.msg.EditDate != 0 {
		d = e.msg.EditDate
	}
	e.edits = append(e.edits, Edit{Text: e.msg.Text, Caption: e.msg.Caption, ReplyMarkup: e.msg.ReplyMarkup, Date: d})
	e.msg.EditDate = s.unix()
}

func (s *Server) editMessageText(c *call) (result, *apiError) {
	p := c.p
	text, ents, aerr := formatText(p.str("text"), p.str("parse_mode"), p.str("entities"))
	if aerr != nil {
		return result{}, aerr
	}
	if text == "" {
		return result{}, badRequest("message text is empty")
	}
	if utf8.RuneCountInString(text) > MaxTextLength {
		return result{}, badRequest("message is too long")
	}
	kb, aerr := inlineOnly(p)
	if aerr != nil {
		return result{}, aerr
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	e, aerr := s.editTargetLocked(p)
	if aerr != nil {
		return result{}, aerr
	}
	if e.msg.Text == "" {
		return result{}, badRequest("there is no text in the message to edit")
	}
	if e.msg.Text == text && sameEntities(e.msg.Entities, ents) && sameInline(e.msg.ReplyMarkup, kb) {
		return result{}, badRequest(notModified)
	}
	s.pushEditLocked(e)
	e.msg.Text, e.msg.Entities, e.msg.ReplyMarkup = text, ents, kb
	return result{value: e.msg}, nil
}

func (s *Server) editMessageCaption(c *call) (result, *apiError) {
	p := c.p
	caption, ents, aerr := formatText(p.str("caption"), p.str("parse_mode"), p.str("caption_entities"))
	if aerr != nil {
		return result{}, aerr
	}
	if utf8.RuneCountInString(caption) > MaxCaptionLength {
		return result{}, badRequest("message caption is too long")
	}
	kb, aerr := inlineOnly(p)
	if aerr != nil {
		return result{}, aerr
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	e, aerr := s.editTargetLocked(p)
	if aerr != nil {
		return result{}, aerr
	}
	if e.msg.Photo == nil && e.msg.Document == nil {
		return result{}, badRequest("there is no caption in the message to edit")
	}
	if e.msg.Caption == caption && sameEntities(e.msg.CaptionEntities, ents) && sameInline(e.msg.ReplyMarkup, kb) {
		return result{}, badRequest(notModified)
	}
	s.pushEditLocked(e)
	e.msg.Caption, e.msg.CaptionEntities, e.msg.ReplyMarkup = caption, ents, kb
	return result{value: e.msg}, nil
}

func (s *Server) editMessageReplyMarkup(c *call) (result, *apiError) {
	kb, aerr := inlineOnly(c.p)
	if aerr != nil {
		return result{}, aerr
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	e, aerr := s.editTargetLocked(c.p)
	if aerr != nil {
		return result{}, aerr
	}
	if sameInline(e.msg.ReplyMarkup, kb) {
		return result{}, badRequest(notModified)
	}
	s.pushEditLocked(e)
	e.msg.ReplyMarkup = kb
	return result{value: e.msg}, nil
}

func sameEntities(a, b []MessageEntity) bool {
	x, _ := json.Marshal(a)
	y, _ := json.Marshal(b)
	if len(a) == 0 && len(b) == 0 {
		return true
	}
	return bytes.Equal(x, y)
}

func (s *Server) deleteMessage(c *call) (result, *apiError) {
	s.mu.Lock()
	defer s.mu.Unlock()
	cs, aerr := s.chatParamLocked(c.p)
	if aerr != nil {
		return result{}, aerr
	}
	e, aerr := messageParam(c.p, cs, "message to delete not found")
	if aerr != nil {
		return result{}, aerr
	}
	own := e.msg.From != nil && e.msg.From.ID == s.cfg.bot.ID
	admin := cs.members[s.cfg.bot.ID] == StatusAdministrator || cs.members[s.cfg.bot.ID] == StatusCreator
	if cs.chat.Type != ChatPrivate && !own && !admin {
		return result{}, badRequest("message can't be deleted")
	}
	e.deleted = true
	return result{value: true}, nil
}

func (s *Server) answerCallbackQuery(c *call) (result, *apiError) {
	p := c.p
	s.mu.Lock()
	defer s.mu.Unlock()
	cb := s.callbacks[p.str("callback_query_id")]
	if cb == nil || cb.answered {
		return result{}, badRequest("query is too old and response timeout expired or query ID is invalid")
	}
	if u := p.str("url"); u != "" {
		if pu, err := url.Parse(u); err != nil || pu.Scheme == "" {
			return result{}, badRequest("URL_INVALID")
		}
	}
	if utf8.RuneCountInString(p.str("text")) > 200 {
		return result{}, badRequest("MESSAGE_TOO_LONG")
	}
	cb.answered, cb.text, cb.showAlert, cb.url = true, p.str("text"), p.bool("show_alert"), p.str("url")
	return result{value: true}, nil
}

// validChatAction tells whether sendChatAction accepts action a.
func validChatAction(a string) bool {
	switch a {
	case "typing", "upload_photo", "record_video", "upload_video", "record_voice", "upload_voice",
		"upload_document", "choose_sticker", "find_location", "record_video_note", "upload_video_note":
		return true
	}
	return false
}

func (s *Server) sendChatAction(c *call) (result, *apiError) {
	if !validChatAction(c.p.str("action")) {
		return result{}, badRequest("wrong parameter action in request")
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	cs, aerr := s.chatParamLocked(c.p)
	if aerr != nil {
		return result{}, aerr
	}
	if aerr := s.canWriteLocked(cs); aerr != nil {
		return result{}, aerr
	}
	return result{value: true}, nil
}

// standardReaction tells whether e is an emoji the Bot API accepts as a
// reaction.
func standardReaction(e string) bool {
	const list = "👍 👎 ❤ 🔥 🥰 👏 😁 🤔 🤯 😱 🤬 😢 🎉 🤩 🤮 💩 🙏 👌 🕊 🤡 🥱 🥴 😍 🐳 ❤‍🔥 🌚 🌭 💯 🤣 ⚡ 🍌 🏆 💔 🤨 😐 🍓 🍾 💋 🖕 😈 😴 😭 🤓 👻 👨‍💻 👀 🎃 🙈 😇 😨 🤝 ✍ 🤗 🫡 🎅 🎄 ☃ 💅 🤪 🗿 🆒 💘 🙉 🦄 😘 💊 🙊 😎 👾 🤷‍♂ 🤷 🤷‍♀ 😡"
	for _, r := range strings.Fields(list) {
		if r == e {
			return true
		}
	}
	return false
}

// parseReactions reads a reaction parameter: a JSON array of ReactionType.
func parseReactions(raw string) ([]ReactionType, *apiError) {
	if strings.TrimSpace(raw) == "" {
		return nil, nil
	}
	var rs []ReactionType
	if err := json.Unmarshal([]byte(raw), &rs); err != nil {
		return nil, badRequest("can't parse reaction types JSON object")
	}
	for _, r := range rs {
		switch r.Type {
		case "emoji":
			if !standardReaction(r.Emoji) {
				return nil, badRequest("REACTION_INVALID")
			}
		case "custom_emoji":
			if r.CustomEmojiID == "" {
				return nil, badRequest("REACTION_INVALID")
			}
		case "paid":
		default:
			return nil, badRequest("REACTION_INVALID")
		}
	}
	return rs, nil
}

func (s *Server) setMessageReaction(c *call) (result, *apiError) {
	rs, aerr := parseReactions(c.p.str("reaction"))
	if aerr != nil {
		return result{}, aerr
	}
	if len(rs) > 1 {
		return result{}, badRequest("REACTIONS_TOO_MANY")
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	cs, aerr := s.chatParamLocked(c.p)
	if aerr != nil {
		return result{}, aerr
	}
	e, aerr := messageParam(c.p, cs, "MESSAGE_ID_INVALID")
	if aerr != nil {
		return result{}, aerr
	}
	if e.reactions == nil {
		e.reactions = map[int64][]ReactionType{}
	}
	e.reactions[s.cfg.bot.ID] = rs
	return result{value: true}, nil
}

func (s *Server) getUserProfilePhotos(c *call) (result, *apiError) {
	id, _, _ := c.p.int64("user_id")
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.users[id] == nil {
		return result{}, badRequest("user not found")
	}
	return result{value: UserProfilePhotos{TotalCount: 0, Photos: [][]PhotoSize{}}}, nil
}

func (s *Server) getChat(c *call) (result, *apiError) {
	s.mu.Lock()
	defer s.mu.Unlock()
	cs, aerr := s.chatParamLocked(c.p)
	if aerr != nil {
		return result{}, aerr
	}
	return result{value: cs.chat}, nil
}

func (s *Server) getChatMember(c *call) (result, *apiError) {
	s.mu.Lock()
	defer s.mu.Unlock()
	cs, aerr := s.chatParamLocked(c.p)
	if aerr != nil {
		return result{}, aerr
	}
	id, _, _ := c.p.int64("user_id")
	u := s.users[id]
	if u == nil {
		return result{}, badRequest("user not found")
	}
	st := cs.members[id]
	if st == "" {
		st = StatusLeft
	}
	return result{value: ChatMember{User: *u, Status: st}}, nil
}

// newFileLocked stores a file and gives it ids and a path. s.mu must be held.
func (s *Server) newFileLocked(kind, name, mime string, data []byte, size int, srcURL string) *fileRec {
	s.fileSeq++
	n := s.fileSeq
	prefix, dir, ext := "AgACAgIAAxkBAAIB", "photos", ".jpg"
	if kind == "document" {
		prefix, dir, ext = "BQACAgIAAxkBAAIB", "documents", path.Ext(name)
	}
	f := &fileRec{
		id:       fmt.Sprintf("%s%08dchatsimfile", prefix, n),
		uniqueID: fmt.Sprintf("AQAD%08d", n),
		path:     fmt.Sprintf("%s/file_%d%s", dir, n, ext),
		name:     name, mime: mime, data: data, size: size, url: srcURL,
	}
	s.addFileLocked(f)
	return f
}

// photoSizesLocked stores a photo of w×h as Telegram does: a few scaled
// sizes, the largest last. s.mu must be held.
func (s *Server) photoSizesLocked(w, h int, data []byte, srcURL string) []PhotoSize {
	full := len(data)
	if full == 0 {
		full = w * h / 8
	}
	var sizes []PhotoSize
	add := func(sw, sh int) {
		size := full
		if sw*sh < w*h {
			size = max(1, int(int64(full)*int64(sw*sh)/int64(w*h)))
		}
		f := s.newFileLocked("photo", "", "", data, size, srcURL)
		sizes = append(sizes, PhotoSize{FileID: f.id, FileUniqueID: f.uniqueID, Width: sw, Height: sh, FileSize: size})
	}
	long := max(w, h)
	for _, limit := range []int{90, 320, 800, 1280} {
		if long > limit {
			add(max(1, w*limit/long), max(1, h*limit/long))
		}
	}
	if long > 2560 {
		add(max(1, w*2560/long), max(1, h*2560/long))
	} else {
		add(w, h)
	}
	for _, sz := range sizes {
		if f := s.files[sz.FileID]; f != nil {
			f.sizes = sizes
		}
	}
	return sizes
}

// mediaSource is the file a send method refers to.
type mediaSource struct {
	upload *upload
	url    string
	fileID string
}

func mediaParam(p *params, field string) (mediaSource, *apiError) {
	if f := p.files[field]; f != nil {
		return mediaSource{upload: f}, nil
	}
	v := strings.TrimSpace(p.str(field))
	switch {
	case v == "":
		return mediaSource{}, badRequest("there is no " + field + " in the request")
	case strings.HasPrefix(v, "attach://"):
		if f := p.files[strings.TrimPrefix(v, "attach://")]; f != nil {
			return mediaSource{upload: f}, nil
		}
		return mediaSource{}, badRequest("wrong file identifier/HTTP URL specified")
	case strings.HasPrefix(v, "http://") || strings.HasPrefix(v, "https://"):
		if _, err := url.ParseRequestURI(v); err != nil {
			return mediaSource{}, badRequest("wrong file identifier/HTTP URL specified")
		}
		return mediaSource{url: v}, nil
	}
	return mediaSource{fileID: v}, nil
}

// sendMedia serves sendPhoto and sendDocument. A URL is recorded, never
// fetched.
func (s *Server) sendMedia(c *call, kind string) (result, *apiError) {
	p := c.p
	src, aerr := mediaParam(p, kind)
	if aerr != nil {
		return result{}, aerr
	}
	caption, ents, aerr := formatText(p.str("caption"), p.str("parse_mode"), p.str("caption_entities"))
	if aerr != nil {
		return result{}, aerr
	}
	if utf8.RuneCountInString(caption) > MaxCaptionLength {
		return result{}, badRequest("message caption is too long")
	}
	mk, aerr := parseMarkup(p.str("reply_markup"))
	if aerr != nil {
		return result{}, aerr
	}
	var cfg image.Config
	if kind == "photo" && src.upload != nil {
		var err error
		cfg, _, err = image.DecodeConfig(bytes.NewReader(src.upload.data))
		if err != nil || cfg.Width == 0 || cfg.Height == 0 {
			return result{}, badRequest("IMAGE_PROCESS_FAILED")
		}
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	cs, aerr := s.chatParamLocked(p)
	if aerr != nil {
		return result{}, aerr
	}
	if aerr := s.canWriteLocked(cs); aerr != nil {
		return result{}, aerr
	}
	reply, aerr := replyTo(p, cs)
	if aerr != nil {
		return result{}, aerr
	}
	m := Message{From: s.botUser(), Caption: caption, CaptionEntities: ents, ReplyToMessage: reply, ReplyMarkup: mk.inline}
	if src.fileID != "" {
		f := s.files[src.fileID]
		switch {
		case f == nil:
			return result{}, badRequest("wrong file identifier/HTTP URL specified")
		case kind == "photo" && f.sizes == nil:
			return result{}, badRequest("can't use file of type Document as Photo")
		case kind == "document" && f.sizes != nil:
			return result{}, badRequest("can't use file of type Photo as Document")
		}
	}
	switch {
	case kind == "photo" && src.fileID != "":
		m.Photo = s.files[src.fileID].sizes
	case kind == "photo" && src.upload != nil:
		m.Photo = s.photoSizesLocked(cfg.Width, cfg.Height, src.upload.data, "")
	case kind == "photo":
		m.Photo = s.photoSizesLocked(1280, 960, nil, src.url)
	case src.fileID != "":
		f := s.files[src.fileID]
		m.Document = &Document{FileID: f.id, FileUniqueID: f.uniqueID, FileName: f.name, MimeType: f.mime, FileSize: f.size}
	default:
		name, mime, data, size := "", "", []byte(nil), 0
		if src.upload != nil {
			name, mime, data, size = src.upload.name, src.upload.contentType, src.upload.data, len(src.upload.data)
			if mime == "" || mime == "application/octet-stream" {
				mime = http.DetectContentType(data)
			}
		} else {
			name = path.Base(strings.SplitN(src.url, "?", 2)[0])
		}
		if i := strings.IndexByte(mime, ';'); i >= 0 {
			mime = mime[:i]
		}
		f := s.newFileLocked("document", name, mime, data, size, src.url)
		m.Document = &Document{FileID: f.id, FileUniqueID: f.uniqueID, FileName: name, MimeType: mime, FileSize: size}
	}
	e := s.appendLocked(cs, m)
	mk.apply(e)
	return result{value: e.msg}, nil
}

// maxDownload is the largest file getFile hands out (20 MB).
const maxDownload = 20 << 20

func (s *Server) getFile(c *call) (result, *apiError) {
	s.mu.Lock()
	defer s.mu.Unlock()
	f := s.files[strings.TrimSpace(c.p.str("file_id"))]
	if f == nil {
		return result{}, badRequest("invalid file_id")
	}
	if f.size > maxDownload {
		return result{}, badRequest("file is too big")
	}
	return result{value: File{FileID: f.id, FileUniqueID: f.uniqueID, FileSize: f.size, FilePath: f.path}}, nil
}

// serveFile serves /file/bot<token>/<file_path>.
func (s *Server) serveFile(w http.ResponseWriter, r *http.Request, rest string) {
	token, fpath, ok := strings.Cut(rest, "/")
	if !ok || fpath == "" {
		writeError(w, errNotFound())
		return
	}
	if token != s.cfg.token {
		if _, err := tokenBotID(token); err != nil {
			writeError(w, errNotFound())
			return
		}
		writeError(w, errUnauthorized())
		return
	}
	s.mu.Lock()
	f := s.filePaths[fpath]
	s.mu.Unlock()
	if f == nil || (f.data == nil && !f.recorded) {
		writeError(w, errNotFound()) // unknown, or sent by URL: the fake never fetched it
		return
	}
	if f.recorded && f.data == nil {
		w.Header().Set("Content-Type", f.mime)
		w.Header().Set("Content-Length", fmt.Sprint(f.size))
		w.WriteHeader(http.StatusOK)
		if r.Method != http.MethodHead {
			_, _ = io.CopyN(w, zeroReader{}, int64(f.size))
		}
		return
	}
	mime := f.mime
	if mime == "" {
		mime = http.DetectContentType(f.data)
	}
	w.Header().Set("Content-Type", mime)
	w.Header().Set("Content-Length", fmt.Sprint(len(f.data)))
	w.WriteHeader(http.StatusOK)
	if r.Method != http.MethodHead {
		_, _ = w.Write(f.data)
	}
}

// zeroReader reads zero bytes forever: the content of a recorded file.
type zeroReader struct{}

func (zeroReader) Read(p []byte) (int, error) {
	clear(p)
	return len(p), nil
}
