package botpress

import (
	"encoding/json"
	"fmt"
	"net/url"
	"strings"
	"testing"
	"time"
)

func TestIDsAndTimes(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	uid, cid := e.seed()
	m := e.mustCall("POST", "/v1/chat/messages", map[string]any{
		"type": "text", "payload": map[string]any{"text": "hi"}, "userId": uid, "conversationId": cid, "tags": map[string]string{"id": "1"}})
	ev := e.mustCall("POST", "/v1/chat/events", map[string]any{"type": "ping", "payload": map[string]any{}})
	st := e.mustCall("POST", "/v1/chat/states/conversation/"+cid+"/order", map[string]any{"payload": map[string]any{"a": 1}})
	for _, tc := range []struct {
		name, id, prefix string
	}{
		{"user", uid, "user_"}, {"conversation", cid, "conv_"}, {"message", m.str("message", "id"), "msg_"},
		{"event", ev.str("event", "id"), "evt_"}, {"state", st.str("state", "id"), "state_"},
		{"bot user", e.p.BotUserID(), "user_"}, {"integration", e.p.IntegrationID(), "intver_"},
	} {
		if !strings.HasPrefix(tc.id, tc.prefix) || len(tc.id) < 28 || len(tc.id) > 36 || !idPattern.MatchString(tc.id) {
			t.Errorf("%s id %q: want %s + 26-char ULID, 28–36 chars", tc.name, tc.id, tc.prefix)
		}
	}
	if got := m.str("message", "createdAt"); got != "2026-01-01T00:00:00.000Z" {
		t.Errorf("createdAt = %q, want the virtual clock's 2026-01-01T00:00:00.000Z", got)
	}
	if len(e.p.BotID()) != 36 || len(e.p.WebhookID()) != 36 {
		t.Errorf("bot id %q and webhook id %q should be UUIDs", e.p.BotID(), e.p.WebhookID())
	}
	// ULIDs made in the same millisecond sort in creation order.
	u2 := e.mustCall("POST", "/v1/chat/users", map[string]any{"tags": map[string]string{"id": "2"}}).str("user", "id")
	if u2[5:] <= uid[5:] {
		t.Errorf("ids not monotonic: %s then %s", uid, u2)
	}
	e.clock.Advance(1500 * time.Millisecond)
	u3 := e.mustCall("POST", "/v1/chat/users", map[string]any{"tags": map[string]string{"id": "3"}})
	if got := u3.str("user", "createdAt"); got != "2026-01-01T00:00:01.500Z" {
		t.Errorf("createdAt after advancing = %q", got)
	}
}

func TestGetOrCreateUser(t *testing.T) {
	t.Parallel()
	existing := map[string]string{"foo": "a", "bar": "b", "baz": "c"}
	tests := []struct {
		name         string
		tags         map[string]string
		discriminate []string
		wantSame     bool
	}{
		{"all given tags match", map[string]string{"foo": "a", "bar": "b"}, nil, true},
		{"exact same tags", existing, nil, true},
		{"one given tag differs", map[string]string{"foo": "a", "bar": "x"}, nil, false},
		{"given tag absent on existing", map[string]string{"foo": "a", "qux": "1"}, nil, false},
		{"discriminate on listed keys only", map[string]string{"bar": "b", "baz": "c", "foo": "other"}, []string{"bar", "baz"}, true},
		{"discriminate key differs", map[string]string{"bar": "b", "baz": "z", "foo": "a"}, []string{"bar", "baz"}, false},
		{"discriminate key missing from request", map[string]string{"bar": "b"}, []string{"bar", "baz"}, false},
		{"no tags: always create", map[string]string{}, nil, false},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			e := newEnv(t)
			first := e.mustCall("POST", "/v1/chat/users/get-or-create", map[string]any{"tags": existing, "name": "Ada"})
			body := map[string]any{"tags": tc.tags}
			if tc.discriminate != nil {
				body["discriminateByTags"] = tc.discriminate
			}
			again := e.mustCall("POST", "/v1/chat/users/get-or-create", body)
			if same := again.str("user", "id") == first.str("user", "id"); same != tc.wantSame {
				t.Fatalf("same user = %v, want %v (%s)", same, tc.wantSame, again.raw)
			}
			if tc.wantSame {
				e.wantLine("platform | user.get-or-create | "+first.str("user", "id"), "existing")
			} else {
				e.wantLine("platform | user.get-or-create | "+again.str("user", "id"), "created")
			}
		})
	}
}

