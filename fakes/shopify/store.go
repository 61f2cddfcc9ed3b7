package shopify

import (
	"fmt"
	"math"
	"strconv"
	"strings"
	"time"
)

// Money is an amount in the shop's currency, in cents. On the wire it is a
// decimal string with two places ("25.00"), as Shopify writes money.
type Money int64

// String returns m as Shopify writes it: "25.00", "-3.50".
func (m Money) String() string {
	sign := ""
	if m < 0 {
		sign, m = "-", -m
	}
	return fmt.Sprintf("%s%d.%02d", sign, m/100, m%100)
}

// MaxMoney is the largest amount the fake takes for a price, a line, a
// discount, shipping or an order's goods: 100 billion in the shop's
// currency. Below it every total is exact in cents; above it a price
// times a quantity would wrap around.
const MaxMoney Money = 100_000_000_000_00

// ParseMoney reads a decimal amount such as "25", "25.5" or "25.00", at
// most MaxMoney either way.
func ParseMoney(s string) (Money, error) {
	s = strings.TrimSpace(s)
	f, err := strconv.ParseFloat(s, 64)
	if err != nil || math.IsNaN(f) || math.IsInf(f, 0) {
		return 0, fmt.Errorf("parse money %q: want a decimal amount such as \"25.00\"", s)
	}
	if math.Abs(f*100) > float64(MaxMoney) {
		return 0, fmt.Errorf("parse money %q: more than %s", s, MaxMoney)
	}
	return Money(math.Round(f * 100)), nil
}

// Amount is one side of a MoneySet.
type Amount struct {
	Amount       string `json:"amount"`
	CurrencyCode string `json:"currency_code"`
}

// MoneySet is Shopify's *_set object: the amount in the shop's currency and
// in the currency the customer saw (the same here).
type MoneySet struct {
	ShopMoney        Amount `json:"shop_money"`
	PresentmentMoney Amount `json:"presentment_money"`
}

func moneySet(m Money, currency string) MoneySet {
	a := Amount{Amount: m.String(), CurrencyCode: currency}
	return MoneySet{ShopMoney: a, PresentmentMoney: a}
}

// timeFormat is how Shopify writes timestamps: ISO 8601 with the shop's
// offset ("2026-01-01T00:00:00+00:00").
const timeFormat = "2006-01-02T15:04:05-07:00"

func stamp(t time.Time) string { return t.UTC().Format(timeFormat) }

// Shop is the store as shop.json and app/uninstalled show it.
type Shop struct {
	ID                   int64    `json:"id"`
	Name                 string   `json:"name"`
	Email                string   `json:"email"`
	Domain               string   `json:"domain"`
	Province             string   `json:"province"`
	Country              string   `json:"country"`
	Address1             string   `json:"address1"`
	Zip                  string   `json:"zip"`
	City                 string   `json:"city"`
	Source               *string  `json:"source"`
	Phone                string   `json:"phone"`
	Latitude             float64  `json:"latitude"`
	Longitude            float64  `json:"longitude"`
	PrimaryLocale        string   `json:"primary_locale"`
	Address2             string   `json:"address2"`
	CreatedAt            string   `json:"created_at"`
	UpdatedAt            string   `json:"updated_at"`
	CountryCode          string   `json:"country_code"`
	CountryName          string   `json:"country_name"`
	Currency             string   `json:"currency"`
	CustomerEmail        string   `json:"customer_email"`
	Timezone             string   `json:"timezone"`
	IanaTimezone         string   `json:"iana_timezone"`
	ShopOwner            string   `json:"shop_owner"`
	MoneyFormat          string   `json:"money_format"`
	MoneyWithCurrency    string   `json:"money_with_currency_format"`
	WeightUnit           string   `json:"weight_unit"`
	ProvinceCode         string   `json:"province_code"`
	TaxesIncluded        bool     `json:"taxes_included"`
	TaxShipping          *bool    `json:"tax_shipping"`
	CountyTaxes          bool     `json:"county_taxes"`
	PlanDisplayName      string   `json:"plan_display_name"`
	PlanName             string   `json:"plan_name"`
	HasDiscounts         bool     `json:"has_discounts"`
	HasGiftCards         bool     `json:"has_gift_cards"`
	MyshopifyDomain      string   `json:"myshopify_domain"`
	MultiLocationEnabled bool     `json:"multi_location_enabled"`
	SetupRequired        bool     `json:"setup_required"`
	PreLaunchEnabled     bool     `json:"pre_launch_enabled"`
	EnabledPresentment   []string `json:"enabled_presentment_currencies"`
	PasswordEnabled      bool     `json:"password_enabled"`
}

