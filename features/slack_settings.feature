Feature: The Slack integration's configuration

  Scenario: With markChoices off the buttons stay
    Given the integration "examples/slack" with its definition
    And the configuration is:
      """json
      {"botToken": "${SLACK_BOT_TOKEN}", "markChoices": false}
      """
    And a Slack workspace with "ada" (Ada Lovelace) and "grace" in "#general"
    And the bot answers "menu" with a choice "What would you like?" offering "Tea" and "Coffee"
    When "ada" sends "menu"
    And "ada" clicks "Tea"
    Then the platform has an incoming text message "tea"
    And "grace" sees "What would you like?" with the buttons "Tea" and "Coffee"
    And the journal has no line containing "response_url"
