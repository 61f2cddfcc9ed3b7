Feature: Messages between people and the bot on Telegram

  Background:
    Given the integration "examples/telegram" with its definition
    And a Telegram private chat with "ada" (Ada Lovelace)

  Scenario: With no rules the bot echoes
    When "ada" sends "hello"
    Then the last message "ada" sees is "hello"
    And the platform has an outgoing text message "hello" in a conversation tagged id="1001"
    And the platform has 1 user
    And the platform has 1 conversation

  Scenario Outline: The echo keeps the words
    When "ada" sends "<words>"
    Then the platform has an outgoing text message "<words>"

    Examples:
      | words             |
      | tea               |
      | two coffees       |
      | ça va très bien ☕ |

  Scenario: A message on several lines
    Given the bot answers anything with "got it"
    When "ada" sends:
      """
      first line
      second line
      """
    Then the platform has an incoming text message tagged id="1" with the payload:
      """json
      {"text": "first line\nsecond line"}
      """

  Scenario: A photo with a caption
    Given the bot answers anything with "nice picture"
    When "ada" sends a photo with the caption "my cat"
    Then "ada" sees "my cat"
    And the journal has a line containing "incoming image"
    And the integration called getFile once
    And "ada" sees "nice picture"

  Scenario: Ada edits her message
    Given the bot stays silent
    When "ada" sends "menu"
    And "ada" edits "menu" to "menu please"
    Then "ada" sees "menu please" edited from "menu"
    And the platform has an incoming text message "menu please"
    And the platform has no incoming message "menu"
    And the platform has 1 incoming message

  Scenario: Ada replies to the bot's question
    Given the bot answers "menu" with a choice "What would you like?" offering "Tea" and "Coffee"
    And the bot answers "Tea please" with "Tea it is."
    When "ada" sends "menu"
    And "ada" replies "Tea please" to "What would you like?"
    Then "ada" sees "Tea it is."

  Scenario: A slash command with arguments
    Given the bot answers "/start promo" with "Welcome! Your promo code is active."
    When "ada" runs the command "/start promo"
    Then the platform has an incoming text message "/start promo"
    And "ada" sees "Welcome! Your promo code is active."

  Scenario: A reaction stays in the chat
    Given the bot answers "menu" with "Here is the menu."
    When "ada" sends "menu"
    And "ada" reacts "👍" to "Here is the menu."
    Then "ada" sees the reaction "👍" on "Here is the menu."
    And the platform has 1 incoming message
    And the journal has no line containing "message_reaction"

  Scenario: The bot answers words it finds
    Given the bot answers messages containing "help" with "How can I help?"
    When "ada" sends "I need HELP now"
    Then "ada" sees "How can I help?"

  Scenario: The bot repeats what it heard
    Given the bot answers anything with "You said: {{text}}"
    When "ada" sends "tea"
    Then "ada" sees "You said: tea"

  Scenario: A silent bot
    Given the bot stays silent
    When "ada" sends "hello"
    Then the platform has 0 outgoing messages
    And "ada" does not see "Hello"
    And the integration called sendMessage never

  Scenario: Rules written as JSON
    Given the bot rules are:
      """json
      [{"when": {"text": "hours"}, "reply": [{"type": "text", "payload": {"text": "We open at 8."}}, {"type": "text", "payload": {"text": "We close at 18."}}]}]
      """
    When "ada" sends "hours"
    Then "ada" sees:
      """
      ada  ▸ hours
      bot  ◂ We open at 8.
      bot  ◂ We close at 18.
      """

  Scenario: A card with buttons
    Given the bot answers "specials" with a card "Espresso" with the buttons "Order" and "Details"
    And the bot answers "order" with "One espresso."
    When "ada" sends "specials"
    Then "ada" sees "Espresso" with the buttons "Order" and "Details"
    When "ada" presses "Order"
    Then "ada" sees "One espresso."

  Scenario: A dropdown menu
    Given the bot answers "size" with a dropdown "Which size?" offering "Small", "Medium" and "Large"
    When "ada" sends "size"
    Then "ada" sees "Which size?" with the buttons "Small", "Medium" and "Large"
    When "ada" picks "Large" from "Which size?"
    Then the platform has an incoming text message "large"
    And the conversation state "selection" includes:
      """json
      {"label": "Large", "value": "large"}
      """

  Scenario: An image from the bot
    Given the bot answers "photo" with the message:
      """json
      {"type": "image", "payload": {"imageUrl": "https://example.com/cat.png", "caption": "A cat"}}
      """
    When "ada" sends "photo"
    Then the integration called sendPhoto once
    And "ada" sees "A cat"