func TestGetOrCreateConversationAndMessage(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	uid, cid := e.seed()
	c2 := e.mustCall("POST", "/v1/chat/conversations/get-or-create", map[string]any{"channel": "channel", "tags": map[string]string{"chatId": "1001"}})
	if c2.str("conversation", "id") != cid {
		t.Errorf("get-or-create with a subset of tags made a new conversation")
	}
	c3 := e.mustCall("POST", "/v1/chat/conversations/get-or-create", map[string]any{"channel": "group", "tags": map[string]string{"chatId": "1001"}})
	if c3.str("conversation", "id") == cid {
		t.Errorf("get-or-create matched a conversation of another channel")
	}
	if got := c3.str("conversation", "integration"); got != "integration" {
		t.Errorf("conversation.integration = %q", got)
	}
	body := map[string]any{"type": "text", "payload": map[string]any{"text": "hi"}, "userId": uid, "conversationId": cid,
		"tags": map[string]string{"ts": "1.2", "channelId": "C1"}, "discriminateByTags": []string{"ts", "channelId"}}
	m1 := e.mustCall("POST", "/v1/chat/messages/get-or-create", body)
	m2 := e.mustCall("POST", "/v1/chat/messages/get-or-create", body)
	if m1.str("message", "id") != m2.str("message", "id") {
		t.Errorf("message get-or-create made two messages")
	}
	if m1.str("message", "direction") != "incoming" {
		t.Errorf("a message the integration creates is incoming, got %q", m1.str("message", "direction"))
	}
}

func TestUpdatesRemoveTags(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	uid, cid := e.seed()
	u := e.mustCall("PUT", "/v1/chat/users/"+uid, []byte(`{"tags":{"id":"","extra":"x","gone":null},"name":null,"pictureUrl":"http://p/1.png"}`))
	if got := u.obj("user", "tags"); len(got) != 1 || got["extra"] != "x" {
		t.Errorf("user tags after update = %v, want {extra:x}", got)
	}
	if _, has := u.obj("user")["name"]; has {
		t.Errorf("name null should remove the name: %s", u.raw)
	}
	if u.str("user", "pictureUrl") != "http://p/1.png" {
		t.Errorf("pictureUrl not set: %s", u.raw)
	}
	// properties and attributes are not in the documented spec but the real
	// client sends them: accepted, not echoed.
	e.mustCall("PUT", "/v1/chat/users/"+uid, []byte(`{"properties":{"plan":"pro","old":null},"attributes":{"a":"b"}}`))
	c := e.mustCall("PUT", "/v1/chat/conversations/"+cid, []byte(`{"tags":{"chatId":null,"topic":"t"}}`))
	if got := c.obj("conversation", "tags"); got["chatId"] != nil || got["topic"] != "t" || got["id"] != "1001" {
		t.Errorf("conversation tags = %v", got)
	}
	m := e.mustCall("POST", "/v1/chat/messages", map[string]any{"type": "text", "payload": map[string]any{"text": "a"}, "userId": uid, "conversationId": cid, "tags": map[string]string{"id": "1"}})
	mid := m.str("message", "id")
	up := e.mustCall("PUT", "/v1/chat/messages/"+mid, map[string]any{"tags": map[string]any{"id": "", "chatId": "9"}, "payload": map[string]any{"text": "b"}})
	if got := up.obj("message", "tags"); len(got) != 1 || got["chatId"] != "9" {
		t.Errorf("message tags = %v", got)
	}
	if got := up.str("message", "payload", "text"); got != "b" {
		t.Errorf("payload not updated: %s", up.raw)
	}
	e.wantLine("platform | message.update | "+mid, `text {"text":"b"}`, "tags{chatId=9}")
	wantError(t, e.call("PUT", "/v1/chat/messages/"+mid, map[string]any{"payload": map[string]any{}}), 400, "InvalidPayload")
}

