Feature: A Rocket.Chat bot that answers in the webhook's HTTP response

  examples/rocketchat/hookbot has no Botpress behind it: it answers each
  outgoing-webhook POST with {"text": "echo: …"}, which Rocket.Chat posts
  in the room as the integration's user.

  Background:
    Given the integration "examples/rocketchat/hookbot"
    And a Rocket.Chat room "#general" with "ada" (Ada Lovelace) and "grace"

  Scenario: The answer in the HTTP response is posted in the room
    When "ada" sends "hi"
    And "grace" sends "ping"
    Then "ada" sees:
      """
      ada    ▸ hi
      bot    ◂ echo: hi
      grace  ▸ ping
      bot    ◂ echo: ping
      """
    And the journal has a line containing "webhook reply  #general"
    And the journal matches the golden file

  Scenario: Only the trigger words reach it
    Given the Rocket.Chat outgoing webhook listens for the trigger word "!echo"
    When "ada" sends "hi"
    And "ada" sends "!echo tea"
    Then the last message "grace" sees is "echo: !echo tea"
    And "grace" does not see "echo: hi"
    And the journal has a line containing "(trigger_word=!echo)"

  Scenario: Its own answer does not come back to it
    When "ada" sends "hi"
    Then "grace" sees "echo: hi"
    And "grace" does not see "echo: echo: hi"
    And the integration called chat.postMessage never
