Feature: Retries, duplicates and failures on Telegram

  Background:
    Given the integration "examples/telegram" with its definition
    And a Telegram private chat with "ada" (Ada Lovelace)
    And the bot answers "menu" with a choice "What would you like?" offering "Tea" and "Coffee"

  Scenario: A duplicate delivery does not make a second message
    When "ada" sends "menu"
    And Telegram delivers the last message from "ada" again
    Then the platform has 1 incoming message
    And the platform has 1 outgoing message
    And the journal has a line containing "message.get-or-create       msg#1  existing"
    And the journal matches the golden file

  Scenario: The platform fails and Telegram delivers again
    Given the platform answers message.get-or-create with 500 once
    When "ada" sends "menu"
    Then the journal has a line containing "(attempt 2 of 4)"
    And the platform has 1 incoming message
    And "ada" sees "What would you like?" with the buttons "Tea" and "Coffee"

  Scenario: The platform is rate limiting
    Given the platform answers message.get-or-create with 429 once
    When "ada" sends "menu"
    Then "ada" sees "What would you like?"
    And the platform has 1 incoming message

  Scenario: Telegram refuses a message
    Given Telegram answers sendMessage with 400 "Bad Request: message is too long" once
    When "ada" sends "menu"
    Then the integration failed message_created with "message is too long"
    And "ada" does not see "What would you like?"

  Scenario: Telegram is healthy again
    Given Telegram answers sendMessage with 500 every time
    And Telegram is healthy again
    When "ada" sends "menu"
    Then "ada" sees "What would you like?"

  Scenario: A slow platform
    Given the platform delays message.get-or-create by 20ms once
    When "ada" sends "menu"
    Then "ada" sees "What would you like?"

  Scenario: A blocked bot cannot write
    When "ada" sends "menu"
    And "ada" blocks the bot
    And the bot sends "Your tea is ready" to the conversation tagged id="1001"
    Then the integration failed message_created with "bot was blocked by the user"
    And "ada" does not see "Your tea is ready"

  Scenario: Rate limited twice in a row
    Given Telegram answers sendMessage with 429 twice
    When "ada" sends "menu"
    Then the integration called sendMessage 3 times
    And "ada" sees "What would you like?"
