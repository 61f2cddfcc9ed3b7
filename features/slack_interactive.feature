Feature: Buttons, menus, dates, modals and slash commands on Slack

  Background:
    Given the integration "examples/slack" with its definition
    And a Slack workspace with "ada" (Ada Lovelace) and "grace" in "#general"

  Scenario: A click is marked through the response_url
    Given the bot answers "menu" with a choice "What would you like?" offering "Tea" and "Coffee"
    And the bot answers "coffee" with "One coffee coming up." and sets the conversation state "order" to {"drink":"coffee"}
    When "ada" sends "menu"
    Then "grace" sees "What would you like?" with the buttons "Tea" and "Coffee"
    When "ada" clicks "Coffee"
    Then the platform has an incoming text message "coffee" in a conversation tagged id="C0GENERAL"
    And "grace" sees "✓ Coffee chosen by @ada" below "What would you like?"
    And the conversation state "order" is:
      """json
      {"drink": "coffee"}
      """
    And "grace" sees:
      """
      ada  ▸ menu
      bot  ◂ What would you like?
      bot  ◂ One coffee coming up.
      """
    And the journal matches the golden file

  Scenario: A pick from a menu
    Given the bot answers "size" with a dropdown "Which size?" offering "Small", "Medium" and "Large"
    And the bot answers "large" with "A large one."
    When "ada" sends "size"
    Then "ada" sees "Which size?" with the buttons "Small", "Medium" and "Large"
    When "ada" picks "Large" from "Which size?"
    Then the platform has an incoming text message "large"
    And "ada" sees "✓ Large chosen by @ada" below "Which size?"
    And "ada" sees "A large one."

  Scenario: A date from a date picker
    Given the bot answers "deliver" with the message:
      """json
      {"type": "datepicker", "payload": {"text": "When should we deliver?", "initialDate": "2026-02-01"}}
      """
    And the bot answers "2026-02-14" with "Valentine's day it is."
    When "ada" sends "deliver"
    And "ada" picks the date "2026-02-14" on "When should we deliver?"
    Then the platform has an incoming text message "2026-02-14"
    And "ada" sees "✓ 2026-02-14 chosen by @ada" below "When should we deliver?"
    And "ada" sees "Valentine's day it is."
    And the journal matches the golden file

  Scenario: A modal is submitted
    Given the bot stays silent
    And the Slack app has opened the modal "Feedback" for "ada" with the inputs "Rating" and "Comment"
    When "ada" submits the modal "Feedback" with:
      | Rating  | 5       |
      | Comment | Lovely! |
    Then the journal has a line containing "view_submission view=V000000001 user=U0ADA callback=feedback"
    And the platform has 0 incoming messages

  Scenario: A slash command
    Given the bot answers "/order coffee" with "Order received: coffee."
    When "grace" runs the command "/order coffee" in "#general"
    Then the platform has an incoming text message "/order coffee" in a conversation tagged id="C0GENERAL"
    And "ada" sees "Order received: coffee."
    And the journal matches the golden file
