package slack

import (
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"mime"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/chatsim/chatsim/examples/bpkit"
)

// webhook handles webhook_received: the platform forwards what Slack POSTed
// to https://webhook.botpress.cloud/<webhookId> as
//
//	{"req":{"method":"POST","path":"/","query":"","headers":{…},"body":"<the raw body>"}}
//
// and passes our answer (status, headers, body) back to Slack. One URL
// takes all three kinds of Slack requests, told apart by their body:
//
//	application/json                 the Events API: url_verification, event_callback
//	form with payload=<JSON>         interactivity: block_actions, view_submission
//	form with command=/…             a slash command
//
// Slack wants a 2xx within three seconds and retries an event otherwise;
// an event this integration does not handle still gets 200.
func (o *op) webhook(ctx context.Context) (bpkit.Response, error) {
	req, err := o.WebhookRequest()
	if err != nil {
		return bpkit.Response{}, err
	}
	// Anyone can POST to the webhook URL; only Slack knows the signing
	// secret. A bad signature is an answer for the sender, not a failure
	// of the integration.
	if err := verifySignature(req.Headers, req.Body, o.in.signingSecret, o.in.now()); err != nil {
		return plain(http.StatusUnauthorized, err.Error()), nil
	}
	mediaType, _, _ := mime.ParseMediaType(req.Headers["content-type"])
	isForm := mediaType == "application/x-www-form-urlencoded" ||
		mediaType == "" && !strings.HasPrefix(strings.TrimSpace(req.Body), "{")
	if isForm {
		form, err := url.ParseQuery(req.Body)
		if err != nil {
			return plain(http.StatusBadRequest, "malformed form body"), nil
		}
		switch {
		case form.Has("payload"):
			return o.interaction(ctx, form.Get("payload"))
		case form.Has("command"):
			return o.slashCommand(ctx, form)
		case form.Get("ssl_check") == "1":
			return plain(http.StatusOK, ""), nil // Slack checking the certificate
		}
		return plain(http.StatusBadRequest, "a form without payload or command"), nil
	}
	return o.eventsAPI(ctx, req)
}

// plain is an answer with a text body; an empty one is what Slack wants for
// an interaction or a slash command handled without a visible reply.
func plain(status int, text string) bpkit.Response {
	return bpkit.Response{Status: status, Header: map[string]string{"Content-Type": "text/plain; charset=utf-8"}, Body: text}
}

// maxRequestAge is how old a request's timestamp may be: older is taken
// for a replay of a captured request.
const maxRequestAge = 5 * time.Minute

// Why a Slack request is refused.
var (
	ErrUnsigned     = errors.New("missing X-Slack-Signature or X-Slack-Request-Timestamp")
	ErrBadSignature = errors.New("invalid X-Slack-Signature")
	ErrStale        = errors.New("X-Slack-Request-Timestamp is more than five minutes old")
)

// verifySignature checks Slack's v0 signature: X-Slack-Signature is "v0="
// and the hex HMAC-SHA256, keyed with the signing secret, of
// "v0:<X-Slack-Request-Timestamp>:<raw body>". A timestamp more than five
// minutes before now is refused, as @slack/bolt does; one in the future is
// not, so a simulator's clock behind Slack's does not break deliveries.
func verifySignature(headers map[string]string, body, secret string, now time.Time) error {
	ts, sig := headers["x-slack-request-timestamp"], headers["x-slack-signature"]
	if ts == "" || sig == "" {
		return ErrUnsigned
	}
	secs, err := strconv.ParseInt(ts, 10, 64)
	if err != nil {
		return fmt.Errorf("%w: X-Slack-Request-Timestamp %q is not a number of seconds", ErrUnsigned, ts)
	}
	if now.Sub(time.Unix(secs, 0)) > maxRequestAge {
		return ErrStale
	}
	got, ok := strings.CutPrefix(sig, "v0=")
	if !ok {
		return fmt.Errorf("%w: not a v0 signature", ErrBadSignature)
	}
	gotMAC, err := hex.DecodeString(got)
	if err != nil {
		return fmt.Errorf("%w: not hex", ErrBadSignature)
	}
	mac := hmac.New(sha256.New, []byte(secret))
	mac.Write([]byte("v0:" + ts + ":" + body))
	if !hmac.Equal(gotMAC, mac.Sum(nil)) {
		return ErrBadSignature
	}
	return nil
}

// envelope is an Events API request: url_verification or the
// event_callback wrapper around one event.
type envelope struct {
	Type      string          `json:"type"` // url_verification, event_callback, app_rate_limited
	Challenge string          `json:"challenge"`
	TeamID    string          `json:"team_id"`
	EventID   string          `json:"event_id"` // Ev…, the same on every retry
	Event     json.RawMessage `json:"event"`
	// Authorizations name the installation the event is for; with a bot
	// token, user_id is the bot user.
	Authorizations []struct {
		TeamID string `json:"team_id"`
		UserID string `json:"user_id"`
		IsBot  bool   `json:"is_bot"`
	} `json:"authorizations"`
}

