package telegram_test

import (
	"bytes"
	"errors"
	"mime/multipart"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/chatsim/chatsim/fakes"
	"github.com/chatsim/chatsim/fakes/telegram"
)

func TestWire(t *testing.T) {
	t.Parallel()
	w := telegram.Kind().Wire
	for path, want := range map[string]string{
		"/bot123:abc/sendMessage": "sendMessage", "/bot123:abc/getUpdates": "getUpdates",
		"/file/bot123:abc/photos/file_1.jpg": "file", "/bot123:abc": "", "/other": "",
	} {
		if got := w.Call("POST", path, nil); got != want {
			t.Errorf("Call(%s) = %q, want %q", path, got, want)
		}
	}

	var mp bytes.Buffer
	mw := multipart.NewWriter(&mp)
	_ = mw.WriteField("url", "http://127.0.0.1:9/hook")
	fw, _ := mw.CreateFormFile("certificate", "cert.pem")
	fw.Write([]byte("-----BEGIN CERTIFICATE-----"))
	mw.Close()
	const in = "http://127.0.0.1:7000/telegram"
	for _, tc := range []struct {
		name, target, ct string
		body             []byte
		wantBody         string // a part of the new body, or of the new target
	}{
		{"json", "/botT/setWebhook", "application/json", []byte(`{"url":"http://127.0.0.1:9/hook","secret_token":"s3cr3t-token"}`), `"url":"http://127.0.0.1:7000/telegram"`},
		{"form", "/botT/setWebhook", "application/x-www-form-urlencoded", []byte("url=http%3A%2F%2F127.0.0.1%3A9%2Fhook&max_connections=5"), "url=http%3A%2F%2F127.0.0.1%3A7000%2Ftelegram"},
		{"query", "/botT/setWebhook?url=http%3A%2F%2F127.0.0.1%3A9%2Fhook", "", nil, "url=http%3A%2F%2F127.0.0.1%3A7000%2Ftelegram"},
		{"multipart", "/botT/setWebhook", mw.FormDataContentType(), mp.Bytes(), "http://127.0.0.1:7000/telegram"},
	} {
		target, body, asked, ok := w.Register("POST", tc.target, http.Header{"Content-Type": {tc.ct}}, tc.body, in)
		if !ok || asked != "http://127.0.0.1:9/hook" || !strings.Contains(target+string(body), tc.wantBody) || strings.Contains(target+string(body), "127.0.0.1:9/") {
			t.Errorf("%s: Register = %q %q %q %v", tc.name, target, body, asked, ok)
		}
		if tc.name == "multipart" && !bytes.Contains(body, []byte("BEGIN CERTIFICATE")) {
			t.Errorf("multipart: the certificate part was lost: %q", body)
		}
	}
	if _, _, _, ok := w.Register("POST", "/botT/sendMessage", nil, []byte(`{"url":"x"}`), in); ok {
		t.Error("sendMessage taken for setWebhook")
	}

	kind, ups := w.Pulled("POST", "/botT/getUpdates", 200, []byte(`{"ok":true,"result":[{"update_id":1},{"update_id":2}]}`))
	if kind != "update" || len(ups) != 2 || string(ups[1]) != `{"update_id":2}` {
		t.Errorf("Pulled = %q %q", kind, ups)
	}
	if _, ups := w.Pulled("POST", "/botT/sendMessage", 200, []byte(`{"ok":true,"result":[{"update_id":1}]}`)); ups != nil {
		t.Errorf("a sendMessage answer carried updates: %q", ups)
	}

	now := time.Now()
	secrets := map[string]string{"TELEGRAM_WEBHOOK_SECRET": "s3cr3t-token"}
	if err := w.Verify(http.Header{"X-Telegram-Bot-Api-Secret-Token": {"s3cr3t-token"}}, nil, secrets, now); err != nil {
		t.Errorf("the right token: %v", err)
	}
	if err := w.Verify(http.Header{"X-Telegram-Bot-Api-Secret-Token": {"forged"}}, nil, secrets, now); !errors.Is(err, telegram.ErrBadSecret) {
		t.Errorf("a forged token: %v", err)
	}
	if err := w.Verify(http.Header{}, nil, nil, now); !errors.Is(err, fakes.ErrUnverified) {
		t.Errorf("no token at all: %v", err)
	}
}
