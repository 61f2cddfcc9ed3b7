package cassette_test

import (
	"bytes"
	"fmt"
	"net/http"
	"os"
	"strings"
	"time"

	"github.com/chatsim/chatsim/recorder/cassette"
)

func Example() {
	// Write a cassette: a header, then one entry per exchange.
	var buf bytes.Buffer
	w, err := cassette.NewWriter(&buf, cassette.Header{Name: "hello", Platform: "telegram"})
	if err != nil {
		panic(err)
	}
	update, err := cassette.JSONBody([]byte(`{"update_id": 1, "message": {"text": "hi"}}`))
	if err != nil {
		panic(err)
	}
	err = w.Write(cassette.Entry{
		At: cassette.Offset(1500 * time.Millisecond), Platform: "telegram", Direction: cassette.Inbound, Kind: "update",
		Request: cassette.Request{
			Method: "POST", URL: "/webhook",
			Headers: http.Header{"Content-Type": {"application/json"}},
			Body:    update,
		},
		Response: &cassette.Response{Status: 200},
	})
	if err != nil {
		panic(err)
	}
	if err := w.Close(); err != nil {
		panic(err)
	}
	os.Stdout.Write(buf.Bytes())

	// Read it back, one entry at a time.
	r, err := cassette.NewReader(&buf, "hello.cassette")
	if err != nil {
		panic(err)
	}
	fmt.Println(r.Header().Name)
	for e, err := range r.All() {
		if err != nil {
			panic(err)
		}
		fmt.Println(e.Location(), e.At, e.Direction, e.Kind, e.Request.Body)
	}
	// Output:
	// {"chatsim_cassette":1,"name":"hello","platform":"telegram"}
	// {"at":"1.5s","platform":"telegram","direction":"inbound","kind":"update","request":{"method":"POST","url":"/webhook","headers":{"Content-Type":["application/json"]},"body":{"update_id":1,"message":{"text":"hi"}}},"response":{"status":200}}
	// hello
	// hello.cassette:2 1.5s inbound update {"update_id":1,"message":{"text":"hi"}}
}

func ExampleNewReader_error() {
	input := `{"chatsim_cassette":1}
{"at":"0s","platform":"telegram","direction":"inbound","request":{"url":"/webhook"}}
`
	r, err := cassette.NewReader(strings.NewReader(input), "demo.cassette")
	if err != nil {
		panic(err)
	}
	_, err = r.Next()
	fmt.Println(err)
	// Output:
	// demo.cassette:2: entry.request.method: required
}
