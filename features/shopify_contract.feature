Feature: The Shopify integration's events keep to their schemas

  Background:
    Given the integration "examples/shopify" with its definition

  Scenario: A payload that violates the event schema must fail
    When the cassette "violation.cassette" is replayed
    Then the contract is violated in "event.create" at "/payload/current_total_price" with "want string, got number"
    And the platform has an event "newOrderCreated" whose payload includes:
      """json
      {"current_total_price": 67.82}
      """
    And the journal matches the golden file

  Scenario: A recorded order's life keeps to the schemas
    When the cassette "order-life.cassette" is replayed
    Then there are no contract violations
    And the platform has 1 event "newOrderCreated"
    And the platform has 1 event "orderPaid"
    And the platform has 1 event "orderFulfilled"

  Scenario: A webhook signed with another secret fires nothing
    Given the secret "SHOPIFY_API_SECRET" is "shpss_someone_else"
    And a Shopify customer "ada" (Ada Lovelace)
    When "ada" signs up at the store
    Then the integration refused every delivery with 401
    And the platform has no event "customerCreated"
    And the journal has a line containing "customers/create webhook=uuid#1 → 401 Unauthorized (retry in 1m0s)"
    And the journal has a line containing "(dropped after 9 attempts)"
