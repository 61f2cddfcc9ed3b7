// Package recorder records live traffic between a chat platform and an
// integration into a cassette (package cassette): the deliveries the
// platform sends (a reverse proxy in front of the integration), the calls
// the integration makes (a proxy in front of the platform's API) and what
// pull transports carry, in one time order. Secrets never reach the file:
// a Redactor replaces each with a stable placeholder, ${NAME}, that a
// replayer fills in with its own values.
//
//	red, err := recorder.NewRedactor(telegram.Kind().Carriers, recorder.Rules{})
//	if err != nil { … }
//	red.Redact(&entry, fakes.Calls) // the bot token in /bot<token>/ becomes ${TELEGRAM_BOT_TOKEN}
package recorder
