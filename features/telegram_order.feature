Feature: Ordering through the Telegram bot

  Background:
    Given the integration "examples/telegram" with its definition
    And a Telegram private chat with "ada" (Ada Lovelace)
    And the bot answers "menu" with a choice "What would you like?" offering "Tea" and "Coffee"
    And the bot answers "coffee" with "One coffee coming up." and sets the conversation state "order" to {"drink":"coffee"}

  Scenario: Ada picks from the menu
    When "ada" sends "menu"
    Then the platform has a user tagged id="1001" named "Ada Lovelace"
    And the platform has an incoming text message "menu" in a conversation tagged id="1001"
    And "ada" sees "What would you like?" with the buttons "Tea" and "Coffee"
    When "ada" taps "Coffee"
    Then the platform has an incoming text message "coffee"
    And the conversation state "order" is:
      """json
      {"drink": "coffee"}
      """
    And "ada" sees "One coffee coming up."
    And the journal matches the golden file

  Scenario: Telegram is rate limiting
    Given Telegram answers sendMessage with 429 and retry_after 1 once
    When "ada" sends "menu"
    Then "ada" sees "What would you like?" with the buttons "Tea" and "Coffee"
    And the integration called sendMessage 2 times
    And the journal has a line containing "inline_keyboard[[Tea][Coffee]] → 429 Too Many Requests: retry after 1"

  Scenario: The tapped button is remembered in the selection state
    When "ada" sends "menu"
    And "ada" taps "Tea"
    Then the conversation state "selection" is:
      """json
      {"label": "Tea", "messageId": "2", "value": "tea"}
      """
    And the platform has an incoming text message "tea"
    And the conversation state "order" is not set

  Scenario: Ada changes her mind
    When "ada" sends "menu"
    And "ada" taps "Tea"
    And "ada" taps "Coffee"
    Then the conversation state "selection" includes:
      """json
      {"value": "coffee"}
      """
    And the platform has 3 incoming messages
    And the last message "ada" sees is "One coffee coming up."

  Scenario: The whole conversation as Ada sees it
    When "ada" sends "menu"
    And "ada" clicks "Coffee" on "What would you like?"
    Then "ada" sees:
      """
      ada  ▸ menu
      bot  ◂ What would you like?  [Tea] [Coffee]
      bot  ◂ One coffee coming up.
      """
    And the integration called answerCallbackQuery once
