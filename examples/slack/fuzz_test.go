package slack

import (
	"errors"
	"net/http"
	"strconv"
	"testing"
	"time"

	fakeslack "github.com/chatsim/chatsim/fakes/slack"
	slackgo "github.com/slack-go/slack"
)

// FuzzVerifySignature checks the integration's v0 signature check against
// the fake's signer and against slack-go's verifier, the one most Go apps
// use. A request the fake signs now must pass; within five minutes of now
// the integration must accept exactly what slack-go accepts; a changed
// body never passes; and every refusal is one of the three sentinels.
func FuzzVerifySignature(f *testing.F) {
	// A slash command as Slack signs it, and the kinds of headers an
	// attacker or a replay sends.
	body := "token=gIkuvaNzQIHg97ATvDxqgjtO&team_id=T0001&team_domain=example&channel_id=C2147483705&channel_name=test&user_id=U2147483697&user_name=Steve&command=%2Fweather&text=94070&response_url=https%3A%2F%2Fhooks.slack.com%2Fcommands%2F1234%2F5678&trigger_id=13345224609.738474920.8088930838d88f008e0"
	f.Add("8f742231b10e8888abcd99yyyzzz85a5", body, int16(0), "", true, "")
	f.Add("8f742231b10e8888abcd99yyyzzz85a5", body, int16(-298), "+", true, "")
	f.Add("8f742231b10e8888abcd99yyyzzz85a5", body, int16(-301), "", true, "")
	f.Add("secret", `{"type":"url_verification","challenge":"3eZbrw1aBm2rZgRNFdxV2595E9CY3gmdALWMmHkvFXO7tYXAYM8P"}`, int16(120), "0", false,
		"v0=a2114d57b48eac39b9ad189dd8316235a7b4a8d21a10bd27519666489c69b503")
	f.Add("secret", "", int16(0), "", false, "v0=")
	f.Add("secret", "x", int16(0), "", false, "v1=00")
	f.Add("secret", "x", int16(0), "", false, "V0=ZZ")
	f.Fuzz(func(t *testing.T, secret, body string, offset int16, prefix string, signed bool, sig string) {
		now := time.Now()
		ts := prefix + strconv.FormatInt(now.Unix()+int64(offset), 10)
		if signed {
			sig = fakeslack.Sign(secret, ts, []byte(body))
		}
		headers := map[string]string{"x-slack-request-timestamp": ts, "x-slack-signature": sig}
		err := verifySignature(headers, body, secret, now)
		if err != nil && !errors.Is(err, ErrUnsigned) && !errors.Is(err, ErrBadSignature) && !errors.Is(err, ErrStale) {
			t.Fatalf("refusal %v is none of ErrUnsigned, ErrBadSignature, ErrStale", err)
		}
		secs, tsErr := strconv.ParseInt(ts, 10, 64)
		age := now.Unix() - secs
		fresh := tsErr == nil && age >= -298 && age <= 298 // clear of the edge: slack-go reads its own clock
		if signed && fresh && err != nil {
			t.Fatalf("a request the fake signed now is refused: %v", err)
		}
		if err == nil && verifySignature(headers, body+"x", secret, now) == nil {
			t.Fatal("a changed body passes")
		}
		if secret == "" || !fresh {
			return // slack-go refuses an empty secret, and the two treat old and future timestamps differently
		}
		h := http.Header{}
		h.Set("X-Slack-Request-Timestamp", ts)
		h.Set("X-Slack-Signature", sig)
		sgErr := func() error {
			v, err := slackgo.NewSecretsVerifier(h, secret)
			if err != nil {
				return err
			}
			if _, err := v.Write([]byte(body)); err != nil {
				return err
			}
			return v.Ensure()
		}()
		if (err == nil) != (sgErr == nil) {
			t.Fatalf("the integration says %v, slack-go says %v", err, sgErr)
		}
	})
}