// Address is a postal address on a customer or an order.
type Address struct {
	ID           int64    `json:"id,omitempty"`
	CustomerID   int64    `json:"customer_id,omitempty"`
	FirstName    string   `json:"first_name"`
	LastName     string   `json:"last_name"`
	Company      *string  `json:"company"`
	Address1     string   `json:"address1"`
	Address2     string   `json:"address2"`
	City         string   `json:"city"`
	Province     string   `json:"province"`
	Country      string   `json:"country"`
	Zip          string   `json:"zip"`
	Phone        string   `json:"phone"`
	Name         string   `json:"name"`
	ProvinceCode string   `json:"province_code"`
	CountryCode  string   `json:"country_code"`
	CountryName  string   `json:"country_name,omitempty"`
	Latitude     *float64 `json:"latitude,omitempty"`
	Longitude    *float64 `json:"longitude,omitempty"`
	Default      bool     `json:"default,omitempty"`
}

// Customer is a customer as customers.json and the customers/* webhooks
// show it.
type Customer struct {
	ID                int64     `json:"id"`
	Email             string    `json:"email"`
	CreatedAt         string    `json:"created_at"`
	UpdatedAt         string    `json:"updated_at"`
	FirstName         string    `json:"first_name"`
	LastName          string    `json:"last_name"`
	OrdersCount       int       `json:"orders_count"`
	State             string    `json:"state"`
	TotalSpent        string    `json:"total_spent"`
	LastOrderID       *int64    `json:"last_order_id"`
	Note              *string   `json:"note"`
	VerifiedEmail     bool      `json:"verified_email"`
	MultipassID       *string   `json:"multipass_identifier"`
	TaxExempt         bool      `json:"tax_exempt"`
	Tags              string    `json:"tags"`
	LastOrderName     *string   `json:"last_order_name"`
	Currency          string    `json:"currency"`
	Phone             *string   `json:"phone"`
	Addresses         []Address `json:"addresses"`
	TaxExemptions     []string  `json:"tax_exemptions"`
	AdminGraphqlAPIID string    `json:"admin_graphql_api_id"`
	DefaultAddress    *Address  `json:"default_address,omitempty"`
}

// Variant is one purchasable variant of a product.
type Variant struct {
	ID                   int64   `json:"id"`
	ProductID            int64   `json:"product_id"`
	Title                string  `json:"title"`
	Price                string  `json:"price"`
	Position             int     `json:"position"`
	InventoryPolicy      string  `json:"inventory_policy"`
	CompareAtPrice       *string `json:"compare_at_price"`
	Option1              *string `json:"option1"`
	Option2              *string `json:"option2"`
	Option3              *string `json:"option3"`
	CreatedAt            string  `json:"created_at"`
	UpdatedAt            string  `json:"updated_at"`
	Taxable              bool    `json:"taxable"`
	Barcode              *string `json:"barcode"`
	FulfillmentService   string  `json:"fulfillment_service"`
	Grams                int     `json:"grams"`
	InventoryManagement  *string `json:"inventory_management"`
	RequiresShipping     bool    `json:"requires_shipping"`
	SKU                  string  `json:"sku"`
	Weight               float64 `json:"weight"`
	WeightUnit           string  `json:"weight_unit"`
	InventoryItemID      int64   `json:"inventory_item_id"`
	InventoryQuantity    int     `json:"inventory_quantity"`
	OldInventoryQuantity int     `json:"old_inventory_quantity"`
	AdminGraphqlAPIID    string  `json:"admin_graphql_api_id"`
	ImageID              *int64  `json:"image_id"`
}

