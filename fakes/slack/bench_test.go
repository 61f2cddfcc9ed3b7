package slack_test

import (
	"testing"

	"github.com/chatsim/chatsim/fakes/slack"
	slackgo "github.com/slack-go/slack"
	"github.com/slack-go/slack/slacktest"
)

func benchPost(b *testing.B, api *slackgo.Client, channel string) {
	b.Helper()
	opts := []slackgo.MsgOption{slackgo.MsgOptionText("What would you like?", false), menuBlocks()}
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		if _, _, err := api.PostMessage(channel, opts...); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkSlackPostMessage posts through slack-go to the fake.
func BenchmarkSlackPostMessage(b *testing.B) {
	srv := slack.New(b)
	benchPost(b, slackgo.New(srv.BotToken(), slackgo.OptionAPIURL(srv.APIURL())), "C0GENERAL")
}

// BenchmarkSlacktestPostMessage makes the same calls against slack-go's own
// slacktest server, the peer fake to beat.
func BenchmarkSlacktestPostMessage(b *testing.B) {
	ts := slacktest.NewTestServer()
	ts.Start()
	b.Cleanup(ts.Stop)
	benchPost(b, slackgo.New("xoxb-test", slackgo.OptionAPIURL(ts.GetAPIURL())), "C0GENERAL")
}