func TestListsFilterAndPage(t *testing.T) {
	t.Parallel()
	e := newEnv(t, WithBot([]BotRule{}))
	for i := range 25 {
		group := "a"
		if i%5 == 0 {
			group = "b"
		}
		e.mustCall("POST", "/v1/chat/users", map[string]any{"tags": map[string]string{"id": fmt.Sprint(i), "group": group}})
	}
	var ids []string
	next := ""
	for page := 0; ; page++ {
		q := url.Values{"tags.group": {"a"}}
		if next != "" {
			q.Set("nextToken", next)
		}
		r := e.mustCall("GET", "/v1/chat/users?"+q.Encode(), nil)
		for _, u := range r.list("users") {
			ids = append(ids, u.(map[string]any)["tags"].(map[string]any)["id"].(string))
		}
		next = r.str("meta", "nextToken")
		if next == "" {
			break
		}
		if page > 3 {
			t.Fatal("paging does not end")
		}
	}
	if len(ids) != 20 || ids[0] != "24" || ids[19] != "1" {
		t.Errorf("users tagged group=a, newest first = %v", ids)
	}
	two := e.mustCall("GET", "/v1/chat/users?tags.group=b&tags.id=10", nil)
	if l := two.list("users"); len(l) != 1 {
		t.Errorf("dotted tag filters: got %d users, want 1", len(l))
	}
	asc := e.mustCall("GET", "/v1/chat/users?sortDirection=asc&tags.group=b", nil)
	if l := asc.list("users"); len(l) != 5 || l[0].(map[string]any)["tags"].(map[string]any)["id"] != "0" {
		t.Errorf("sortDirection=asc: %s", asc.raw)
	}
	wantError(t, e.call("GET", "/v1/chat/users?nextToken=garbage", nil), 400, "InvalidQuery")
	wantError(t, e.call("GET", "/v1/chat/users?sortField=name", nil), 400, "InvalidQuery")

	uid, cid := e.seed()
	other := e.mustCall("POST", "/v1/chat/conversations", map[string]any{"channel": "channel", "tags": map[string]string{"id": "2"}}).str("conversation", "id")
	for i, c := range []string{cid, other, cid} {
		e.mustCall("POST", "/v1/chat/messages", map[string]any{"type": "text", "payload": map[string]any{"text": fmt.Sprint(i)}, "userId": uid, "conversationId": c, "tags": map[string]string{"id": fmt.Sprint(i)}})
	}
	ms := e.mustCall("GET", "/v1/chat/messages?conversationId="+cid, nil).list("messages")
	if len(ms) != 2 || ms[0].(map[string]any)["payload"].(map[string]any)["text"] != "2" {
		t.Errorf("messages of %s, newest first: %v", cid, ms)
	}
	ms = e.mustCall("GET", "/v1/chat/messages?tags.id=1", nil).list("messages")
	if len(ms) != 1 {
		t.Errorf("messages tagged id=1: %v", ms)
	}
	convs := e.mustCall("GET", "/v1/chat/conversations?participantIds="+uid+"&participantIds="+e.p.BotUserID(), nil).list("conversations")
	if len(convs) != 0 {
		t.Errorf("no conversation has both users yet: %v", convs)
	}
	convs = e.mustCall("GET", "/v1/chat/conversations?participantIds="+uid+"&tags.id=2", nil).list("conversations")
	if len(convs) != 1 {
		t.Errorf("conversations with %s tagged id=2: %v", uid, convs)
	}
	users := e.mustCall("GET", "/v1/chat/users?conversationId="+other, nil).list("users")
	if len(users) != 1 {
		t.Errorf("users of conversation %s: %v", other, users)
	}
}

func TestParticipants(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	uid, cid := e.seed()
	base := "/v1/chat/conversations/" + cid + "/participants"
	if l := e.mustCall("GET", base, nil).list("participants"); len(l) != 0 {
		t.Fatalf("fresh conversation has participants: %v", l)
	}
	p := e.mustCall("POST", base, map[string]any{"userId": uid})
	if p.str("participant", "id") != uid {
		t.Fatalf("add participant: %s", p.raw)
	}
	e.mustCall("GET", base+"/"+uid, nil)
	e.mustCall("DELETE", base+"/"+uid, nil)
	wantError(t, e.call("GET", base+"/"+uid, nil), 404, "ResourceNotFound")
	wantError(t, e.call("POST", base, map[string]any{"userId": "user_01KDXXXXXXXXXXXXXXXXXXXXXX"}), 404, "ResourceNotFound")
	wantError(t, e.call("POST", base, map[string]any{"userId": "short"}), 400, "InvalidPayload")
}

