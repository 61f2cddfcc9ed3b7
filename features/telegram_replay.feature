Feature: Replaying recorded conversations

  Scenario: The bundled order cassette
    Given the integration "examples/telegram" with its definition
    When the cassette "order.cassette" is replayed
    Then the platform has an incoming text message "coffee"
    And the conversation state "selection" is:
      """json
      {"label": "Coffee", "messageId": "2", "value": "coffee"}
      """
    And the journal matches the golden file

  Scenario: A recorded edit
    Given the integration "examples/telegram" with its definition
    When the cassette "edit.cassette" is replayed
    Then the platform has 1 incoming message
    And there are no contract violations

  Scenario: A recorded group join
    Given the integration "examples/telegram" with its definition
    When the cassette "group-join.cassette" is replayed
    Then the platform has an event "memberJoined"

  Scenario: A recorded update, written in the scenario
    Given the integration "examples/telegram" with its definition
    And the bot answers "hi" with "Hello stranger"
    When Telegram delivers the update:
      """json
      {"update_id": 500, "message": {"message_id": 7, "date": 1767225600, "chat": {"id": 2002, "type": "private", "first_name": "Grace"}, "from": {"id": 2002, "is_bot": false, "first_name": "Grace", "username": "grace"}, "text": "hi"}}
      """
    Then the platform has a user tagged id="2002" username="grace"
    And the platform has an outgoing text message "Hello stranger" in a conversation tagged id="2002"

  Scenario: The definition given as a file
    Given the integration "examples/telegram"
    And the definition "../examples/telegram/definition.json"
    And a Telegram private chat with "ada"
    When "ada" sends "hi"
    Then "ada" sees "hi"
    And there are no contract violations