// ProductOption is a product's option ("Title", "Size").
type ProductOption struct {
	ID        int64    `json:"id"`
	ProductID int64    `json:"product_id"`
	Name      string   `json:"name"`
	Position  int      `json:"position"`
	Values    []string `json:"values"`
}

// Product is a product as products.json and the products/* webhooks show
// it.
type Product struct {
	ID                int64           `json:"id"`
	Title             string          `json:"title"`
	BodyHTML          string          `json:"body_html"`
	Vendor            string          `json:"vendor"`
	ProductType       string          `json:"product_type"`
	CreatedAt         string          `json:"created_at"`
	Handle            string          `json:"handle"`
	UpdatedAt         string          `json:"updated_at"`
	PublishedAt       *string         `json:"published_at"`
	TemplateSuffix    *string         `json:"template_suffix"`
	PublishedScope    string          `json:"published_scope"`
	Tags              string          `json:"tags"`
	Status            string          `json:"status"`
	AdminGraphqlAPIID string          `json:"admin_graphql_api_id"`
	Variants          []Variant       `json:"variants"`
	Options           []ProductOption `json:"options"`
	Images            []any           `json:"images"`
	Image             any             `json:"image"`
}

// TaxLine is one tax charged on an order or a line item.
type TaxLine struct {
	Price    string   `json:"price"`
	Rate     float64  `json:"rate"`
	Title    string   `json:"title"`
	PriceSet MoneySet `json:"price_set"`
}

// DiscountCode is a code applied to an order.
type DiscountCode struct {
	Code   string `json:"code"`
	Amount string `json:"amount"`
	Type   string `json:"type"` // fixed_amount, percentage or shipping
}

// DiscountAllocation is the part of a discount that fell on a line item.
type DiscountAllocation struct {
	Amount                   string   `json:"amount"`
	AmountSet                MoneySet `json:"amount_set"`
	DiscountApplicationIndex int      `json:"discount_application_index"`
}

// DiscountApplication describes how a discount was applied to an order.
type DiscountApplication struct {
	TargetType       string `json:"target_type"`
	Type             string `json:"type"`
	Value            string `json:"value"`
	ValueType        string `json:"value_type"`
	AllocationMethod string `json:"allocation_method"`
	TargetSelection  string `json:"target_selection"`
	Code             string `json:"code"`
}

// LineItem is one line of an order.
type LineItem struct {
	ID                         int64                `json:"id"`
	AdminGraphqlAPIID          string               `json:"admin_graphql_api_id"`
	FulfillableQuantity        int                  `json:"fulfillable_quantity"`
	FulfillmentService         string               `json:"fulfillment_service"`
	FulfillmentStatus          *string              `json:"fulfillment_status"`
	GiftCard                   bool                 `json:"gift_card"`
	Grams                      int                  `json:"grams"`
	Name                       string               `json:"name"`
	Price                      string               `json:"price"`
	PriceSet                   MoneySet             `json:"price_set"`
	ProductExists              bool                 `json:"product_exists"`
	ProductID                  *int64               `json:"product_id"`
	Properties                 []NoteAttribute      `json:"properties"`
	Quantity                   int                  `json:"quantity"`
	RequiresShipping           bool                 `json:"requires_shipping"`
	SKU                        string               `json:"sku"`
	Taxable                    bool                 `json:"taxable"`
	Title                      string               `json:"title"`
	TotalDiscount              string               `json:"total_discount"`
	TotalDiscountSet           MoneySet             `json:"total_discount_set"`
	VariantID                  *int64               `json:"variant_id"`
	VariantInventoryManagement *string              `json:"variant_inventory_management"`
	VariantTitle               *string              `json:"variant_title"`
	Vendor                     *string              `json:"vendor"`
	TaxLines                   []TaxLine            `json:"tax_lines"`
	Duties                     []any                `json:"duties"`
	DiscountAllocations        []DiscountAllocation `json:"discount_allocations"`
}

// NoteAttribute is a name/value pair on an order or a line item.
type NoteAttribute struct {
	Name  string `json:"name"`
	Value string `json:"value"`
}

