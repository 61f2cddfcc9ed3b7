package slack

import (
	"strings"
	"testing"
)

// TestWithBlockIDs pins how blocks are checked and given Slack's block_ids:
// bytes kept, ids spliced in front, and Slack's two error codes.
func TestWithBlockIDs(t *testing.T) {
	t.Parallel()
	tests := []struct{ in, out, err string }{
		{in: `[]`},
		{in: ` [ ] `},
		{in: `[{"type":"section","text":{"type":"mrkdwn","text":"a"}}, {"type":"divider"} ]`,
			out: `[{"block_id":"dMmiy","type":"section","text":{"type":"mrkdwn","text":"a"}},{"block_id":"s5r2o","type":"divider"}]`},
		{in: `[{"type":"divider","block_id":"x"}]`, out: `[{"type":"divider","block_id":"x"}]`},
		{in: `[{"type":"a"}  ,  { "type":"b" }]`, out: `[{"block_id":"KWpgL","type":"a"},{"block_id":"vDksM", "type":"b" }]`},
		{in: `[{"type":"divider"}, {}]`, err: "invalid_blocks [ERROR] missing required field: type [json-pointer:/blocks/1]"},
		{in: `["x"]`, err: "invalid_blocks [ERROR] missing required field: type [json-pointer:/blocks/0]"},
		{in: `[{"type":5}]`, err: "invalid_blocks [ERROR] missing required field: type [json-pointer:/blocks/0]"},
		{in: `[null]`, err: "invalid_blocks [ERROR] missing required field: type [json-pointer:/blocks/0]"},
		{in: `[{},"x",]`, err: "invalid_blocks_format [ERROR] must provide an array of blocks"},
		{in: `{"type":"a"}`, err: "invalid_blocks_format [ERROR] must provide an array of blocks"},
		{in: `[{"type":"a"}] x`, err: "invalid_blocks_format [ERROR] must provide an array of blocks"},
		{in: `[{"type":"a"}`, err: "invalid_blocks_format [ERROR] must provide an array of blocks"},
		// Found by fuzzing: a null block_id was kept beside the one
		// spliced in, a number read as a missing type, and field names
		// matched without regard to case.
		{in: `[{"type":"divider"},{"type":"a","block_id":null}]`, err: "invalid_blocks [ERROR] must be a string [json-pointer:/blocks/1/block_id]"},
		{in: `[{"type":"a","block_id":7}]`, err: "invalid_blocks [ERROR] must be a string [json-pointer:/blocks/0/block_id]"},
		{in: `[{"type":"a","block_id":""}]`, err: "invalid_blocks [ERROR] must be more than 0 characters [json-pointer:/blocks/0/block_id]"},
		{in: `[{"type":"a","block_id":"` + strings.Repeat("é", 256) + `"}]`, err: "invalid_blocks [ERROR] must be less than 256 characters [json-pointer:/blocks/0/block_id]"},
		{in: `[{"tYpe":"a"}]`, err: "invalid_blocks [ERROR] missing required field: type [json-pointer:/blocks/0]"},
		{in: `[{"type":"a","Block_ID":"x"}]`, out: `[{"block_id":"xQygP","type":"a","Block_ID":"x"}]`},
		{in: "[" + strings.Repeat(`{"type":"divider","block_id":"d"},`, 50) + `{"type":"divider","block_id":"d"}]`, err: "invalid_blocks [ERROR] no more than 50 items allowed [json-pointer:/blocks]"},
	}
	for _, tt := range tests {
		out, e := withBlockIDs([]byte(tt.in))
		got := ""
		if e != nil {
			got = e.code
			for _, d := range e.detail {
				got += " " + d
			}
		}
		if string(out) != tt.out || got != tt.err {
			t.Errorf("withBlockIDs(%s) = %s, %q; want %s, %q", tt.in, out, got, tt.out, tt.err)
		}
	}
}
