package main

import (
	"bufio"
	"context"
	"encoding/json"
	"io"
	"net/http"
	"strconv"
	"strings"
	"testing"
	"time"

	tgbotapi "github.com/go-telegram-bot-api/telegram-bot-api/v5"

	"github.com/chatsim/chatsim/fakes"
)

// TestServeJSON starts `chatsim serve --json --integration examples/telegram`,
// reads the one JSON line it prints, drives the services it names with real
// clients, and stops it by cancelling, as Ctrl-C does.
func TestServeJSON(t *testing.T) {
	t.Parallel()
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	pr, pw := io.Pipe()
	var stderr strings.Builder
	done := make(chan int, 1)
	go func() {
		code := run(ctx, []string{"serve", "--json", "--integration", "examples/telegram"}, strings.NewReader(""), pw, &stderr)
		pw.Close()
		done <- code
	}()
	line, err := bufio.NewReader(pr).ReadString('\n')
	if err != nil {
		t.Fatalf("read serve output: %v (stderr: %s)", err, stderr.String())
	}
	go io.Copy(io.Discard, pr)
	var info map[string]map[string]any
	if err := json.Unmarshal([]byte(line), &info); err != nil {
		t.Fatalf("serve --json printed %q: %v", line, err)
	}
	for _, svc := range []string{"platform", "telegram", "integration"} {
		if u, _ := info[svc]["url"].(string); !strings.HasPrefix(u, "http://127.0.0.1:") {
			t.Errorf("%s.url = %v, want a loopback URL", svc, info[svc]["url"])
		}
	}
	tg := info["telegram"]
	if tg["webhookUrl"] != info["platform"]["webhookUrl"] || tg["webhookSecret"] == "" {
		t.Errorf("the integration did not register its webhook: telegram = %v, platform webhookUrl = %v", tg, info["platform"]["webhookUrl"])
	}

	// A Telegram client pointed at the fake works with the printed token.
	bot, err := tgbotapi.NewBotAPIWithAPIEndpoint(tg["botToken"].(string), tg["url"].(string)+"/bot%s/%s")
	if err != nil {
		t.Fatalf("tgbotapi against telegram.url: %v", err)
	}
	if bot.Self.UserName != tg["botUsername"] {
		t.Errorf("getMe username = %q, want %v", bot.Self.UserName, tg["botUsername"])
	}

	// The control API acts as a user; the bundled integration and the echo
	// bot answer through the platform.
	var resp *http.Response
	for _, c := range []struct{ path, body string }{
		{"users", `{"id":1001,"first_name":"Ada","last_name":"Lovelace","username":"ada"}`},
		{"chats/1001/messages", `{"from":1001,"text":"hello"}`},
	} {
		resp, err = http.Post(tg["control"].(string)+c.path, "application/json", strings.NewReader(c.body))
		if err != nil {
			t.Fatal(err)
		}
		b, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		if resp.StatusCode/100 != 2 {
			t.Fatalf("control %s: %s %s", c.path, resp.Status, b)
		}
	}
	// Wait for the step to end the way a script would: settle.
	resp, err = http.Post(info["platform"]["control"].(string)+"settle?timeout=5s", "application/json", nil)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("settle: %s", resp.Status)
	}
	resp, err = http.Get(info["platform"]["control"].(string) + "messages")
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if !strings.Contains(string(body), `"outgoing"`) || !strings.Contains(string(body), "hello") {
		t.Fatalf("after settle, the bot's echo is missing; platform messages: %s", body)
	}

	// serve runs on the wall clock: the messages are dated now, not at
	// the virtual clock's 2026-01-01 epoch.
	resp, err = http.Get(tg["control"].(string) + "chats/1001")
	if err != nil {
		t.Fatal(err)
	}
	var chat struct {
		Messages []struct {
			Message struct {
				Date int64 `json:"date"`
			} `json:"message"`
		} `json:"messages"`
	}
	err = json.NewDecoder(resp.Body).Decode(&chat)
	resp.Body.Close()
	if err != nil || len(chat.Messages) == 0 {
		t.Fatalf("telegram chat 1001: %v, %d messages", err, len(chat.Messages))
	}
	for _, m := range chat.Messages {
		if d := time.Since(time.Unix(m.Message.Date, 0)); d < -time.Minute || d > time.Minute {
			t.Errorf("a message is dated %s, want within a minute of now", time.Unix(m.Message.Date, 0).UTC())
		}
	}

	cancel()
	select {
	case code := <-done:
		if code != exitOK {
			t.Errorf("serve exited %d after interrupt, want 0 (stderr: %s)", code, stderr.String())
		}
	case <-time.After(10 * time.Second):
		t.Fatal("serve did not stop after its context was cancelled")
	}
}