// ShippingLine is the shipping charged on an order.
type ShippingLine struct {
	ID                  int64     `json:"id"`
	Code                string    `json:"code"`
	Price               string    `json:"price"`
	PriceSet            MoneySet  `json:"price_set"`
	DiscountedPrice     string    `json:"discounted_price"`
	DiscountedPriceSet  MoneySet  `json:"discounted_price_set"`
	Source              string    `json:"source"`
	Title               string    `json:"title"`
	TaxLines            []TaxLine `json:"tax_lines"`
	DiscountAllocations []any     `json:"discount_allocations"`
}

// Fulfillment is a shipment of an order's line items.
type Fulfillment struct {
	ID                int64      `json:"id"`
	AdminGraphqlAPIID string     `json:"admin_graphql_api_id"`
	CreatedAt         string     `json:"created_at"`
	LocationID        int64      `json:"location_id"`
	Name              string     `json:"name"`
	OrderID           int64      `json:"order_id"`
	Service           string     `json:"service"`
	ShipmentStatus    *string    `json:"shipment_status"`
	Status            string     `json:"status"`
	TrackingCompany   *string    `json:"tracking_company"`
	TrackingNumber    *string    `json:"tracking_number"`
	TrackingNumbers   []string   `json:"tracking_numbers"`
	TrackingURL       *string    `json:"tracking_url"`
	TrackingURLs      []string   `json:"tracking_urls"`
	UpdatedAt         string     `json:"updated_at"`
	LineItems         []LineItem `json:"line_items"`
}

// Order is an order as orders.json and the orders/* webhooks show it.
// Every amount is consistent: total_price = subtotal_price + total_tax +
// shipping, subtotal_price = total_line_items_price - total_discounts.
type Order struct {
	ID                       int64                 `json:"id"`
	AdminGraphqlAPIID        string                `json:"admin_graphql_api_id"`
	AppID                    *int64                `json:"app_id"`
	BrowserIP                *string               `json:"browser_ip"`
	BuyerAcceptsMarketing    bool                  `json:"buyer_accepts_marketing"`
	CancelReason             *string               `json:"cancel_reason"`
	CancelledAt              *string               `json:"cancelled_at"`
	CartToken                *string               `json:"cart_token"`
	CheckoutID               *int64                `json:"checkout_id"`
	CheckoutToken            *string               `json:"checkout_token"`
	ClosedAt                 *string               `json:"closed_at"`
	ConfirmationNumber       string                `json:"confirmation_number"`
	Confirmed                bool                  `json:"confirmed"`
	ContactEmail             *string               `json:"contact_email"`
	CreatedAt                string                `json:"created_at"`
	Currency                 string                `json:"currency"`
	CurrentSubtotalPrice     string                `json:"current_subtotal_price"`
	CurrentSubtotalPriceSet  MoneySet              `json:"current_subtotal_price_set"`
	CurrentTotalDiscounts    string                `json:"current_total_discounts"`
	CurrentTotalDiscountsSet MoneySet              `json:"current_total_discounts_set"`
	CurrentTotalPrice        string                `json:"current_total_price"`
	CurrentTotalPriceSet     MoneySet              `json:"current_total_price_set"`
	CurrentTotalTax          string                `json:"current_total_tax"`
	CurrentTotalTaxSet       MoneySet              `json:"current_total_tax_set"`
	CustomerLocale           string                `json:"customer_locale"`
	DiscountApplications     []DiscountApplication `json:"discount_applications"`
	DiscountCodes            []DiscountCode        `json:"discount_codes"`
	Email                    string                `json:"email"`
	EstimatedTaxes           bool                  `json:"estimated_taxes"`
	FinancialStatus          string                `json:"financial_status"`
	FulfillmentStatus        *string               `json:"fulfillment_status"`
	Gateway                  string                `json:"gateway"`
	Name                     string                `json:"name"`
	Note                     *string               `json:"note"`
	NoteAttributes           []NoteAttribute       `json:"note_attributes"`
	Number                   int                   `json:"number"`
	OrderNumber              int                   `json:"order_number"`
	OrderStatusURL           string                `json:"order_status_url"`
	PaymentGatewayNames      []string              `json:"payment_gateway_names"`
	Phone                    *string               `json:"phone"`
	PresentmentCurrency      string                `json:"presentment_currency"`
	ProcessedAt              string                `json:"processed_at"`
	SourceName               string                `json:"source_name"`
	SubtotalPrice            string                `json:"subtotal_price"`
	SubtotalPriceSet         MoneySet              `json:"subtotal_price_set"`
	Tags                     string                `json:"tags"`
	TaxLines                 []TaxLine             `json:"tax_lines"`
	TaxesIncluded            bool                  `json:"taxes_included"`
	Test                     bool                  `json:"test"`
	Token                    string                `json:"token"`
	TotalDiscounts           string                `json:"total_discounts"`
	TotalDiscountsSet        MoneySet              `json:"total_discounts_set"`
	TotalLineItemsPrice      string                `json:"total_line_items_price"`
	TotalLineItemsPriceSet   MoneySet              `json:"total_line_items_price_set"`
	TotalOutstanding         string                `json:"total_outstanding"`
	TotalPrice               string                `json:"total_price"`
	TotalPriceSet            MoneySet              `json:"total_price_set"`
	TotalShippingPriceSet    MoneySet              `json:"total_shipping_price_set"`
	TotalTax                 string                `json:"total_tax"`
	TotalTaxSet              MoneySet              `json:"total_tax_set"`
	TotalTipReceived         string                `json:"total_tip_received"`
	TotalWeight              int                   `json:"total_weight"`
	UpdatedAt                string                `json:"updated_at"`
	UserID                   *int64                `json:"user_id"`
	BillingAddress           *Address              `json:"billing_address"`
	Customer                 *Customer             `json:"customer"`
	Fulfillments             []Fulfillment         `json:"fulfillments"`
	LineItems                []LineItem            `json:"line_items"`
	Refunds                  []any                 `json:"refunds"`
	ShippingAddress          *Address              `json:"shipping_address"`
	ShippingLines            []ShippingLine        `json:"shipping_lines"`
}

