Feature: Failures that explain themselves

  Background:
    Given the integration "examples/telegram" with its definition
    And a Telegram private chat with "ada" (Ada Lovelace)
    And the bot answers "menu" with a choice "What would you like?" offering "Tea" and "Coffee"
    And the bot answers "coffee" with "One coffee coming up." and sets the conversation state "order" to {"drink":"coffee"}

  Scenario: The state holds another word
    When "ada" sends "menu"
    And "ada" taps "Coffee"
    Then the conversation state "order" is:
      """json
      {"drink": "Coffee"}
      """

  Scenario: The chat shows another word
    When "ada" sends "menu"
    Then "ada" sees "What would you like?" with the buttons "Tea" and "Cocoa"

  Scenario: The journal differs from its golden file
    When "ada" sends "menu"
    Then the journal matches the golden file

  Scenario: An unexpected contract violation fails the scenario
    Given the bot answers "bad" with the message:
      """json
      {"type": "choice", "payload": {"text": "Pick one", "options": [{"label": "Tea"}]}}
      """
    When "ada" sends "bad"
    Then the platform has an outgoing choice message "Pick one"
