Feature: Retries, duplicates, signatures and rate limits on Slack

  Background:
    Given the integration "examples/slack" with its definition
    And a Slack workspace with "ada" (Ada Lovelace) and "grace" in "#general"
    And the bot answers "hello" with "Hello Ada! Ask me for the menu."

  Scenario: A retry is not processed twice
    When "ada" sends "hello"
    And Slack delivers the last event from "ada" again
    Then the journal has a line containing "(retry 1, http_timeout)"
    And the platform has 1 incoming message
    And the platform has 1 outgoing message
    And the integration called chat.postMessage once
    And the journal matches the golden file

  Scenario: A duplicate delivery is one message
    Given Slack delivers the next event twice
    When "ada" sends "hello"
    Then the journal has a line containing "(duplicate)"
    And the platform has 1 incoming message
    And the platform has 1 outgoing message

  Scenario: A stale timestamp is refused, and Slack tries again
    Given Slack signs the next delivery with a stale timestamp
    When "ada" sends "hello"
    Then the journal has a line containing "→ 401"
    And the journal has a line containing "(retry 1, http_error)"
    And the platform has 1 incoming message
    And the journal matches the golden file

  Scenario: A wrong signature is refused
    Given Slack signs the next delivery with the wrong secret
    When "ada" sends "hello"
    Then the journal has a line containing "→ 401"
    And the platform has 1 incoming message

  Scenario: Slack is rate limiting
    Given Slack answers chat.postMessage with 429 and retry_after 1 once
    When "ada" sends "hello"
    Then the integration called chat.postMessage 2 times
    And the journal has a line containing "→ 429 ratelimited (Retry-After 1)"
    And "ada" sees "Hello Ada! Ask me for the menu."
    And the journal matches the golden file

  Scenario: Slack's rate-limit tiers leave a conversation alone
    Given Slack's rate limits are on
    When "ada" sends "hello"
    And "grace" sends "hello"
    Then the integration called chat.postMessage 2 times
    And the journal has no line containing "ratelimited"

  Scenario: Slack's rate-limit tiers hold a busy channel back
    Given Slack's rate limits are on
    When "ada" sends "hello" 61 times
    Then the integration called chat.postMessage 62 times
    And the journal has a line containing "→ 429 ratelimited (Retry-After"
    And the platform has 61 incoming messages

  Scenario: Slack refuses a message
    Given Slack answers chat.postMessage with 400 "channel_not_found" once
    When "ada" sends "hello"
    Then the integration failed message_created with "channel_not_found"
    And "ada" does not see "Hello Ada! Ask me for the menu."

  Scenario: A bot reply that breaks the contract
    Given the bot answers "menu" with the message:
      """json
      {"type": "choice", "payload": {"text": "What would you like?", "options": [{"label": "Tea"}]}}
      """
    When "ada" sends "menu"
    Then the contract is violated in "bot.reply" at "/payload/options/0/value" with "missing property"
    And the integration failed message_created with "the value must be"
    And the journal matches the golden file
