Feature: Shopify's webhook deliveries: retries, duplicates, order

  Background:
    Given the integration "examples/shopify" with its definition
    And the Shopify store sells:
      | Earl Grey Tea | 12.00 |
    And a Shopify customer "ada" (Ada Lovelace)

  Scenario: The platform fails once and Shopify retries on its schedule
    Given "ada" signs up at the store
    And the platform answers event.create with 500 once
    When "ada" creates the order "#1001" with:
      | Earl Grey Tea | 2 |
    Then the journal has a line containing "orders/create webhook=uuid#3 → 400 Bad Request (retry in 1m0s)"
    And the journal has a line containing "orders/create #1001 $24.00 webhook=uuid#3 attempt 2 of 9"
    And the platform has 1 event "newOrderCreated"
    And the journal matches the golden file

  Scenario: A duplicate delivery does not fire twice
    Given Shopify delivers every webhook twice
    When "ada" creates the order "#1001" with:
      | Earl Grey Tea | 1 |
    Then the journal has a line containing "(duplicate)"
    And the platform has 1 event "newOrderCreated"
    And the platform has 1 event "customerCreated"
    And the journal matches the golden file

  Scenario: Webhooks out of order: the order arrives before its customer
    Given Shopify delivers the newest webhook first
    When "ada" creates the order "#1001" with:
      | Earl Grey Tea | 1 |
    Then the platform has 1 event "newOrderCreated"
    And the platform has 1 event "customerCreated"
    And the journal matches the golden file

  Scenario: Back to normal delivery
    Given Shopify delivers every webhook twice
    And Shopify delivers webhooks once, in order
    When "ada" creates the order "#1001" with:
      | Earl Grey Tea | 1 |
    Then the journal has no line containing "(duplicate)"

  Scenario: A redelivery from a cassette fires once
    When the cassette "redelivery.cassette" is replayed
    Then the platform has 1 event "orderPaid"
