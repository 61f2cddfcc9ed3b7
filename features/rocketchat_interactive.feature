Feature: Rich messages in Rocket.Chat

  The bot's choices, dropdowns and date pickers are rich messages with
  blocks; a click or a pick posts a block_actions payload to the
  integration, which answers by replacing the rich message through its
  response_url.

  Background:
    Given the integration "examples/rocketchat" with its definition
    And a Rocket.Chat room "#general" with "ada" (Ada Lovelace) and "grace"
    And the bot answers "menu" with a choice "What would you like?" offering "Tea" and "Coffee"
    And the bot answers "coffee" with "One coffee coming up." and sets the conversation state "order" to {"drink":"coffee"}

  Scenario: A click replaces the rich message
    When "ada" sends "menu"
    Then "grace" sees "What would you like?" with the buttons "Tea" and "Coffee"
    When "ada" clicks "Coffee"
    Then the platform has an incoming text message "coffee"
    And the conversation state "order" is:
      """json
      {"drink": "coffee"}
      """
    And "grace" sees:
      """
      ada  ▸ menu
      bot  ◂ What would you like?  ✓ Coffee chosen by @ada  (edited)
      bot  ◂ One coffee coming up.
      """
    And "grace" sees "What would you like?" edited from "What would you like?"
    And the journal matches the golden file

  Scenario: A menu choice
    Given the bot answers "sizes" with a dropdown "Which size?" offering "Small", "Medium" and "Large"
    And the bot answers "medium" with "Medium it is."
    When "ada" sends "sizes"
    Then "ada" sees "Which size?" with the buttons "Small", "Medium" and "Large"
    When "ada" picks "Medium" from "Which size?"
    Then the platform has an incoming text message "medium"
    And "ada" sees:
      """
      ada  ▸ sizes
      bot  ◂ Which size?  ✓ Medium chosen by @ada  (edited)
      bot  ◂ Medium it is.
      """
    And the journal matches the golden file

  Scenario: A date pick
    Given the bot answers "book" with the message:
      """json
      {"type": "datepicker", "payload": {"text": "When would you like to come?", "initialDate": "2026-01-10", "placeholder": "Pick a day"}}
      """
    And the bot answers "2026-01-15" with "Booked for 2026-01-15."
    When "ada" sends "book"
    Then "ada" sees "When would you like to come?" with the buttons "📅 2026-01-10"
    When "ada" picks the date "2026-01-15" on "When would you like to come?"
    Then the platform has an incoming text message "2026-01-15"
    And the last message "ada" sees is "Booked for 2026-01-15."
    And "ada" does not see "When would you like to come?  ✓ 2026-01-15 chosen by @ada"
    And the journal matches the golden file

  Scenario: An expired response_url
    Given Rocket.Chat response URLs expire after 0s
    When "ada" sends "menu"
    And "ada" clicks "Coffee"
    Then the journal has a line containing "response_url → 400 response_url expired"
    And the integration refused 1 delivery with 400
    And the platform has an incoming text message "coffee"
    And "grace" sees "What would you like?" with the buttons "Tea" and "Coffee"
    And "grace" sees "One coffee coming up."
    And the journal matches the golden file

  Scenario: A button nobody offers
    When "ada" sends "menu"
    Then "ada" sees "What would you like?" with the buttons "Tea" and "Coffee"
    And "ada" does not see "Cocoa"

  Scenario: The bundled button cassette replays onto the live message
    When the cassette "button.cassette" is replayed
    Then "grace" sees:
      """
      ada  ▸ menu
      bot  ◂ What would you like?  ✓ Coffee chosen by @ada  (edited)
      bot  ◂ One coffee coming up.
      """
    And the platform has a user tagged username="ada" named "Ada Lovelace"

  Scenario: A choice without values breaks the contract
    Given the bot answers "broken" with the message:
      """json
      {"type": "choice", "payload": {"text": "Pick one", "options": [{"label": "Tea"}]}}
      """
    When "ada" sends "broken"
    Then the contract is violated in "bot.reply" at "/payload/options/0/value" with "missing property"
    And the journal matches the golden file