// Webhook is a webhook subscription as webhooks.json shows it. Declared
// subscriptions (the app's configuration, not the Admin API) have an empty
// Address until SetWebhookTarget gives them one.
type Webhook struct {
	ID                         int64    `json:"id"`
	Address                    string   `json:"address"`
	Topic                      string   `json:"topic"`
	CreatedAt                  string   `json:"created_at"`
	UpdatedAt                  string   `json:"updated_at"`
	Format                     string   `json:"format"`
	Fields                     []string `json:"fields"`
	MetafieldNamespaces        []string `json:"metafield_namespaces"`
	APIVersion                 string   `json:"api_version"`
	PrivateMetafieldNamespaces []string `json:"private_metafield_namespaces"`
	// Declared is true for subscriptions from the app's configuration;
	// they are not listed by webhooks.json.
	Declared bool `json:"-"`
}

// Topics returns every webhook topic the fake delivers.
func Topics() []string {
	return []string{
		"orders/create", "orders/updated", "orders/paid", "orders/cancelled", "orders/fulfilled",
		"customers/create", "customers/update",
		"products/create", "products/update", "products/delete",
		"app/uninstalled",
		"customers/data_request", "customers/redact", "shop/redact",
	}
}

// complianceTopic reports whether topic is one of the mandatory privacy
// topics, which an app configures in its settings and never through the
// Admin API.
func complianceTopic(topic string) bool {
	switch topic {
	case "customers/data_request", "customers/redact", "shop/redact":
		return true
	}
	return false
}

func knownTopic(topic string) bool {
	for _, t := range Topics() {
		if t == topic {
			return true
		}
	}
	return false
}

// gid returns a GraphQL global id, "gid://shopify/Order/123".
func gid(kind string, id int64) string { return fmt.Sprintf("gid://shopify/%s/%d", kind, id) }

func ptr[T any](v T) *T { return &v }

// handleize turns a title into a product handle: "Green Tea" → "green-tea".
func handleize(s string) string {
	var b strings.Builder
	dash := false
	for _, r := range strings.ToLower(s) {
		if r >= 'a' && r <= 'z' || r >= '0' && r <= '9' {
			b.WriteRune(r)
			dash = false
		} else if !dash && b.Len() > 0 {
			b.WriteByte('-')
			dash = true
		}
	}
	return strings.TrimSuffix(b.String(), "-")
}
