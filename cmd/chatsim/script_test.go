package main

import (
	"encoding/json"
	"errors"
	"fmt"
	"net"
	"net/http"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"sync"
	"testing"
	"time"

	"github.com/rogpeppe/go-internal/testscript"
)

// TestMain makes this test binary chatsim itself (the real main) and a few
// integrations that misbehave on purpose, for the scripts under
// testdata/script to run as commands.
func TestMain(m *testing.M) {
	testscript.Main(m, map[string]func(){
		"chatsim":         main,
		"die-on-webhook":  dieOnWebhook,
		"die-slowly":      dieSlowly,
		"refuse-webhooks": refuseWebhooks,
		"hang-on-webhook": hangOnWebhook,
		"silent-tcp":      silentTCP,
		"never-ready":     neverReady,
		"accept-webhooks": acceptWebhooks,
		"silent-bot":      silentBot,
	})
}

// TestScripts runs every CLI case of testdata/script: the real main, its
// exit code and its messages, so that none of them can come back.
func TestScripts(t *testing.T) {
	t.Parallel()
	root, err := filepath.Abs("../..")
	if err != nil {
		t.Fatal(err)
	}
	testscript.Run(t, testscript.Params{
		Dir: "testdata/script",
		Setup: func(e *testscript.Env) error {
			e.Setenv("REPO", root)
			return nil
		},
		Cmds: map[string]func(ts *testscript.TestScript, neg bool, args []string){"exits": exits},
	})
}

// exits runs a command and demands its exit code: "exits 2 chatsim replay
// nope.cassette". Its stdout and stderr are then what stdout and stderr
// check, as after exec.
func exits(ts *testscript.TestScript, neg bool, args []string) {
	if neg || len(args) < 2 {
		ts.Fatalf("usage: exits CODE COMMAND [ARGS...]")
	}
	want, err := strconv.Atoi(args[0])
	if err != nil {
		ts.Fatalf("exits: %q is not an exit code", args[0])
	}
	got := 0
	if err := ts.Exec(args[1], args[2:]...); err != nil {
		var ee *exec.ExitError
		if !errors.As(err, &ee) {
			ts.Fatalf("exits: %v", err)
		}
		got = ee.ExitCode()
	}
	if got != want {
		ts.Fatalf("%s exited with code %d, want %d", args[1], got, want)
	}
}

// serveIntegration serves a Botpress-protocol integration on $PORT that
// answers GET /health and every operation but webhook_received with 200
// {}, and hands webhook_received to onWebhook.
func serveIntegration(onWebhook http.HandlerFunc) {
	fmt.Println("listening on", os.Getenv("PORT"))
	if err := http.ListenAndServe("127.0.0.1:"+os.Getenv("PORT"), integrationMux(onWebhook)); err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(3)
	}
}

// integrationMux is serveIntegration's handler.
func integrationMux(onWebhook http.HandlerFunc) *http.ServeMux {
	mux := http.NewServeMux()
	mux.HandleFunc("GET /health", func(w http.ResponseWriter, r *http.Request) { w.WriteHeader(http.StatusOK) })
	mux.HandleFunc("POST /", func(w http.ResponseWriter, r *http.Request) {
		switch r.Header.Get("x-bp-operation") {
		case "webhook_received":
			onWebhook(w, r)
			return
		case "register":
			// As a Telegram integration does: point the bot's webhook at
			// the platform.
			if api := os.Getenv("TELEGRAM_API_URL"); api != "" {
				var in struct {
					WebhookURL string `json:"webhookUrl"`
				}
				_ = json.NewDecoder(r.Body).Decode(&in)
				resp, err := http.PostForm(api+"/bot"+os.Getenv("TELEGRAM_BOT_TOKEN")+"/setWebhook", url.Values{"url": {in.WebhookURL}})
				if err != nil || resp.StatusCode != http.StatusOK {
					http.Error(w, fmt.Sprintf("setWebhook: %v %v", err, resp), http.StatusInternalServerError)
					return
				}
				resp.Body.Close()
			}
		}
		w.Header().Set("Content-Type", "application/json")
		fmt.Fprint(w, "{}")
	})
	return mux
}

// dieOnWebhook exits with the code in its first argument (default 7) on
// its first webhook, after saying so.
func dieOnWebhook() {
	code := 7
	if len(os.Args) > 1 {
		code, _ = strconv.Atoi(os.Args[1])
	}
	serveIntegration(func(w http.ResponseWriter, r *http.Request) {
		fmt.Println("panic: cannot handle this webhook")
		os.Exit(code)
	})
}

// dieSlowly, on its first webhook, stops listening and drops the
// connection, then exits with code 3 half a second later, as a process
// does that shuts down on a fatal error: for that half second the platform
// finds nothing listening, and must still report the exit.
func dieSlowly() {
	ln, err := net.Listen("tcp", "127.0.0.1:"+os.Getenv("PORT"))
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(3)
	}
	var once sync.Once
	mux := integrationMux(func(w http.ResponseWriter, r *http.Request) {
		once.Do(func() {
			ln.Close()
			fmt.Println("fatal: lost the database, shutting down")
			// It dies half a second later, as a process whose
			// shutdown takes a while does.
			time.AfterFunc(500*time.Millisecond, func() { os.Exit(3) })
		})
		if c, _, err := http.NewResponseController(w).Hijack(); err == nil {
			c.Close()
		}
	})
	_ = http.Serve(ln, mux)
	select {} // the listener is closed: wait for the exit
}

// silentBot answers the platform but, unlike a Telegram integration, never
// sets its webhook.
func silentBot() {
	os.Unsetenv("TELEGRAM_API_URL")
	acceptWebhooks()
}

// acceptWebhooks answers every webhook 200.
func acceptWebhooks() {
	serveIntegration(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		fmt.Fprint(w, "{}")
	})
}

// refuseWebhooks answers every webhook 401, as an integration does that
// cannot check a signature.
func refuseWebhooks() {
	serveIntegration(func(w http.ResponseWriter, r *http.Request) {
		http.Error(w, `{"error":"bad signature"}`, http.StatusUnauthorized)
	})
}

// hangOnWebhook never answers a webhook. When HANG_MARK names a file, it
// writes its pid there once it holds one, for a test to know.
func hangOnWebhook() {
	serveIntegration(func(w http.ResponseWriter, r *http.Request) {
		if mark := os.Getenv("HANG_MARK"); mark != "" {
			_ = os.WriteFile(mark+".tmp", []byte(strconv.Itoa(os.Getpid())), 0o644)
			_ = os.Rename(mark+".tmp", mark)
		}
		<-r.Context().Done()
	})
}

// silentTCP listens on $PORT and never says a word: not HTTP. An
// argument, a duration, makes it wait that long before it listens.
func silentTCP() {
	if len(os.Args) > 1 {
		d, err := time.ParseDuration(os.Args[1])
		if err != nil {
			fmt.Fprintln(os.Stderr, err)
			os.Exit(3)
		}
		<-time.After(d) // a program that takes d to start listening
	}
	port := os.Getenv("PORT")
	ln, err := net.Listen("tcp", "127.0.0.1:"+port)
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(3)
	}
	var held []net.Conn
	for {
		c, err := ln.Accept()
		if err != nil {
			return
		}
		held = append(held, c)
	}
}

// neverReady prints a line now and then and never listens.
func neverReady() {
	tick := time.NewTicker(time.Second)
	for {
		fmt.Println("still compiling…")
		<-tick.C
	}
}