// TestServeShopifyBucketDrains: under serve the World runs on the wall
// clock, so Shopify's leaky bucket (40 calls, draining 2 a second) drains
// as time passes. A client that fills it gets 429 with Retry-After, and
// once it has waited that long on the wall clock, 200 again; on a clock
// that never moves it would stay at 429.
func TestServeShopifyBucketDrains(t *testing.T) {
	t.Parallel()
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	pr, pw := io.Pipe()
	var stderr strings.Builder
	done := make(chan int, 1)
	go func() {
		code := run(ctx, []string{"serve", "--json", "--platforms", "shopify"}, strings.NewReader(""), pw, &stderr)
		pw.Close()
		done <- code
	}()
	defer func() {
		cancel()
		select {
		case <-done:
		case <-time.After(30 * time.Second):
			t.Error("serve did not stop within 30s of its context's end")
		}
	}()
	line, err := bufio.NewReader(pr).ReadString('\n')
	if err != nil {
		t.Fatalf("read serve output: %v (stderr: %s)", err, stderr.String())
	}
	go io.Copy(io.Discard, pr)
	var info map[string]map[string]any
	if err := json.Unmarshal([]byte(line), &info); err != nil {
		t.Fatalf("serve --json printed %q: %v", line, err)
	}
	shop := info["shopify"]
	get := func() *http.Response {
		t.Helper()
		req, err := http.NewRequest(http.MethodGet, shop["adminApiUrl"].(string)+"/shop.json", nil)
		if err != nil {
			t.Fatal(err)
		}
		req.Header.Set("X-Shopify-Access-Token", shop["accessToken"].(string))
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		io.Copy(io.Discard, resp.Body)
		resp.Body.Close()
		return resp
	}

	// Fill the bucket: the wall clock drains it while the calls are made,
	// so it takes 40 calls or a few more.
	var throttled *http.Response
	for i := 0; i < 200 && throttled == nil; i++ {
		if resp := get(); resp.StatusCode == http.StatusTooManyRequests {
			throttled = resp
		} else if resp.StatusCode != http.StatusOK {
			t.Fatalf("call %d: %s, want 200 until the bucket is full", i+1, resp.Status)
		}
	}
	if throttled == nil {
		t.Fatal("200 calls and no 429: the bucket never filled")
	}
	if got := throttled.Header.Get("X-Shopify-Shop-Api-Call-Limit"); got != "40/40" {
		t.Errorf("the 429 says X-Shopify-Shop-Api-Call-Limit %q, want 40/40", got)
	}
	wait, err := strconv.ParseFloat(throttled.Header.Get("Retry-After"), 64)
	if err != nil || wait <= 0 || wait > 10 {
		t.Fatalf("the 429's Retry-After is %q, want a few seconds", throttled.Header.Get("Retry-After"))
	}

	// Wait it out on the wall clock, as an app does, and call again.
	wctx, wcancel := context.WithTimeout(ctx, 20*time.Second)
	defer wcancel()
	if err := (fakes.RealClock{}).Sleep(wctx, time.Duration(wait*float64(time.Second))); err != nil {
		t.Fatal(err)
	}
	if resp := get(); resp.StatusCode != http.StatusOK {
		t.Fatalf("after waiting out Retry-After %.1fs: %s (X-Shopify-Shop-Api-Call-Limit %s), want 200: the bucket does not drain in wall time",
			wait, resp.Status, resp.Header.Get("X-Shopify-Shop-Api-Call-Limit"))
	}
}