func TestDeletes(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	uid, cid := e.seed()
	mid := e.mustCall("POST", "/v1/chat/messages", map[string]any{"type": "text", "payload": map[string]any{"text": "a"}, "userId": uid, "conversationId": cid, "tags": map[string]string{}}).str("message", "id")
	e.mustCall("DELETE", "/v1/chat/messages/"+mid, nil)
	wantError(t, e.call("GET", "/v1/chat/messages/"+mid, nil), 404, "ResourceNotFound")
	e.mustCall("DELETE", "/v1/chat/users/"+uid, nil)
	wantError(t, e.call("GET", "/v1/chat/users/"+uid, nil), 404, "ResourceNotFound")
	e.mustCall("DELETE", "/v1/chat/conversations/"+cid, nil)
	wantError(t, e.call("GET", "/v1/chat/conversations/"+cid, nil), 404, "ResourceNotFound")
	e.wantLine("platform | message.delete | " + mid)
	e.wantLine("platform | user.delete | " + uid)
	e.wantLine("platform | conversation.delete | " + cid)
}

func TestEvents(t *testing.T) {
	t.Parallel()
	e := newEnv(t, WithBot([]BotRule{}))
	uid, cid := e.seed()
	ev := e.mustCall("POST", "/v1/chat/events", map[string]any{"type": "reactionAdded", "payload": map[string]any{"reaction": "+1"}, "conversationId": cid, "userId": uid})
	id := ev.str("event", "id")
	if ev.status != 201 || ev.str("event", "type") != "reactionAdded" {
		t.Fatalf("create event: %d %s", ev.status, ev.raw)
	}
	if _, ok := ev.obj("event")["failureReason"]; !ok {
		t.Errorf("event lacks failureReason (required, nullable): %s", ev.raw)
	}
	got := e.mustCall("GET", "/v1/chat/events/"+id, nil)
	if got.str("event", "id") != id {
		t.Errorf("get event: %s", got.raw)
	}
	e.mustCall("POST", "/v1/chat/events", map[string]any{"type": "other", "payload": map[string]any{}})
	l := e.mustCall("GET", "/v1/chat/events?type=reactionAdded", nil).list("events")
	if len(l) != 1 {
		t.Errorf("events of type reactionAdded: %v", l)
	}
	if l := e.mustCall("GET", "/v1/chat/events", nil).list("events"); len(l) != 2 || l[0].(map[string]any)["type"] != "other" {
		t.Errorf("events newest first: %v", l)
	}
	wantError(t, e.call("POST", "/v1/chat/events", map[string]any{"type": "x", "payload": map[string]any{}, "conversationId": "conv_01KDXXXXXXXXXXXXXXXXXXXXXX"}), 404, "ResourceNotFound")
	e.wantLine("platform | event.create | "+id, `reactionAdded {"reaction":"+1"}`, cid, uid)
	e.settle()
}

