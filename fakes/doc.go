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
// Nothing here holds package-level mutable state: two Worlds in one process
// never share anything.
package fakes
