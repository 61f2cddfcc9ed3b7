// Package slack is a fake Slack for tests and simulations: the Web API,
// Events API deliveries, slash commands, interactivity (block_actions,
// view_submission, response_url) and Socket Mode, on loopback. Real clients
// talk to it unchanged (slack-go is tested against it), and a Go and a
// control API act as the people in the workspace.
//
//	srv := slack.New(t) // or slack.Start(opts...) and Close
//	api := slackgo.New(srv.BotToken(), slackgo.OptionAPIURL(srv.APIURL()))
//	srv.SetWebhookTarget(app.URL) // url_verification, then events go there
//	_, err := srv.Send(slack.Post{User: "ada", Channel: "general", Text: "@chatsim menu"})
//	// the app gets message and app_mention, signed with the signing secret
//	_, err = srv.Act(slack.Action{User: "ada", Channel: "general", Target: "Coffee"})
//	lines := srv.Transcript("general") // what the channel shows
//
// On the wire it is faithful to Slack: the Web API at /api/<method> takes
// the token in the "token" form field or an Authorization Bearer header,
// form, JSON and multipart bodies, blocks and attachments as JSON strings in
// forms, and answers HTTP 200 with {"ok":false,"error":…} for API errors
// (429 with an integer Retry-After for ratelimited). Message ts values are
// "<unix seconds>.<6 digits>" from the fake's clock with a per-workspace
// sequence; ids look like Slack's (T…, C…, D…, G…, U…, B…, A…, V…, F…, Ev…).
//
// Everything it sends an app is signed as Slack signs it (v0 HMAC-SHA256
// over "v0:{timestamp}:{body}" in X-Slack-Signature, with
// X-Slack-Request-Timestamp read from the wall clock by default: apps check
// it against theirs). Events API deliveries wait 3 s on the fake's clock for a 2xx or an ack
// (WithAckTimeout) and are retried immediately, after 1 minute and after 5 minutes on the
// fake's clock (a fakes.VirtualClock leaps, no waiting) with
// X-Slack-Retry-Num and X-Slack-Retry-Reason, unless the answer carries
// X-Slack-No-Retry: 1. Once the app opens a Socket Mode connection
// (apps.connections.open with the xapp- token, then the WebSocket URL it
// returns), everything goes over it as envelopes that must be acked.
//
// Every Web API call and every delivery is recorded in the fakes.Journal as
// an Observation with Source "slack" (Kind: the method, or "deliver"), and
// counts as work in flight in the fakes.Activity until it is done.
//
// It remembers the last fakes.DefaultHistory (1,000) messages of each
// channel and the last 1,000 Web API calls, deliveries, Events API events,
// trigger_ids and response_urls, so that a long replay's memory stays flat
// (WithHistory changes the bound). What it has forgotten answers as Slack
// answers for what it no longer has: message_not_found,
// invalid_trigger_id, no_service. Users, channels and views are kept.
//
// # Control API
//
// Under fakes.ControlPrefix; {ch} is a channel id or name, or "dm" (the
// body's user's DM with the bot). Each action produces exactly the
// deliveries Slack would.
//
//	Route                                        Body → answer                         Deliveries
//	GET    /_chatsim/                            → {routes}
//	GET    /_chatsim/workspace                   → Workspace
//	POST   /_chatsim/users                       User → 201 {user}
//	POST   /_chatsim/channels                    {by,id,name,private,members} → 201    channel_created (public)
//	GET    /_chatsim/channels/{ch}/messages      → {messages, transcript}
//	POST   /_chatsim/channels/{ch}/messages      {user,text,thread_ts,                 message (bot in channel),
//	                                              reply_broadcast,mention} → 201       + app_mention if it mentions the bot
//	POST   /_chatsim/channels/{ch}/messages/{ts}/edit    {user,text}                   message/message_changed
//	POST   /_chatsim/channels/{ch}/messages/{ts}/delete  {user}                        message/message_deleted
//	POST   /_chatsim/channels/{ch}/messages/{ts}/react   {user,name,remove}            reaction_added / reaction_removed
//	POST   /_chatsim/channels/{ch}/join          {user,inviter}                        member_joined_channel + message/channel_join
//	POST   /_chatsim/channels/{ch}/leave         {user}                                message/channel_leave + member_left_channel
//	POST   /_chatsim/channels/{ch}/commands      {user,command,text} → {trigger_id,    slash command form
//	                                              response_url}
//	POST   /_chatsim/actions                     Action (click, pick, date, user,      block_actions payload=
//	                                              checkboxes) → ActionResult
//	GET    /_chatsim/views                       → {views}
//	POST   /_chatsim/views/submit                Submission → {trigger_id}             view_submission payload=
//	POST   /_chatsim/request-url                 {events,interactivity,commands,verify} url_verification (verify)
//	POST   /_chatsim/settings                    {rate_limits,duplicate_deliveries,
//	                                              signing_fault,signing_fault_times}
//	POST   /_chatsim/socket/disconnect           {reason} → {connections}              disconnect frame
//	POST   /_chatsim/replay                      {kind,body} → {title}                 the recorded delivery, re-signed
//	GET    /_chatsim/calls                       → {calls}
//	GET    /_chatsim/deliveries                  → {deliveries}
//	GET|POST|DELETE /_chatsim/faults             fakes.Fault (op = Web API method)
//
// Besides acting as people, the Go API declares the workspace piece by
// piece once the Server runs (DeclareChannel, DeclareMember, DeclareUser:
// as if it had always been so, no event for the app), opens a modal for a
// person without the trigger_id round trip (OpenModal), lists the events it
// sent (Events) and redelivers one as Slack's retry (Redeliver). A replayed
// event that was recorded as a redelivery is sent with its X-Slack-Retry-Num
// and X-Slack-Retry-Reason.
//
// Injected faults (fakes.Fault, op = a Web API method) answer in Slack's
// words: 429 is ratelimited with an integer Retry-After; any other 4xx is an
// API error, HTTP 200 with {"ok":false,"error":<message or
// invalid_arguments>}; a 5xx is that status (an outage).
//
// Rate limits are off unless WithRateLimits or the settings route turns
// them on: then Slack's tiers apply in one-minute windows on the fake's
// clock (chat.postMessage: 60 a minute per channel), answering 429 with an
// integer Retry-After and {"ok":false,"error":"ratelimited"}.
package slack
