Feature: Rocket.Chat scenarios that must fail

  Background:
    Given the integration "examples/rocketchat" with its definition
    And a Rocket.Chat room "#general" with "ada" (Ada Lovelace) and "grace"

  Scenario: An unasserted contract violation fails the scenario
    Given the bot answers "menu" with the message:
      """json
      {"type": "choice", "payload": {"text": "Pick one", "options": [{"label": "Tea"}]}}
      """
    When "ada" sends "menu"
    Then "grace" sees "Pick one" with the buttons "Tea"

  Scenario: The buttons were replaced
    Given the bot answers "menu" with a choice "What would you like?" offering "Tea" and "Coffee"
    When "ada" sends "menu"
    And "ada" clicks "Tea"
    Then "grace" sees "What would you like?" with the buttons "Tea" and "Coffee"

  Scenario: Rocket.Chat refuses a raw emoji it does not know
    When "ada" sends "hello"
    And "grace" reacts "🦄" to "hello"
