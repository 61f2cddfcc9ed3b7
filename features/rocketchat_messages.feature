Feature: Talking to the bot in a Rocket.Chat room

  The bot hears a room through Rocket.Chat's outgoing webhook integration
  and answers through the REST API.

  Background:
    Given the integration "examples/rocketchat" with its definition
    And a Rocket.Chat room "#general" with "ada" (Ada Lovelace) and "grace"
    And the bot answers "hello" with "Hello! Say menu."

  Scenario: A plain exchange
    When "ada" sends "hello"
    Then the platform has a user tagged username="ada" named "Ada Lovelace"
    And the platform has an incoming text message "hello" in a conversation tagged id="GENERAL"
    And "grace" sees:
      """
      ada  ▸ hello
      bot  ◂ Hello! Say menu.
      """
    And the journal matches the golden file

  Scenario: In a direct message with the bot
    Given a Rocket.Chat direct message with "cleo" (Cleo Patra)
    When "cleo" sends "hello"
    Then the platform has a user tagged username="cleo" named "Cleo Patra"
    And the last message "cleo" sees is "Hello! Say menu."
    And "ada" does not see "Hello! Say menu."

  Scenario: Edits reach the bot when the webhook runs on edits
    Given the Rocket.Chat outgoing webhook runs on edits
    When "ada" sends "helo"
    And "ada" edits "helo" to "hello"
    Then the platform has an incoming text message "hello"
    And the platform has no incoming message "helo"
    And the platform has 1 incoming message
    And "grace" sees "hello" edited from "helo"
    And the journal matches the golden file

  Scenario: Edits do not reach the bot by default
    When "ada" sends "helo"
    And "ada" edits "helo" to "hello"
    Then the platform has an incoming text message "helo"
    And the platform has no incoming message "hello"
    And "grace" sees "hello" edited from "helo"

  Scenario: Reactions are Rocket.Chat's shortcodes
    When "ada" sends "hello"
    And "grace" reacts "👍" to "Hello! Say menu."
    And "ada" reacts ":tada:" to "Hello! Say menu."
    Then "ada" sees the reaction "👍" on "Hello! Say menu."
    And "grace" sees the reaction "🎉" on "Hello! Say menu."
    And the platform has 1 incoming message

  Scenario: A deleted message is gone for people, and the bot is not told
    When "ada" sends "oops"
    And "ada" deletes "oops"
    Then "grace" does not see "oops"
    And the platform has an incoming text message "oops"

  Scenario: A thread reply reaches the bot
    Given the bot answers "tea in the thread" with "Noted."
    When "ada" sends "hello"
    And "grace" replies "tea in the thread" to "Hello! Say menu."
    Then the platform has an incoming text message "tea in the thread"
    And the journal has a line containing "(tmid="
    And "ada" sees "Noted."

  Scenario: Only messages with a trigger word reach the bot
    Given the Rocket.Chat outgoing webhook listens for the trigger word "@chatsim.bot"
    And the bot answers messages containing "menu" with "Here is the menu."
    When "ada" sends "menu please"
    And "ada" mentions the bot with "menu"
    Then the platform has 1 incoming message
    And the platform has an incoming text message "@chatsim.bot menu"
    And the journal has a line containing "(trigger_word=@chatsim.bot)"
    And the last message "grace" sees is "Here is the menu."

  Scenario: A duplicate delivery does not make a second message
    When "ada" sends "hello"
    And Rocket.Chat delivers the last message from "ada" again
    Then the platform has 1 incoming message
    And the platform has 1 outgoing message
    And the integration called chat.postMessage once

  Scenario: Someone joins and leaves a channel
    Given a Rocket.Chat room "#tea" with "ada"
    And a Rocket.Chat user "cleo" (Cleo Patra)
    And Rocket.Chat also posts roomJoined to the integration
    When "cleo" joins "#tea"
    And "cleo" leaves "#tea"
    Then "ada" sees "(cleo joined)" in "#tea"
    And "ada" sees "(cleo left)" in "#tea"
    And the journal has a line containing "deliver  outgoing roomJoined #tea cleo"
    And the journal has no line containing "roomLeft"
    And the platform has 0 incoming messages
