// Package sim wires a World together: a virtual clock, the journal, the
// fakes of the chat platforms, the Botpress-compatible mock platform and the
// integration under test, launched in process, as a child process or at a
// URL. It replays cassettes through the World and renders the journal for
// golden files, with ids aliased in order of appearance and virtual time,
// byte-identical on every run.
//
//	w, err := sim.Start(ctx, sim.Options{Integration: sim.Integration{
//		Launcher:      sim.Exec("node", "dist/index.js"),
//		Definition:    def,
//		Configuration: json.RawMessage(`{"botToken":"${TELEGRAM_BOT_TOKEN}"}`),
//		Platforms:     []string{"telegram"},
//	}})
//	if err != nil { … }
//	defer w.Close()
//	res, err := sim.Replay(ctx, w, reader, sim.ReplayOptions{})
//	fmt.Print(res.Journal)
//
// The chat platforms a World can simulate are those of Registry, one line
// each; an integration spec ("exec:…", "url:…", a catalog name) becomes an
// Integration with ParseSpec.
//
// A step (one delivery) ends when the integration has answered and every
// call it started has finished — the fakes count the work in flight — never
// after a fixed sleep.
package sim
