package contracts_test

import (
	"encoding/json"
	"fmt"

	"github.com/chatsim/chatsim/contracts"
)

func ExampleLoadFile() {
	def, err := contracts.LoadFile("testdata/telegram.definition.json")
	if err != nil {
		fmt.Println(err)
		return
	}
	v, err := def.Validator()
	if err != nil {
		fmt.Println(err)
		return
	}
	msg := contracts.Message{
		ID: "msg_01", Channel: "channel", Type: "choice", Direction: "outgoing",
		Payload: json.RawMessage(`{"text":"What would you like?","options":[{"label":"Tea"},{"label":"Coffee","value":"coffee"}]}`),
		Tags:    map[string]string{"id": "2", "thread": "7"},
	}
	for _, viol := range v.CheckMessage("message.create msg_01", msg) {
		fmt.Println(viol)
	}
	// Output:
	// contract violation in message.create msg_01 at /payload/options/0/value: missing property "value"
	// contract violation in message.create msg_01 at /tags/thread: tag key "thread" is not declared for channel "channel" messages (declared: chatId, id)
}
