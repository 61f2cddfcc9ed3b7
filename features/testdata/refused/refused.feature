Feature: Deliveries the integration refuses

  Background:
    Given the integration "examples/shopify" with its definition
    And the secret "SHOPIFY_API_SECRET" is "shpss_someone_else"
    And a Shopify customer "ada" (Ada Lovelace)

  Scenario: Every delivery refused, unasserted
    When "ada" signs up at the store
    Then the platform has no event "customerCreated"

  Scenario: Every delivery refused, asserted
    When "ada" signs up at the store
    Then the integration refused every delivery
    And the platform has no event "customerCreated"

  Scenario: One delivery refused with 401, asserted
    When "ada" signs up at the store
    Then the integration refused 1 delivery with 401

  Scenario: Refused, asserted with the wrong count
    When "ada" signs up at the store
    Then the integration refused 2 deliveries

  Scenario: Refused, asserted with the wrong status
    When "ada" signs up at the store
    Then the integration refused every delivery with 500

  Scenario: Nothing delivered yet
    Then the integration refused every delivery
