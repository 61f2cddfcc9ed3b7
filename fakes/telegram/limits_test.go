package telegram_test

import (
	"strings"
	"testing"

	"github.com/chatsim/chatsim/fakes/telegram"
)

// TestNameAndTitleLimits holds people, the bot and groups to Telegram's
// lengths: names 64, usernames 32, titles 128 characters.
func TestNameAndTitleLimits(t *testing.T) {
	t.Parallel()
	w := newWorld(t)
	long := func(n int) string { return strings.Repeat("é", n) }
	tests := []struct {
		name, path string
		body       map[string]any
		status     int
		says       string
	}{
		{"first_name of 64", "users", map[string]any{"id": 2001, "first_name": long(64)}, 201, ""},
		{"first_name of 65", "users", map[string]any{"id": 2002, "first_name": long(65)}, 400, "first_name of 65 characters, Telegram allows 1–64"},
		{"last_name of 65", "users", map[string]any{"id": 2003, "first_name": "A", "last_name": long(65)}, 400, "last_name of 65 characters, Telegram allows at most 64"},
		{"username of 33", "users", map[string]any{"id": 2004, "first_name": "A", "username": strings.Repeat("a", 33)}, 400, "username of 33 characters, Telegram allows at most 32"},
		{"title of 128", "chats", map[string]any{"id": -4001, "type": "group", "title": long(128)}, 201, ""},
		{"title of 129", "chats", map[string]any{"id": -4002, "type": "group", "title": long(129)}, 400, "title of 129 characters, Telegram allows 1–128"},
		{"chat username of 33", "chats", map[string]any{"id": -1001234567890, "type": "supergroup", "title": "T", "username": strings.Repeat("t", 33)}, 400,
			"username of 33 characters, Telegram allows at most 32"},
	}
	for _, tt := range tests {
		var out struct {
			Error string `json:"error"`
		}
		if got := w.control(t, "POST", tt.path, tt.body, &out); got != tt.status || !strings.Contains(out.Error, tt.says) {
			t.Errorf("%s: %d %q, want %d saying %q", tt.name, got, out.Error, tt.status, tt.says)
		}
	}
	if _, err := telegram.Start(telegram.WithBotUser(123456789, "long_bot", long(65))); err == nil || !strings.Contains(err.Error(), "first_name of 65 characters") {
		t.Errorf("Start with a bot name of 65 characters = %v", err)
	}
}
