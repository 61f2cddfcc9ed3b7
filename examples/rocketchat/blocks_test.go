package rocketchat

import (
	"encoding/json"
	"fmt"
	"strings"
	"testing"
)

func TestMarkChosen(t *testing.T) {
	t.Parallel()
	const ctx = `{"block_id":"chosen","elements":[{"type":"mrkdwn","text":"✓ Tea chosen by @ada"}],"type":"context"}`
	tests := []struct {
		name   string
		blocks string
		want   string
	}{
		{
			name:   "actions replaced in place",
			blocks: `[{"type":"section","block_id":"text","text":{"type":"mrkdwn","text":"Q"}},{"type":"actions","block_id":"actions","elements":[]},{"type":"divider","block_id":"d"}]`,
			want:   `[{"block_id":"text","text":{"type":"mrkdwn","text":"Q"},"type":"section"},` + ctx + `,{"block_id":"d","type":"divider"}]`,
		},
		{
			name:   "image accessory kept",
			blocks: `[{"type":"section","block_id":"text","accessory":{"type":"image","image_url":"u","alt_text":"a"}},{"type":"actions","block_id":"actions","elements":[]}]`,
			want:   `[{"accessory":{"type":"image","image_url":"u","alt_text":"a"},"block_id":"text","type":"section"},` + ctx + `]`,
		},
		{
			name:   "interactive accessory removed, context at the end",
			blocks: `[{"type":"section","block_id":"s","accessory":{"type":"overflow","action_id":"o"},"fields":[{"type":"plain_text","text":"kept"}]}]`,
			want:   `[{"block_id":"s","fields":[{"type":"plain_text","text":"kept"}],"type":"section"},` + ctx + `]`,
		},
		{
			name:   "second actions block dropped",
			blocks: `[{"type":"actions","block_id":"a1","elements":[]},{"type":"actions","block_id":"a2","elements":[]}]`,
			want:   `[` + ctx + `]`,
		},
		{
			name:   "no blocks",
			blocks: `[]`,
			want:   `[` + ctx + `]`,
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			var in []map[string]json.RawMessage
			if err := json.Unmarshal([]byte(tt.blocks), &in); err != nil {
				t.Fatal(err)
			}
			got, err := json.Marshal(markChosen(in, "Tea", "ada"))
			if err != nil {
				t.Fatal(err)
			}
			if string(got) != tt.want {
				t.Errorf("got  %s\nwant %s", got, tt.want)
			}
		})
	}
}

func TestRenderBlocksLimits(t *testing.T) {
	t.Parallel()
	opts := func(n int, value string) string {
		var os []string
		for i := range n {
			os = append(os, fmt.Sprintf(`{"label":"o%d","value":%q}`, i, value))
		}
		return "[" + strings.Join(os, ",") + "]"
	}
	tests := []struct {
		name, typ, payload, wantErr string
	}{
		{"26 buttons", "choice", `{"text":"Q","options":` + opts(26, "v") + `}`, "26 options, an actions block holds 25 buttons"},
		{"25 buttons", "choice", `{"text":"Q","options":` + opts(25, "v") + `}`, ""},
		{"button value over 2000", "choice", `{"text":"Q","options":` + opts(1, strings.Repeat("v", 2001)) + `}`, "value is 2001 characters"},
		{"empty dropdown", "dropdown", `{"text":"Q","options":[]}`, "0 options, a static_select holds 1 to 100"},
		{"101 options", "dropdown", `{"text":"Q","options":` + opts(101, "v") + `}`, "101 options"},
		{"option value over 150", "dropdown", `{"text":"Q","options":` + opts(1, strings.Repeat("v", 151)) + `}`, "value is 151 characters, Block Kit holds at most 150"},
		{"bad initial date", "datepicker", `{"text":"Q","initialDate":"15/01/2026"}`, `initialDate "15/01/2026": want YYYY-MM-DD`},
		{"not JSON", "card", `[]`, "decode card payload"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			_, _, err := renderBlocks(tt.typ, json.RawMessage(tt.payload))
			switch {
			case tt.wantErr == "" && err != nil:
				t.Errorf("renderBlocks: %v", err)
			case tt.wantErr != "" && (err == nil || !strings.Contains(err.Error(), tt.wantErr)):
				t.Errorf("renderBlocks error = %v, want one containing %q", err, tt.wantErr)
			}
		})
	}
}
