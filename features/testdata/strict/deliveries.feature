Feature: Deliveries under --strict

  Background:
    Given the integration "examples/telegram" with its definition
    And a Telegram private chat with "ada" (Ada Lovelace)
    And the bot answers "menu" with "What would you like?"

  Scenario: One of two deliveries refused, unasserted
    When "ada" sends "menu"
    And the platform answers message.get-or-create with 500 every time
    And "ada" sends "tea"
    Then "ada" sees "What would you like?"

  Scenario: One of two deliveries refused, asserted
    When "ada" sends "menu"
    And the platform answers message.get-or-create with 500 every time
    And "ada" sends "tea"
    Then the integration refused 1 delivery with 400
