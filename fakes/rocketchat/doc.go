// Package rocketchat is a fake Rocket.Chat server for tests and
// simulations: the Rocket.Chat Go SDK's REST and realtime clients work
// against it unchanged, outgoing webhook integrations and interaction
// payloads reach the bot under test, and a control API acts as the people
// in the rooms.
//
//	srv := rocketchat.New(t, rocketchat.WithWebhookTarget(botURL)) // or Start(opts...) and Close
//	u, _ := url.Parse(srv.URL())
//	client := rest.NewClient(u, false) // github.com/RocketChat/Rocket.Chat.Go.SDK/rest
//	err := client.Login(&models.UserCredentials{Email: rocketchat.DefaultBotUsername, Password: rocketchat.DefaultBotPassword})
//	…
//	msg, err := srv.Send("ada", "#general", "menu") // the outgoing integration posts it to botURL
//	_, err = srv.Click("ada", botMessageID, "Coffee") // a block_actions payload goes to botURL
//
// The server starts with the bot account (DefaultBotUsername, a password
// and a personal access token), users admin, ada and grace (passwords
// "<name>-password"), the public channel #general (id GENERAL), the
// private group #team, an outgoing integration on every room (event
// sendMessage, no trigger words, no retries, posting replies as the bot)
// and an incoming webhook into #general. WithoutDefaults keeps only the
// bot and #general; the Go API and the control API declare the rest.
//
// People act through the Go API (and the control API): Send, SendDM,
// Edit (the earlier version is kept in Message.History), React (by
// shortcode, "+1" or ":tada:"; a raw emoji is refused as Rocket.Chat
// refuses it), Delete, Join and Leave (a "uj"/"ul" system message, and
// the outgoing integrations on roomJoined/roomLeft), Click, Select and
// PickDate. Controls and ContextTexts read a rich message's blocks as
// people see them.
//
// On the wire it follows Rocket.Chat: REST under /api/v1/ with
// X-Auth-Token and X-User-Id checked on every call, {"success":true} and
// {"success":false,"error":"… [type]","errorType":"type"} envelopes, 401
// {"status":"error","message":"You must be logged in to do this."};
// outgoing webhooks as the trigger handler sends them (a 200/201/202 JSON
// answer with text or attachments is posted into the room, 410 with a
// body disables the integration, retries on the fake's clock when
// configured); incoming webhooks at /hooks/<id>/<token> (JSON or
// payload=); DDP over WebSocket at /websocket (connect, ping, login by
// resume token or sha-256 digest, stream-room-messages with an added
// before any changed, sendMessage and other methods the SDK calls).
//
// Interactive messages are a harness design modelled on RocketChat's Slack
// compatibility app: a click, menu pick or date pick on a message's blocks
// posts payload=<json> with type "block_actions" (decodable by slack-go's
// InteractionCallback) to the interaction URL; its response_url replaces,
// deletes or follows up the message for ResponseURLTTL and ResponseURLUses
// posts (SetResponseURLTTL changes the first), and answers 400 with an
// empty body afterwards. A replace keeps the version it replaces in the
// message's History and is journaled as before → after:
//
//	response_url  replace msg=… "What would you like?" [Tea][Coffee] → "What would you like?" context["✓ Coffee chosen by @ada"]
//
// Ids are 17-character Meteor-style ids drawn from a seeded sequence
// (WithSeed), so the same calls give the same ids; times come from the
// injected fakes.Clock. Every REST call, DDP method and subscription,
// delivery and response_url post is recorded in the fakes.Journal with
// Source "rocketchat"; requests, DDP frames and queued deliveries count
// as work in flight in the fakes.Activity.
//
// It remembers the last fakes.DefaultHistory (1,000) messages of each room
// and the last 1,000 calls, deliveries and response_urls, so that a long
// replay's memory stays flat (WithHistory changes the bound). A message it
// has forgotten answers as one Rocket.Chat no longer has; a forgotten
// response_url as an expired one. Users and rooms are kept.
//
// The control API lives under fakes.ControlPrefix; Server.ControlRoutes and
// GET /_chatsim/ list it.
// Faults (fakes.Fault with Op set to a REST endpoint such as
// "chat.postMessage", or "ddp sendMessage") make a call fail with a
// Rocket.Chat error; 429 carries the X-RateLimit-* headers.
package rocketchat
