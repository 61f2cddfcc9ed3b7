Feature: A Shopify store's orders become platform events

  Background:
    Given the integration "examples/shopify" with its definition
    And the Shopify store sells:
      | Earl Grey Tea  | 12.00 |
      | Ceramic Teapot | 35.00 |
    And a Shopify customer "ada" (Ada Lovelace)

  Scenario: An order's life: placed, paid, fulfilled
    When "ada" creates the order "#1001" with:
      | Earl Grey Tea  | 2 |
      | Ceramic Teapot | 1 |
    Then the platform has an event "customerCreated"
    And the platform has an event "newOrderCreated" whose payload includes:
      """json
      {"order_id": "5001000001", "shopName": "chatsim-demo", "currency": "USD", "current_subtotal_price": "59.00",
       "current_total_discounts": "0.00", "current_total_price": "59.00", "current_total_tax": "0.00", "customer_locale": "en"}
      """
    When "ada" pays the order "#1001"
    Then the platform has an event "orderPaid" with the payload:
      """json
      {"order_id": "5001000001", "order_name": "#1001", "shopName": "chatsim-demo", "financial_status": "paid",
       "current_total_price": "59.00", "total_outstanding": "0.00", "currency": "USD", "paid_at": "2026-01-01T00:00:00+00:00"}
      """
    When the store fulfils the order "#1001" with the tracking number "1Z999AA10123456784"
    Then the platform has an event "orderFulfilled" with the payload:
      """json
      {"order_id": "5001000001", "order_name": "#1001", "shopName": "chatsim-demo", "fulfillment_status": "fulfilled",
       "financial_status": "paid", "tracking_numbers": ["1Z999AA10123456784"], "fulfilled_at": "2026-01-01T00:00:00+00:00"}
      """
    And the journal matches the golden file

  Scenario: A cancelled order is voided
    When "ada" creates the order "#1001" with:
      | Earl Grey Tea | 1 |
    And "ada" cancels the order "#1001"
    Then the platform has an event "orderCancelled" with the payload:
      """json
      {"order_id": "5001000001", "order_name": "#1001", "shopName": "chatsim-demo", "cancel_reason": "customer",
       "cancelled_at": "2026-01-01T00:00:00+00:00", "financial_status": "voided", "currency": "USD"}
      """
    And the platform has no event "orderPaid"

  Scenario: A paid order cancelled is refunded
    When "ada" creates the order "#1001" with:
      | Ceramic Teapot | 1 |
    And "ada" pays the order "#1001"
    And "ada" cancels the order "#1001"
    Then the platform has an event "orderCancelled" whose payload includes:
      """json
      {"financial_status": "refunded"}
      """

  Scenario: A customer who signed up first becomes one customer
    When "ada" signs up at the store
    Then the platform has an event "customerCreated" with the payload:
      """json
      {"customer_id": "7001000001", "shopName": "chatsim-demo", "email": "ada@example.com", "first_name": "Ada",
       "last_name": "Lovelace", "phone": null, "verified_email": false, "created_at": "2026-01-01T00:00:00+00:00"}
      """
    When "ada" creates the order "#1001" with:
      | Earl Grey Tea | 3 |
    And "ada" creates the order "#1002" with:
      | Ceramic Teapot | 1 |
    Then the platform has 1 event "customerCreated"
    And the platform has 2 events "newOrderCreated"

  Scenario: The store numbers the orders
    When "ada" creates the order "#1001" with:
      | Earl Grey Tea | 1 |
    And "ada" creates the order "#1002" with:
      | Earl Grey Tea | 1 |
    Then the platform has an event "newOrderCreated" whose payload includes:
      """json
      {"order_id": "5001000002", "fullBody": {"name": "#1002", "order_number": 1002, "email": "ada@example.com"}}
      """
