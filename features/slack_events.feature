Feature: Reactions and members as events on Slack

  Background:
    Given the integration "examples/slack" with its definition
    And a Slack workspace with "ada" (Ada Lovelace) and "grace" in "#general"
    And the bot answers "hello" with "Hello Ada! Ask me for the menu."

  Scenario: A reaction is an event on its message
    When "ada" sends "hello"
    And "grace" reacts "🎉" to "hello"
    Then the platform has an event "reactionAdded"
    And "ada" sees the reaction "🎉" on "hello"
    And the platform has 1 incoming message
    And the journal matches the golden file

  Scenario: A reaction on the bot's message
    When "ada" sends "hello"
    And "ada" reacts "👍" to "Hello Ada! Ask me for the menu."
    Then the platform has an event "reactionAdded" with the payload:
      """json
      {"eventId": "Ev0000000003", "reaction": "+1", "userId": "U0ADA",
       "targets": {"channel": {"id": "C0GENERAL"}, "dm": {"id": "U0ADA"}, "thread": {"id": "C0GENERAL", "thread": "1767225600.000200"}}}
      """

  Scenario: Someone joins the channel
    Given a Slack user "bob" (Bob Babbage)
    And the bot answers the event "memberJoined" with "Welcome to #general!"
    When "bob" joins "#general"
    Then the platform has an event "memberJoined" with the payload:
      """json
      {"channelId": "C0GENERAL", "eventId": "Ev0000000001", "userId": "U0BOB"}
      """
    And the platform has a user tagged id="U0BOB" named "Bob Babbage"
    And "ada" sees "Welcome to #general!"
    And the journal matches the golden file

  Scenario: Someone leaves the channel
    When "grace" leaves "#general"
    Then the platform has no event "memberJoined"
    And the platform has 0 incoming messages
    And the journal has a line containing "member_left_channel"