func TestStates(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	uid, cid := e.seed()
	conv := "/v1/chat/states/conversation/" + cid + "/order"
	r := e.call("GET", conv, nil)
	wantError(t, r, 404, "ResourceNotFound")
	if !strings.Contains(r.str("message"), "not found") {
		t.Errorf("a missing state's message must contain \"not found\" (Telegram checks it): %q", r.str("message"))
	}
	set := e.mustCall("POST", conv, map[string]any{"payload": map[string]any{"drink": "tea", "size": "L"}})
	if set.str("state", "conversationId") != cid || set.str("state", "botId") != e.p.BotID() || set.str("state", "type") != "conversation" {
		t.Errorf("set state: %s", set.raw)
	}
	got := e.mustCall("GET", conv, nil)
	if got.str("state", "payload", "drink") != "tea" {
		t.Errorf("get state: %s", got.raw)
	}
	if cached, ok := got.obj("meta")["cached"].(bool); !ok || cached {
		t.Errorf("meta.cached: %s", got.raw)
	}
	p := e.mustCall("PATCH", conv, map[string]any{"payload": map[string]any{"drink": "coffee"}})
	if p.str("state", "payload", "drink") != "coffee" || p.str("state", "payload", "size") != "L" {
		t.Errorf("patch is a shallow merge: %s", p.raw)
	}
	gos := e.mustCall("POST", conv+"/get-or-set", map[string]any{"payload": map[string]any{"drink": "water"}})
	if gos.str("state", "payload", "drink") != "coffee" {
		t.Errorf("get-or-set must not overwrite: %s", gos.raw)
	}
	e.mustCall("POST", conv, []byte(`{"payload":null}`))
	wantError(t, e.call("GET", conv, nil), 404, "ResourceNotFound")
	wantError(t, e.call("PATCH", conv, map[string]any{"payload": map[string]any{"a": 1}}), 404, "ResourceNotFound")
	if len(e.p.States()) != 0 {
		t.Errorf("States after delete: %v", e.p.States())
	}
	e.wantLine("platform | state.set | conversation " + cid + ` "order" null (deleted)`)

	scopes := []struct{ name, path string }{
		{"user", "/v1/chat/states/user/" + uid + "/prefs"},
		{"integration", "/v1/chat/states/integration/" + e.p.IntegrationID() + "/credentials"},
		{"bot", "/v1/chat/states/bot/" + e.p.BotID() + "/config"},
	}
	for _, sc := range scopes {
		e.mustCall("POST", sc.path, map[string]any{"payload": map[string]any{"scope": sc.name}})
		if g := e.mustCall("GET", sc.path, nil); g.str("state", "payload", "scope") != sc.name {
			t.Errorf("%s state: %s", sc.name, g.raw)
		}
	}
	wantError(t, e.call("GET", "/v1/chat/states/integration/intver_01KDXXXXXXXXXXXXXXXXXXXXXX/credentials", nil), 404, "ResourceNotFound")
	wantError(t, e.call("GET", "/v1/chat/states/planet/x/y", nil), 400, "InvalidPayload")
	wantError(t, e.call("POST", conv, map[string]any{"payload": "text"}), 400, "InvalidPayload")
	wantError(t, e.call("POST", conv, map[string]any{"payload": map[string]any{}, "expiry": 0}), 400, "InvalidPayload")
}

func TestStateExpiry(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	_, cid := e.seed()
	path := "/v1/chat/states/conversation/" + cid + "/session"
	e.mustCall("POST", path, map[string]any{"payload": map[string]any{"n": 1}, "expiry": 60000})
	e.wantLine("platform | state.set | conversation "+cid, "expiry=60000ms")
	e.clock.Advance(59 * time.Second)
	e.mustCall("GET", path, nil)
	e.mustCall("PATCH", path, map[string]any{"payload": map[string]any{"n": 2}}) // a write restarts the idle expiry
	e.clock.Advance(59 * time.Second)
	e.mustCall("GET", path, nil)
	e.clock.Advance(time.Second)
	wantError(t, e.call("GET", path, nil), 404, "ResourceNotFound")
	if _, ok := e.p.State("conversation", cid, "session"); ok {
		t.Errorf("expired state still listed")
	}
	// get-or-set on an expired state sets it again.
	gos := e.mustCall("POST", path+"/get-or-set", map[string]any{"payload": map[string]any{"n": 3}, "expiry": 1000})
	if gos.str("state", "payload") != "" || gos.obj("state", "payload")["n"] != float64(3) {
		t.Errorf("get-or-set after expiry: %s", gos.raw)
	}
	e.mustCall("POST", path+"/expiry", []byte(`{"expiry":null}`))
	e.clock.Advance(time.Hour)
	e.mustCall("GET", path, nil)
}

