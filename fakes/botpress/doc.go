// Package botpress is chatsim's Botpress-compatible mock platform: the
// Runtime API an integration calls (BP_API_URL), the invoker that calls the
// integration the way the Botpress cloud does (x-bp-operation and the other
// headers @botpress/sdk requires), a webhook endpoint for the installed
// integration, a scripted bot, contract checks of every capture against the
// integration's definition, and a control API.
//
// An integration built with @botpress/sdk runs against it unchanged:
//
//	p, err := botpress.Start(
//		botpress.WithJournal(journal), botpress.WithActivity(activity),
//		botpress.WithDefinition(def), botpress.WithToken("bp-token"),
//		botpress.WithConfiguration(json.RawMessage(`{"botToken":"…"}`), ""),
//	)
//	if err != nil { … }
//	defer p.Close()
//	// launch the integration with BP_API_URL=p.URL(), BP_TOKEN=bp-token
//	p.SetIntegrationURL(integrationURL)
//	err = p.Register(ctx)        // configuration checked, then register
//	// the fakes deliver to p.WebhookURL(); the bot answers incoming messages
//	err = activity.Wait(ctx)     // every reply delivered
//
// # Runtime API
//
// Under /v1/chat/, as in the OpenAPI document of @botpress/api 1.70.2 (the
// embedded openapi.json): users, conversations and participants, messages,
// events, states (user, conversation, integration and bot scopes, expiry by
// the virtual clock), initialize-incoming-message, integrations/configure
// and analytics. Request bodies are checked against the spec (400
// InvalidPayload naming the field); responses carry exactly the fields the
// spec's schemas allow. Errors are {"id","code","type","message"} with the
// Botpress error types; ids are the real prefixes plus a ULID (user_…,
// conv_…, msg_…, evt_…, state_…). Query strings are read as @botpress/client
// writes them: tags.id=42&tags.chatId=9, participantIds=a&participantIds=b.
// Lists are newest first, 20 per page, with meta.nextToken.
//
// Every call must carry x-bot-id (400 without it, 403 for another bot), the
// x-integration-id of the install when it carries one (403 otherwise) and,
// with WithToken, "Authorization: Bearer <token>" (401). A call with
// x-integration-id is the integration's: the messages it creates are
// incoming and wake the scripted bot. A call without it is a bot's: its
// messages are outgoing and are delivered to the integration with
// message_created.
//
// Injected faults (the control API's faults) are looked up per call by route
// name — user.create, user.get-or-create, user.get, user.update,
// user.delete, user.list, conversation.create, conversation.get-or-create,
// conversation.get, conversation.update, conversation.delete,
// conversation.list, participant.list, participant.add, participant.get,
// participant.remove, message.create, message.get-or-create, message.get,
// message.update, message.delete, message.list, message.initialize-incoming,
// event.create, event.get, event.list, event.cancel, state.get, state.set,
// state.patch, state.get-or-set, state.expiry, integration.configure,
// analytics.track — or by operation id (createMessage). A 429 answers
// RateLimited with Retry-After.
//
// # Journal
//
// Every change is recorded (reads are not): Source "platform" with the route
// name as Kind (user.get-or-create, message.create, state.set, …) and the
// raw ids in Text; "platform → integration" for each invocation, "platform
// integration error" when one fails, "platform ← integration" for an
// action's output; "bot reply" for each scripted reply, "bot send" for
// SendMessage, "bot state.set" for a rule's state; "contract violation" for
// each violation (capture, JSON pointer, message). Data holds the
// contracts capture (contracts.User, contracts.Message, …).
//
// # Memory
//
// The platform remembers the last fakes.DefaultHistory (1,000) messages of
// each conversation, the last 1,000 events and action calls, and the first
// MaxViolations contract violations (counting them all), so that a long
// replay's memory stays flat; WithHistory changes the bound. A message or
// event it has forgotten is gone as a deleted one is: fetching it is 404
// ResourceNotFound and get-or-create makes a new one. Users, conversations
// and states are kept.
//
// # Scripted bot
//
// After an incoming message is created, the bot applies the first matching
// BotRule: it writes the rule's state, creates each reply as an outgoing
// message of the bot user in the same conversation and invokes
// message_created for it, in order. It waits until no invocation of the
// integration is in flight (the webhook that created the message has been
// answered), so the journal reads the same on every run, and it counts as
// activity until every reply was delivered. The default rules echo text
// messages (EchoRules).
//
// # Control API
//
// Under fakes.ControlPrefix (/_chatsim/). Bodies are JSON; errors are
// {"error": "…"}; a route called with another method is 405 with Allow.
//
//	GET    /_chatsim/                     {"routes": [fakes.ControlRoute…]}: this list (Server.ControlRoutes)
//	GET    /_chatsim/info                 the install: apiUrl, botId, botUserId, integrationId,
//	                                      integrationAlias, webhookId, webhookUrl, integrationUrl
//	PUT    /_chatsim/integration          {"url": "http://127.0.0.1:8072"}: where the integration listens
//	POST   /_chatsim/settle               ?timeout=10s: waits until nothing is in flight in the
//	                                      World (requests, deliveries, bot replies) → {}; 504 names
//	                                      what is still pending
//	GET    /_chatsim/users                {"users": [contracts.User…]} (the bot user first)
//	GET    /_chatsim/conversations        {"conversations": [contracts.Conversation…]}
//	GET    /_chatsim/messages             {"messages": [contracts.Message…]}; ?conversationId= filters
//	GET    /_chatsim/events               {"events": [contracts.Event…]}
//	GET    /_chatsim/states               {"states": [contracts.StateChange…]} (current values)
//	GET    /_chatsim/actions              {"actions": [contracts.ActionCall…]}
//	GET    /_chatsim/violations           {"violations": [contracts.Violation…]}
//	POST   /_chatsim/bot/messages         {"conversationId","type","payload"}: the bot sends;
//	                                      → {"message": contracts.Message}
//	GET    /_chatsim/bot/rules            {"rules": [BotRule…]}
//	PUT    /_chatsim/bot/rules            [BotRule…] or {"rules": [BotRule…]}; [] silences, null echoes
//	POST   /_chatsim/actions/{name}       the action's input → {"output": …}
//	POST   /_chatsim/register             configuration check, then register → {}
//	POST   /_chatsim/unregister           → {}
//	POST   /_chatsim/ping                 → {}
//	GET    /_chatsim/faults               {"faults": [fakes.Fault…]}
//	POST   /_chatsim/faults               a fakes.Fault: {"op":"message.create","status":429,"retry_after":1,"times":1}
//	DELETE /_chatsim/faults               clears every fault
//
// A failed invocation answers 502 with {"error", "invocation": {operation,
// status, type, message, body}}; an invalid configuration at register 422;
// no integration URL 409.
//
// A BotRule in JSON:
//
//	{"when": {"text": "menu"},
//	 "reply": [{"type": "choice", "payload": {"text": "What would you like?",
//	            "options": [{"label": "Tea", "value": "tea"}, {"label": "Coffee", "value": "coffee"}]}}],
//	 "state": {"scope": "conversation", "name": "order", "payload": {"step": "menu"}}}
//
// when: text (exact, trimmed, case-insensitive), contains, type, event (an
// event type or "*"), any. Reply payload strings may hold {{text}}.
package botpress
