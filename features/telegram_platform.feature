Feature: What the integration tells the platform

  Background:
    Given the integration "examples/telegram" with its definition
    And a Telegram private chat with "ada" (Ada Lovelace)
    And the bot answers "hi" with "Hello Ada!"

  Scenario: Users, conversations and messages carry Telegram's ids as tags
    When "ada" sends "hi"
    Then the platform has a user tagged id="1001" username="ada" named "Ada Lovelace"
    And the platform has a conversation tagged id="1001" on the channel "channel"
    And the platform has an incoming text message tagged id="1" chatId="1001" with the payload:
      """json
      {"text": "hi"}
      """
    And the platform has an outgoing text message tagged id="2" chatId="1001" with the payload:
      """json
      {"text": "Hello Ada!"}
      """
    And there are no contract violations

  Scenario: The typing indicator
    When "ada" sends "hi"
    And the bot triggers the action "startTypingIndicator" with:
      """json
      {"conversationId": "{{conversation.id}}"}
      """
    Then the action returned:
      """json
      {}
      """
    And the integration called sendChatAction once

  Scenario: Stopping the typing indicator does nothing on Telegram
    When "ada" sends "hi"
    And the bot triggers the action "stopTypingIndicator" with:
      """json
      {"conversationId": "{{conversation.id}}"}
      """
    Then the action returned:
      """json
      {}
      """
    And the integration called sendChatAction never

  Scenario: An unknown action fails
    When the bot triggers the action "orderPizza"
    Then the action failed
    And the contract is violated at "/type"

  Scenario: The bot speaks first
    When "ada" sends "hi"
    And the bot sends "Your order is ready" to the conversation tagged id="1001"
    Then the last message "ada" sees is "Your order is ready"

  Scenario: The bot sends buttons on its own
    When "ada" sends "hi"
    And the bot sends the message to the conversation tagged id="1001":
      """json
      {"type": "choice", "payload": {"text": "Another one?", "options": [{"label": "Yes", "value": "yes"}, {"label": "No", "value": "no"}]}}
      """
    Then "ada" sees "Another one?" with the buttons "Yes" and "No"

  Scenario: A reply that breaks the contract
    Given the bot answers "menu" with the message:
      """json
      {"type": "choice", "payload": {"text": "What would you like?", "options": [{"label": "Tea"}, {"label": "Coffee", "value": "coffee"}]}}
      """
    When "ada" sends "menu"
    Then the contract is violated in "bot.reply" at "/payload/options/0/value" with "missing property"
    And the integration failed message_created
    And the journal matches the golden file

  Scenario: A message type the channel does not declare
    Given the bot answers "where" with the message:
      """json
      {"type": "location", "payload": {"latitude": 48.85, "longitude": 2.35}}
      """
    When "ada" sends "where"
    Then the contract is violated in "bot.reply" at "/type"
    And the integration failed message_created

  Scenario: The integration is started before anyone speaks
    Given the integration is started
    Then the journal has a line containing "telegram  setWebhook"
    And the platform has 0 users