// event is an inner event, with the fields of the types handled here.
type event struct {
	Type     string `json:"type"` // message, app_mention, reaction_added, reaction_removed, member_joined_channel
	Subtype  string `json:"subtype"`
	User     string `json:"user"`
	BotID    string `json:"bot_id"`
	Text     string `json:"text"`
	TS       string `json:"ts"`
	ThreadTS string `json:"thread_ts"`
	Channel  string `json:"channel"`
	// reaction_added, reaction_removed
	Reaction string `json:"reaction"`
	Item     struct {
		Type    string `json:"type"` // message, file, file_comment
		Channel string `json:"channel"`
		TS      string `json:"ts"`
	} `json:"item"`
	// member_joined_channel
	Inviter string `json:"inviter"`
}

// eventsAPI handles an Events API request.
//
// Redeliveries: Slack redelivers an event it got no timely 2xx for, with
// X-Slack-Retry-Num and the same event_id. The first delivery may well have
// been handled (it was only slow), so every delivery first checks whether
// its work is already recorded, and stops there if so. The check does not
// wait for X-Slack-Retry-Num: a redelivery without it (a replay, an event
// resent by hand) is the same event all the same.
//
//   - a message: getOrCreateMessage keyed on ts and channel already makes a
//     second delivery find the first message. Every delivery looks the
//     message up first (a message mentioning the bot comes twice anyway,
//     as app_mention and as message), so not even users.info is asked
//     again.
//   - an event (reaction, join): there is nothing to get-or-create, so its
//     payload carries Slack's eventId, and a delivery lists the events of
//     that type in that conversation (listEvents) to find it first. This
//     writes nothing and needs no state that would have to be declared,
//     written on every event and pruned; the price is one read per event
//     and an eventId field in each payload.
func (o *op) eventsAPI(ctx context.Context, req bpkit.WebhookRequest) (bpkit.Response, error) {
	var env envelope
	if err := json.Unmarshal([]byte(req.Body), &env); err != nil {
		return plain(http.StatusBadRequest, "malformed JSON body"), nil
	}
	switch env.Type {
	case "url_verification":
		// Slack checks the Request URL by asking for the challenge back.
		// Botpress passes this answer through to Slack as it is.
		return bpkit.JSON(map[string]string{"challenge": env.Challenge})
	case "event_callback":
	default:
		return bpkit.OK(), nil // app_rate_limited and future types: nothing to do
	}
	// Read the type first: the fields of other event types may have other
	// shapes (channel_rename's "channel" is an object).
	var ev event
	if err := json.Unmarshal(env.Event, &struct {
		Type *string `json:"type"`
	}{&ev.Type}); err != nil {
		return bpkit.Response{}, fmt.Errorf("decode slack event %s: %w", env.EventID, err)
	}
	switch ev.Type {
	case "message", "app_mention", "reaction_added", "reaction_removed", "member_joined_channel":
	default:
		return bpkit.OK(), nil // not handled here
	}
	if err := json.Unmarshal(env.Event, &ev); err != nil {
		return bpkit.Response{}, fmt.Errorf("decode slack event %s (%s): %w", env.EventID, ev.Type, err)
	}
	var err error
	switch ev.Type {
	case "message", "app_mention":
		err = o.message(ctx, &env, &ev)
	case "reaction_added":
		err = o.reaction(ctx, "reactionAdded", &env, &ev)
	case "reaction_removed":
		err = o.reaction(ctx, "reactionRemoved", &env, &ev)
	case "member_joined_channel":
		err = o.memberJoined(ctx, &env, &ev)
	}
	if err != nil {
		return bpkit.Response{}, fmt.Errorf("handle slack event %s (%s): %w", env.EventID, ev.Type, err)
	}
	return bpkit.OK(), nil
}

// botUsers returns the bot's own Slack user ids: the one auth.test gave at
// register (the workspace state), and the one the event was delivered for
// (its authorization with is_bot). They are the same but for an install
// registered before the state existed, or a delivery recorded in another
// workspace.
func (o *op) botUsers(ctx context.Context, env *envelope) ([]string, error) {
	var ws workspace
	if _, err := o.platform.GetState(ctx, "integration", o.IntegrationID, workspaceState, &ws); err != nil {
		return nil, err
	}
	var ids []string
	if ws.BotUserID != "" {
		ids = append(ids, ws.BotUserID)
	}
	for _, a := range env.Authorizations {
		if a.IsBot && a.UserID != "" && a.UserID != ws.BotUserID {
			ids = append(ids, a.UserID)
		}
	}
	return ids, nil
}
