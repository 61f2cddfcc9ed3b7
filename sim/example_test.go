package sim_test

import (
	"context"
	"fmt"
	"log"

	"github.com/chatsim/chatsim/examples/bundled"
	"github.com/chatsim/chatsim/recorder/cassette"
	"github.com/chatsim/chatsim/sim"
)

// Replay a recorded conversation through the bundled Telegram example, in
// process, and read what happened as a person would.
func Example() {
	in, err := bundled.Lookup("examples/telegram")
	if err != nil {
		log.Fatal(err)
	}
	f, err := in.Cassettes.Open("order.cassette")
	if err != nil {
		log.Fatal(err)
	}
	defer f.Close()
	r, err := cassette.NewReader(f, "order.cassette")
	if err != nil {
		log.Fatal(err)
	}
	// The cassette's header carries the install's configuration and the
	// scripted bot's rules.
	opts, err := sim.SetupFromHeader(r.Header(), sim.Options{Integration: in})
	if err != nil {
		log.Fatal(err)
	}
	ctx := context.Background()
	w, err := sim.Start(ctx, opts)
	if err != nil {
		log.Fatal(err)
	}
	defer w.Close()
	res, err := sim.Replay(ctx, w, r, sim.ReplayOptions{})
	if err != nil {
		log.Fatal(err)
	}
	for _, l := range res.Conversation {
		fmt.Println(l)
	}
	fmt.Println(res.Deliveries, "deliveries,", len(res.Violations), "contract violations")
	// Output:
	// ada  ▸ menu
	// bot  ◂ What would you like?  [Tea] [Coffee]
	// ada  ▸ coffee
	// bot  ◂ One coffee coming up.
	// 2 deliveries, 0 contract violations
}