func TestConfigureIntegrationAndAnalytics(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	e.mustCall("POST", "/v1/chat/integrations/configure", map[string]any{"identifier": "T0123"})
	if id, ok := e.p.Identifier(); !ok || id != "T0123" {
		t.Errorf("identifier = %q, %v", id, ok)
	}
	e.wantLine(`platform | integration.configure | identifier="T0123"`)
	e.mustCall("POST", "/v1/chat/integrations/configure", []byte(`{"identifier":null}`))
	if _, ok := e.p.Identifier(); ok {
		t.Errorf("identifier null should clear it")
	}
	wantError(t, e.call("POST", "/v1/chat/integrations/configure", map[string]any{"scheduleRegisterCall": "sometimes"}), 400, "InvalidPayload")
	e.mustCall("POST", "/v1/chat/analytics", map[string]any{"name": "messages", "count": 2})
	wantError(t, e.call("POST", "/v1/chat/analytics", map[string]any{"name": "messages", "count": 1.5}), 400, "InvalidPayload")
}

func TestInitializeIncomingMessage(t *testing.T) {
	t.Parallel()
	e := newEnv(t, WithBot([]BotRule{}))
	r := e.mustCall("POST", "/v1/chat/initialize-incoming-message", map[string]any{
		"user":         map[string]any{"tags": map[string]string{"id": "7"}, "discriminateByTags": []string{"id"}, "name": "Bo"},
		"conversation": map[string]any{"channel": "dm", "tags": map[string]string{"id": "7"}, "discriminateByTags": []string{"id"}},
		"message":      map[string]any{"type": "text", "payload": map[string]any{"text": "yo"}, "tags": map[string]string{"id": "m1"}, "discriminateByTags": []string{"id"}},
	})
	if r.str("message", "userId") != r.str("user", "id") || r.str("message", "conversationId") != r.str("conversation", "id") {
		t.Errorf("initialize-incoming-message: %s", r.raw)
	}
	wantError(t, e.call("POST", "/v1/chat/initialize-incoming-message", map[string]any{"userId": r.str("user", "id")}), 400, "InvalidPayload")
	e.settle()
}

func TestErrors(t *testing.T) {
	t.Parallel()
	e := newEnvToken(t, "secret-token")
	uid, cid := e.seed()
	tests := []struct {
		name         string
		method, path string
		body         any
		hdr          []string
		status       int
		typ          string
		msg          string
	}{
		{"missing bearer", "GET", "/v1/chat/users/" + uid, nil, []string{"Authorization", ""}, 401, "Unauthorized", "Authorization"},
		{"wrong bearer", "GET", "/v1/chat/users/" + uid, nil, []string{"Authorization", "Bearer nope"}, 401, "Unauthorized", ""},
		{"missing x-bot-id", "GET", "/v1/chat/users/" + uid, nil, []string{"x-bot-id", ""}, 400, "InvalidPayload", "x-bot-id"},
		{"another bot", "GET", "/v1/chat/users/" + uid, nil, []string{"x-bot-id", "f00"}, 403, "Forbidden", ""},
		{"another integration", "GET", "/v1/chat/users/" + uid, nil, []string{"x-integration-id", "intver_other"}, 403, "Forbidden", ""},
		{"unknown user", "GET", "/v1/chat/users/user_01KDXXXXXXXXXXXXXXXXXXXXXX", nil, nil, 404, "ResourceNotFound", "not found"},
		{"unknown route", "GET", "/v1/chat/nothing", nil, nil, 405, "MethodNotFound", ""},
		{"method not served", "PATCH", "/v1/chat/users/" + uid, map[string]any{}, nil, 405, "MethodNotFound", ""},
		{"not implemented", "GET", "/v1/chat/tasks", nil, nil, 405, "MethodNotFound", "listTasks"},
		{"invalid JSON", "POST", "/v1/chat/users", []byte(`{"tags":`), nil, 400, "InvalidPayload", "JSON"},
		{"missing required", "POST", "/v1/chat/messages", map[string]any{"type": "text", "payload": map[string]any{}, "userId": uid, "conversationId": cid}, nil, 400, "InvalidPayload", `"tags" is required`},
		{"wrong type", "POST", "/v1/chat/users", map[string]any{"tags": map[string]any{"id": 5}}, nil, 400, "InvalidPayload", `"tags.id" must be a string`},
		{"unknown field", "POST", "/v1/chat/users", map[string]any{"tags": map[string]any{}, "colour": "red"}, nil, 400, "InvalidPayload", `"colour" is not a recognized property`},
		{"too long", "POST", "/v1/chat/users", map[string]any{"tags": map[string]any{"id": strings.Repeat("x", 501)}}, nil, 400, "InvalidPayload", "at most 500"},
		{"payload not an object", "POST", "/v1/chat/messages", map[string]any{"type": "text", "payload": "hi", "userId": uid, "conversationId": cid, "tags": map[string]any{}}, nil, 400, "InvalidPayload", "payload"},
		{"message to unknown conversation", "POST", "/v1/chat/messages", map[string]any{"type": "text", "payload": map[string]any{}, "userId": uid, "conversationId": "conv_01KDXXXXXXXXXXXXXXXXXXXXXX", "tags": map[string]any{}}, nil, 404, "ResourceNotFound", "Conversation"},
		{"get-or-create conversation without channel", "POST", "/v1/chat/conversations/get-or-create", map[string]any{"tags": map[string]any{}}, nil, 400, "InvalidPayload", "channel"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			r := e.call(tc.method, tc.path, tc.body, tc.hdr...)
			wantError(t, r, tc.status, tc.typ)
			if !strings.Contains(r.str("message"), tc.msg) {
				t.Errorf("message %q does not mention %q", r.str("message"), tc.msg)
			}
		})
	}
}

