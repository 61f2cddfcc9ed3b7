package telegram

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/chatsim/chatsim/examples/bpkit"
)

// botAPI calls the Telegram Bot API with one bot's token.
type botAPI struct {
	http  *http.Client
	base  string // TELEGRAM_API_URL
	token string // the install's botToken
	sleep func(context.Context, time.Duration) error
}

// The Telegram objects, with the fields this integration reads.
type (
	tgUpdate struct {
		UpdateID      int64                `json:"update_id"`
		Message       *tgMessage           `json:"message"`
		EditedMessage *tgMessage           `json:"edited_message"`
		CallbackQuery *tgCallbackQuery     `json:"callback_query"`
		MyChatMember  *tgChatMemberUpdated `json:"my_chat_member"`
		ChatMember    *tgChatMemberUpdated `json:"chat_member"`
	}
	tgUser struct {
		ID        int64  `json:"id"`
		IsBot     bool   `json:"is_bot"`
		FirstName string `json:"first_name"`
		LastName  string `json:"last_name"`
		Username  string `json:"username"`
	}
	tgChat struct {
		ID   int64  `json:"id"`
		Type string `json:"type"`
	}
	tgMessage struct {
		MessageID      int64           `json:"message_id"`
		From           *tgUser         `json:"from"`
		Chat           tgChat          `json:"chat"`
		Text           string          `json:"text"`
		Caption        string          `json:"caption"`
		Photo          []tgPhotoSize   `json:"photo"`
		ReplyMarkup    *inlineKeyboard `json:"reply_markup"`
		NewChatMembers []tgUser        `json:"new_chat_members"`
		LeftChatMember *tgUser         `json:"left_chat_member"`
	}
	tgPhotoSize struct {
		FileID string `json:"file_id"`
		Width  int    `json:"width"`
		Height int    `json:"height"`
	}
	tgFile struct {
		FileID   string `json:"file_id"`
		FilePath string `json:"file_path"`
	}
	tgCallbackQuery struct {
		ID      string     `json:"id"`
		From    tgUser     `json:"from"`
		Message *tgMessage `json:"message"` // absent for inline-mode messages
		Data    string     `json:"data"`
	}
	tgChatMemberUpdated struct {
		Chat          tgChat       `json:"chat"`
		From          tgUser       `json:"from"`
		OldChatMember tgChatMember `json:"old_chat_member"`
		NewChatMember tgChatMember `json:"new_chat_member"`
	}
	tgChatMember struct {
		User   tgUser `json:"user"`
		Status string `json:"status"` // creator, administrator, member, restricted, left, kicked
	}

	// inlineKeyboard is reply_markup for buttons under a message. Each
	// button has callback_data (sent back in a callback_query when tapped)
	// or url (opened by the app).
	inlineKeyboard struct {
		InlineKeyboard [][]button `json:"inline_keyboard"`
	}
	button struct {
		Text         string `json:"text"`
		CallbackData string `json:"callback_data,omitempty"`
		URL          string `json:"url,omitempty"`
	}
)

// fullName is "First Last", or just the first name.
func (u tgUser) fullName() string {
	return strings.TrimSpace(u.FirstName + " " + u.LastName)
}

// telegramError is an {"ok":false} answer.
type telegramError struct {
	Method      string
	Code        int    // error_code, which is also the HTTP status
	Description string // "Bad Request: chat not found"
}

func (e *telegramError) Error() string {
	return fmt.Sprintf("telegram %s: %d %s", e.Method, e.Code, e.Description)
}

// call invokes a Bot API method with JSON parameters and decodes its result
// into out (if not nil). A 429 is retried after parameters.retry_after
// seconds, at most maxRetries times.
func (b *botAPI) call(ctx context.Context, method string, params, out any) error {
	if b.token == "" {
		return fmt.Errorf("telegram %s: the botToken configuration is empty", method)
	}
	body, err := json.Marshal(params)
	if err != nil {
		return fmt.Errorf("encode telegram %s: %w", method, err)
	}
	for attempt := 1; ; attempt++ {
		req, err := http.NewRequestWithContext(ctx, http.MethodPost, b.base+"/bot"+b.token+"/"+method, bytes.NewReader(body))
		if err != nil {
			return fmt.Errorf("telegram %s: %w", method, b.redact(err))
		}
		req.Header.Set("Content-Type", "application/json")
		res, err := b.http.Do(req)
		if err != nil {
			return fmt.Errorf("telegram %s: %w", method, b.redact(err))
		}
		var env struct {
			OK          bool            `json:"ok"`
			Result      json.RawMessage `json:"result"`
			ErrorCode   int             `json:"error_code"`
			Description string          `json:"description"`
			Parameters  struct {
				RetryAfter *int `json:"retry_after"`
			} `json:"parameters"`
		}
		err = json.NewDecoder(io.LimitReader(res.Body, bpkit.MaxBody)).Decode(&env)
		res.Body.Close()
		if err != nil {
			return fmt.Errorf("telegram %s: HTTP %d: decode answer: %w", method, res.StatusCode, err)
		}
		if env.OK {
			if out == nil {
				return nil
			}
			if err := json.Unmarshal(env.Result, out); err != nil {
				return fmt.Errorf("telegram %s: decode result: %w", method, err)
			}
			return nil
		}
		if env.ErrorCode == 0 {
			env.ErrorCode = res.StatusCode
		}
		if env.ErrorCode == http.StatusTooManyRequests && env.Parameters.RetryAfter != nil && attempt <= maxRetries {
			if err := b.sleep(ctx, time.Duration(*env.Parameters.RetryAfter)*time.Second); err != nil {
				return fmt.Errorf("telegram %s: %w", method, err)
			}
			continue
		}
		return &telegramError{Method: method, Code: env.ErrorCode, Description: env.Description}
	}
}

// maxRetries is how many times a call Telegram answered 429 is retried.
const maxRetries = 3

// redact removes the bot token from an error: net/http puts the request URL,
// which holds the token, in its errors, and errors end up in logs and in
// answers to the platform.
func (b *botAPI) redact(err error) error {
	if ue, ok := errors.AsType[*url.Error](err); ok {
		ue.URL = strings.ReplaceAll(ue.URL, b.token, "<token>")
	}
	return err
}

// fileURL is where a file from getFile is downloaded. It holds the bot
// token, as Telegram's file links do; see webhook.go.
func (b *botAPI) fileURL(path string) string {
	return b.base + "/file/bot" + b.token + "/" + path
}

// id renders a Telegram id as the string tags and events use.
func id(n int64) string { return strconv.FormatInt(n, 10) }

// chatID turns a conversation's "id" tag back into sendMessage's chat_id:
// a number for numeric ids, the string itself otherwise ("@channelname").
func chatID(tag string) any {
	if n, err := strconv.ParseInt(tag, 10, 64); err == nil {
		return n
	}
	return tag
}
