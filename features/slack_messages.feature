Feature: Messages between people and the bot on Slack

  Background:
    Given the integration "examples/slack" with its definition
    And a Slack workspace with "ada" (Ada Lovelace) and "grace" in "#general"

  Scenario: A message in the channel
    Given the bot answers "hello" with "Hello Ada! Ask me for the menu."
    When "ada" sends "hello"
    Then the platform has a user tagged id="U0ADA" named "Ada Lovelace"
    And the platform has an incoming text message "hello" in a conversation tagged id="C0GENERAL"
    And "grace" sees "Hello Ada! Ask me for the menu."
    And the journal matches the golden file

  Scenario: A thread reply is a conversation of its own
    Given the bot answers "hello" with "Hello Ada! Ask me for the menu."
    And the bot answers "me too" with "Hello Grace, here in the thread."
    When "ada" sends "hello"
    And "grace" replies "me too" to "hello"
    Then the platform has 2 conversations
    And the platform has an incoming text message "me too" in a conversation tagged id="C0GENERAL" thread="1767225600.000100"
    And the platform has an outgoing text message "Hello Grace, here in the thread." in a conversation tagged thread="1767225600.000100"
    And "ada" sees:
      """
      ada    ▸ hello
      bot    ◂ Hello Ada! Ask me for the menu.
      grace  ▸ me too
      bot    ◂ Hello Grace, here in the thread.
      """
    And the journal matches the golden file

  Scenario: A mention is one message, the mention taken off
    Given the bot answers "menu" with "Tea or coffee?"
    When "ada" mentions the bot with "menu" in "#general"
    Then the platform has 1 incoming message
    And the platform has an incoming text message "menu"
    And "grace" sees "@chatsim menu"
    And "grace" sees "Tea or coffee?"
    And the journal matches the golden file

  Scenario: Edits and deletions stay in Slack
    Given the bot stays silent
    When "ada" sends "menu"
    And "ada" edits "menu" to "menu please"
    Then "grace" sees "menu please" edited from "menu"
    And the platform has 1 incoming message
    And the platform has an incoming text message "menu"
    When "ada" deletes "menu please"
    Then "grace" does not see "menu please"
    And the journal has a line containing "message/message_deleted"

  Scenario: A direct message
    Given a Slack DM between "ada" and the bot
    When "ada" sends "hello"
    Then the platform has a conversation tagged id="D0ADA"
    And the last message "ada" sees is "hello"

  Scenario: A private channel
    Given a private Slack channel "#tea-lovers" with "ada" and "bob" (Bob Babbage)
    When "bob" sends "anyone for tea?" in "#tea-lovers"
    Then the platform has an incoming text message "anyone for tea?" in a conversation tagged id="G0TEALOVERS"
    And the platform has a user tagged id="U0BOB" named "Bob Babbage"
    And "ada" sees "anyone for tea?" in "#tea-lovers"

  Scenario: Without the bot in the channel the app hears nothing
    Given the Slack bot is not in "#general"
    When "ada" sends "hello"
    Then the platform has 0 incoming messages
    And "grace" sees "hello"
