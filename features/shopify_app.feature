Feature: The Shopify app: reading orders back, the Admin API, uninstalling

  Background:
    Given the integration "examples/shopify" with its definition
    And the Shopify store sells:
      | Earl Grey Tea | 12.00 |
    And a Shopify customer "ada" (Ada Lovelace)

  Scenario: The bot reads an order back
    When "ada" creates the order "#1001" with:
      | Earl Grey Tea | 2 |
    And the bot triggers the action "getOrder" with:
      """json
      {"orderId": "5001000001"}
      """
    Then the action returned an output that includes:
      """json
      {"order": {"id": 5001000001, "name": "#1001", "financial_status": "pending", "current_total_price": "24.00",
                 "line_items": [{"title": "Earl Grey Tea", "quantity": 2, "price": "12.00"}]}}
      """
    And the journal has a line containing "shopify   GET orders/5001000001.json  → 200 order 5001000001"
    And the journal matches the golden file

  Scenario: An order the store does not have
    When the bot triggers the action "getOrder" with:
      """json
      {"orderId": "5009999999"}
      """
    Then the action failed with "getOrder: order 5009999999 in shop chatsim-demo: order not found"

  Scenario: The Admin API is rate limiting
    Given "ada" creates the order "#1001" with:
      | Earl Grey Tea | 1 |
    And Shopify answers orders with 429 and retry_after 0.1 once
    When the bot triggers the action "getOrder" with:
      """json
      {"orderId": "5001000001"}
      """
    Then the action returned an output that includes:
      """json
      {"order": {"name": "#1001"}}
      """
    And the journal has a line containing "GET orders/5001000001.json  → 429"
    And the journal has a line containing "GET orders/5001000001.json  → 200 order 5001000001"

  Scenario: The app is uninstalled
    When "ada" creates the order "#1001" with:
      | Earl Grey Tea | 1 |
    And the app is uninstalled from the store
    Then the platform has an event "appUninstalled" with the payload:
      """json
      {"shop_id": "60001000001", "shopName": "chatsim-demo", "myshopify_domain": "chatsim-demo.myshopify.com"}
      """
    When the bot triggers the action "getOrder" with:
      """json
      {"orderId": "5001000001"}
      """
    Then the action failed with "401 [API] Invalid API key or access token"
    When "ada" pays the order "#1001"
    Then the platform has no event "orderPaid"
    And the journal matches the golden file

  Scenario: A product change is not the integration's business
    When the store changes the product "Earl Grey Tea":
      | title  | Earl Grey Supreme |
      | status | archived          |
    Then the journal has no line containing "products/update"
    And the platform has no event "productUpdated"
