package telegram_test

import (
	"encoding/json"
	"testing"

	"github.com/chatsim/chatsim/fakes/telegram"
)

func TestDescribe(t *testing.T) {
	t.Parallel()
	cases := []struct {
		name, raw, want string
	}{
		{"message", recordedMessage, `update 734000123 message "menu" from @grace in chat 9001`},
		{"callback", recordedCallback, `update 734000125 callback_query "tea" from @grace on message 58`},
		{"edited", `{"update_id":3,"edited_message":{"message_id":4,"from":{"id":1,"first_name":"Ada"},"chat":{"id":1,"type":"private"},"date":1,"text":"new"}}`,
			`update 3 edited_message "new" from Ada in chat 1 (message 4)`},
		{"photo", `{"update_id":3,"message":{"message_id":4,"chat":{"id":-5,"type":"group"},"date":1,"photo":[{"file_id":"x","file_unique_id":"y","width":1,"height":1}],"caption":"look"}}`,
			`update 3 message photo "look" in chat -5`},
		{"joined", `{"update_id":3,"message":{"message_id":4,"from":{"id":1,"first_name":"Ada","username":"ada"},"chat":{"id":-5,"type":"group"},"date":1,"new_chat_members":[{"id":2,"first_name":"Bob"}]}}`,
			`update 3 message new_chat_members Bob from @ada in chat -5`},
		{"my_chat_member", `{"update_id":3,"my_chat_member":{"chat":{"id":1,"type":"private"},"from":{"id":1,"first_name":"Ada","username":"ada"},"date":1,"old_chat_member":{"user":{"id":9,"is_bot":true,"first_name":"B","username":"b_bot"},"status":"member"},"new_chat_member":{"user":{"id":9,"is_bot":true,"first_name":"B","username":"b_bot"},"status":"kicked"}}}`,
			`update 3 my_chat_member @b_bot in chat 1 by @ada: member → kicked`},
		{"reaction", `{"update_id":3,"message_reaction":{"chat":{"id":1,"type":"private"},"message_id":2,"user":{"id":1,"first_name":"Ada"},"date":1,"old_reaction":[],"new_reaction":[{"type":"emoji","emoji":"👍"}]}}`,
			`update 3 message_reaction [👍] from Ada on message 2 in chat 1`},
		{"a type the fake does not model", `{"update_id":3,"inline_query":{"id":"1"}}`, `update 3 inline_query`},
		{"not JSON", `nope`, `update (not a JSON object)`},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			t.Parallel()
			if got := telegram.Describe(json.RawMessage(c.raw)); got != c.want {
				t.Errorf("got  %s\nwant %s", got, c.want)
			}
		})
	}
}