func TestNoTokenMeansNoAuth(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	e.mustCall("GET", "/v1/chat/users/"+e.p.BotUserID(), nil) // the bot user exists from the start
}

func TestFaults(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	uid, cid := e.seed()
	e.mustCall("POST", "/_chatsim/faults", map[string]any{"op": "message.create", "status": 429, "retry_after": 2, "times": 1})
	body := map[string]any{"type": "text", "payload": map[string]any{"text": "a"}, "userId": uid, "conversationId": cid, "tags": map[string]any{}}
	r := e.call("POST", "/v1/chat/messages", body)
	wantError(t, r, 429, "RateLimited")
	if r.header.Get("Retry-After") != "2" {
		t.Errorf("Retry-After = %q", r.header.Get("Retry-After"))
	}
	e.mustCall("POST", "/v1/chat/messages", body) // used up
	e.mustCall("POST", "/_chatsim/faults", map[string]any{"op": "getState", "status": 500, "message": "boom"})
	r = e.call("GET", "/v1/chat/states/conversation/"+cid+"/x", nil)
	wantError(t, r, 500, "Internal")
	if r.str("message") != "boom" {
		t.Errorf("fault message = %q", r.str("message"))
	}
	e.mustCall("DELETE", "/_chatsim/faults", nil)
	wantError(t, e.call("GET", "/v1/chat/states/conversation/"+cid+"/x", nil), 404, "ResourceNotFound")
	e.settle()
}

func TestResponsesAreSpecShaped(t *testing.T) {
	t.Parallel()
	// Every helper call checks its answer against the spec; this test walks
	// each implemented operation once more with optional fields set.
	e := newEnv(t, WithBot([]BotRule{}))
	u := e.mustCall("POST", "/v1/chat/users", map[string]any{"tags": map[string]string{"id": "1"}, "name": "N", "pictureUrl": "http://x/p.png"})
	if u.status != 201 {
		t.Errorf("createUser status %d, want 201", u.status)
	}
	c := e.mustCall("POST", "/v1/chat/conversations", map[string]any{"channel": "c", "tags": map[string]string{}})
	m := e.mustCall("POST", "/v1/chat/messages", map[string]any{"type": "text", "payload": map[string]any{"text": "x"}, "origin": "synthetic",
		"userId": u.str("user", "id"), "conversationId": c.str("conversation", "id"), "tags": map[string]string{}})
	if m.str("message", "origin") != "synthetic" {
		t.Errorf("origin dropped: %s", m.raw)
	}
	var msg map[string]json.RawMessage
	_ = json.Unmarshal(m.raw, &msg)
	e.mustCall("GET", "/v1/chat/conversations/"+c.str("conversation", "id")+"/participants", nil)
	e.settle()
}
