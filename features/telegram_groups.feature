Feature: The bot in Telegram groups

  Background:
    Given the integration "examples/telegram" with its definition
    And a Telegram group "Tea lovers" with "ada" and "bob"
    And a Telegram user "cleo" (Cleo Patra)

  Scenario: Someone joins the group
    When "cleo" joins "Tea lovers"
    Then the platform has an event "memberJoined" with the payload:
      """json
      {"chatId": "-4001", "userId": "1003", "username": "cleo"}
      """
    And the platform has a conversation tagged id="-4001"
    And the journal matches the golden file

  Scenario: Someone leaves the group
    When "bob" leaves "Tea lovers"
    Then the platform has an event "memberLeft" with the payload:
      """json
      {"chatId": "-4001", "userId": "1002", "username": "bob"}
      """
    And the platform has no event "memberJoined"

  Scenario: The bot welcomes newcomers
    Given the bot answers the event "memberJoined" with "Welcome to the group!"
    When "cleo" joins "Tea lovers"
    Then "ada" sees "Welcome to the group!" in "Tea lovers"
    And "ada" sees "(cleo joined)" in "Tea lovers"

  Scenario: With privacy mode the bot does not see small talk
    When "ada" sends "anyone for tea?" in "Tea lovers"
    Then the platform has 0 incoming messages
    And "bob" sees "anyone for tea?"

  Scenario: A mention reaches the bot
    Given the bot answers messages containing "menu" with "Here is the menu."
    When "ada" mentions the bot with "menu" in "Tea lovers"
    Then the platform has an incoming text message "@chatsim_bot menu"
    And "bob" sees "Here is the menu." in "Tea lovers"

  Scenario: A command reaches the bot
    Given the bot answers "/menu" with "Here is the menu."
    When "bob" runs the command "/menu"
    Then "bob" sees "Here is the menu."
    And the platform has a user tagged id="1002" username="bob"

  Scenario: An administrator bot sees every message
    Given the bot is an administrator of "Tea lovers"
    When "ada" sends "anyone for tea?"
    Then the platform has an incoming text message "anyone for tea?" in a conversation tagged id="-4001"
    And "bob" sees "anyone for tea?"

  Scenario: A supergroup
    Given a Telegram supergroup "Coffee club" with "ada" and "cleo"
    And the bot is an administrator of "Coffee club"
    When "cleo" sends "espresso?" in "Coffee club"
    Then the platform has a conversation tagged id="-1001000000001"
    And "ada" sees "espresso?" in "Coffee club"