func TestEntitiesAndParseModes(t *testing.T) {
	t.Parallel()
	w := newWorld(t)
	if _, err := w.srv.SendText(ada, ada, "/start"); err != nil {
		t.Fatal(err)
	}
	type ent struct {
		Type           string
		Offset, Length int
		URL            string
	}
	cases := []struct {
		name, text, mode string
		wantText         string
		want             []ent
	}{
		{"commands and mentions after an emoji (UTF-16 offsets)", "😀 /order@chatsim_bot 2 for @ada_l", "", "😀 /order@chatsim_bot 2 for @ada_l",
			[]ent{{"bot_command", 3, 18, ""}, {"mention", 28, 6, ""}}},
		{"url and hashtag", "see https://example.com/x. #tea", "", "see https://example.com/x. #tea",
			[]ent{{"url", 4, 21, ""}, {"hashtag", 27, 4, ""}}},
		{"no command inside a word", "and/or a@b", "", "and/or a@b", nil},
		{"HTML", "<b>Tea</b> &amp; <a href=\"https://t.me\">coffee</a>", "HTML", "Tea & coffee",
			[]ent{{"bold", 0, 3, ""}, {"text_link", 6, 6, "https://t.me"}}},
		{"MarkdownV2", "*Tea* and _coffee_\\. ||secret||", "MarkdownV2", "Tea and coffee. secret",
			[]ent{{"bold", 0, 3, ""}, {"italic", 8, 6, ""}, {"spoiler", 16, 6, ""}}},
		{"Markdown", "*Tea* [menu](https://t.me/menu)", "Markdown", "Tea menu",
			[]ent{{"bold", 0, 3, ""}, {"text_link", 4, 4, "https://t.me/menu"}}},
		{"surrounding spaces are trimmed", "  <i>hi</i>  ", "HTML", "hi", []ent{{"italic", 0, 2, ""}}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			t.Parallel()
			var m telegram.Message
			status, r := w.api(t, "sendMessage", map[string]any{"chat_id": ada, "text": c.text, "parse_mode": c.mode})
			mustOK(t, status, r, &m)
			var got []ent
			for _, e := range m.Entities {
				got = append(got, ent{e.Type, e.Offset, e.Length, e.URL})
			}
			if m.Text != c.wantText || len(got) != len(c.want) {
				t.Fatalf("got %q %+v\nwant %q %+v", m.Text, got, c.wantText, c.want)
			}
			for i := range got {
				if got[i] != c.want[i] {
					t.Errorf("entity %d: got %+v, want %+v", i, got[i], c.want[i])
				}
			}
		})
	}
}

func TestGroupsAndMembership(t *testing.T) {
	t.Parallel()
	w := newWorld(t)
	const group = int64(-1001234567890)
	if err := w.srv.AddChat(telegram.Chat{ID: group, Type: telegram.ChatSupergroup, Title: "Tea lovers"}); err != nil {
		t.Fatal(err)
	}
	if err := w.srv.AddMember(group, ada, telegram.StatusCreator); err != nil {
		t.Fatal(err)
	}
	bot := w.srv.BotUser()
	// The bot is removed, then added back by ada.
	if err := w.srv.Leave(bot.ID, group); err != nil {
		t.Fatal(err)
	}
	status, r := w.api(t, "sendMessage", map[string]any{"chat_id": group, "text": "hi"})
	if status != 403 || r.Description != "Forbidden: bot is not a member of the supergroup chat" {
		t.Errorf("send while out: %d %q", status, r.Description)
	}
	if err := w.srv.Join(bot.ID, group); err != nil {
		t.Fatal(err)
	}
	if err := w.srv.Join(bob, group); err != nil {
		t.Fatal(err)
	}
	if _, err := w.srv.SendText(bob, group, "/menu@chatsim_bot"); err != nil {
		t.Fatal(err)
	}
	if _, err := w.srv.SendText(bob, group, "/menu@other_bot"); err != nil {
		t.Fatal(err)
	}
	var raws []json.RawMessage
	status, r = w.api(t, "getUpdates", nil)
	mustOK(t, status, r, &raws)
	var got []string
	for _, raw := range raws {
		got = append(got, telegram.Describe(raw))
	}
	want := []string{
		"update 100000001 my_chat_member @chatsim_bot in chat -1001234567890 by @ada: member → left",
		"update 100000002 my_chat_member @chatsim_bot in chat -1001234567890 by @ada: left → member",
		"update 100000003 message new_chat_members @chatsim_bot from @ada in chat -1001234567890",
		"update 100000004 message new_chat_members @bobby from @bobby in chat -1001234567890",
		`update 100000005 message "/menu@chatsim_bot" from @bobby in chat -1001234567890`,
	}
	if len(got) != len(want) {
		t.Fatalf("updates:\n%s", join(got))
	}
	for i := range want {
		if got[i] != want[i] {
			t.Errorf("update %d:\ngot  %s\nwant %s", i, got[i], want[i])
		}
	}
	status, r = w.api(t, "sendMessage", map[string]any{"chat_id": group, "text": "Welcome!"})
	mustOK(t, status, r, nil)
}

func join(lines []string) string {
	out := ""
	for _, l := range lines {
		out += l + "\n"
	}
	return out
}
