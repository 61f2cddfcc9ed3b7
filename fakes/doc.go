// Package fakes holds what every chatsim fake shares: a loopback server base
// shaped like net/http/httptest, a virtual clock, the journal of observations,
// an activity tracker that tells when every call in flight has finished, fault
// injection and the control-API plumbing.
//
// A fake built on it looks like this:
//
//	journal := fakes.NewJournal()
//	activity := fakes.NewActivity()
//	srv, err := fakes.Listen("", fakes.Track(activity, "telegram", handler))
//	if err != nil { … }
//	defer srv.Close()
//	// … drive srv.URL …
//	err = activity.Wait(ctx) // every request in flight has finished
//
// It also holds the platform contract every chat platform's package
// implements: a Kind (its names, how to start its fake on a World's Wiring,
// its own steps, where its secrets travel) and a Platform (the running fake:
// env, service description, webhook target, Replay of a recorded delivery,
// and People, how a person acts on it and what they see, in the
// platform-neutral Action and Shown vocabulary). Package sim lists the
// kinds in its registry; nothing else names a platform:
//
//	func Kind() fakes.Kind {
//		return fakes.Kind{Name: "telegram", Title: "Telegram", Start: start, Steps: steps}
//	}
//
// Nothing here holds package-level mutable state: two Worlds in one process
// never share anything.
package fakes
