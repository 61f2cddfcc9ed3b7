// Package telegram is a fake Telegram Bot API server for tests and
// simulations: real clients talk to it unchanged (go-telegram-bot-api v5 is
// tested against it), and a control API acts as the people in the chats.
//
//	srv := telegram.New(t) // or telegram.Start(opts...) and Close
//	bot, err := tgbotapi.NewBotAPIWithAPIEndpoint(srv.Token(), srv.URL()+"/bot%s/%s")
//	…
//	_ = srv.AddUser(telegram.User{ID: 1001, FirstName: "Ada", Username: "ada"})
//	_, err = srv.SendText(1001, 1001, "menu") // the bot gets a message update
//	msgs := srv.Transcript(1001)               // what the chat shows
//
// On the wire it is faithful to the Bot API: /bot<token>/<method> with
// query, form, JSON or multipart parameters (JSON inside form fields),
// case-insensitive method names, the {"ok":…} envelope with the HTTP status
// equal to error_code, the real error descriptions and limits, webhooks
// with X-Telegram-Bot-Api-Secret-Token, retries and methods executed from
// the webhook response body, getUpdates long polling with offset
// confirmation and 409 conflicts, and file downloads at
// /file/bot<token>/<file_path>. It never fetches a URL it is given (photos
// by URL are recorded, their sizes made up); webhook delivery is its only
// outbound traffic.
//
// Ids are deterministic: message ids count from 1 per chat, update ids from
// FirstUpdateID, dates come from the injected fakes.Clock. Every Bot API
// call and every webhook delivery is recorded in the fakes.Journal as an
// Observation with Source "telegram"; requests and deliveries count as
// work in flight in the fakes.Activity.
//
// It remembers the last fakes.DefaultHistory (1,000) messages of each
// chat and the last 1,000 Bot API calls, webhook deliveries, callback
// queries and files, so that a long replay's memory stays flat
// (WithHistory changes the bound). What it has forgotten answers as
// Telegram answers for what it no longer has: "message to edit not
// found", "query is too old…", "invalid file_id". Users and chats are
// kept.
//
// The control API lives under fakes.ControlPrefix; Server.ControlRoutes and
// GET /_chatsim/ list it.
// Faults (fakes.Fault with Op set to a method name) make a method answer
// with a Telegram error, such as 429 with parameters.retry_after.
package telegram
