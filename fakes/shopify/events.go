package shopify

import (
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"strconv"
	"strings"
)

// FieldError is a validation failure on one field, which the Admin API
// answers as 422 {"errors":{"<field>":["<message>"]}}. It wraps ErrInvalid
// (or ErrConflict for field "base").
type FieldError struct {
	Field   string
	Message string
}

// Error reads as Shopify's message: the field, then what is wrong with it.
func (e *FieldError) Error() string { return e.Field + " " + e.Message }

// Unwrap makes errors.Is(err, ErrInvalid) hold, or ErrConflict for a
// "base" error about the resource's state.
func (e *FieldError) Unwrap() error {
	if e.Field == "base" {
		return ErrConflict
	}
	return ErrInvalid
}

func fieldErr(field, msg string) error { return &FieldError{Field: field, Message: msg} }

// MaxProductTags is the most tags a product may have. More is refused, and
// the Admin API answers 423 with Shopify's message.
const MaxProductTags = 250

// tagLimitError is Shopify's refusal of more than MaxProductTags tags, in
// its words; it is ErrTooManyTags.
type tagLimitError struct{ msg string }

func (e *tagLimitError) Error() string        { return e.msg }
func (e *tagLimitError) Is(target error) bool { return target == ErrTooManyTags }

// countTags counts the distinct tags of a comma-separated list.
func countTags(tags string) int {
	seen := map[string]bool{}
	for _, t := range strings.Split(tags, ",") {
		if t = strings.TrimSpace(t); t != "" {
			seen[strings.ToLower(t)] = true
		}
	}
	return len(seen)
}

// Decimal is an amount given as a JSON string ("25.00") or number (25).
type Decimal string

// UnmarshalJSON accepts a string or a number.
func (d *Decimal) UnmarshalJSON(b []byte) error {
	var s string
	if err := json.Unmarshal(b, &s); err == nil {
		*d = Decimal(s)
		return nil
	}
	var n json.Number
	if err := json.Unmarshal(b, &n); err != nil {
		return fmt.Errorf("amount: want a decimal string such as \"25.00\" or a number, got %s", b)
	}
	*d = Decimal(n.String())
	return nil
}

// CustomerInput creates or updates a customer (customers.json, the
// control API).
type CustomerInput struct {
	ID        int64     `json:"id,omitempty"`
	Email     string    `json:"email,omitempty"`
	FirstName string    `json:"first_name,omitempty"`
	LastName  string    `json:"last_name,omitempty"`
	Phone     string    `json:"phone,omitempty"`
	Note      string    `json:"note,omitempty"`
	Tags      string    `json:"tags,omitempty"`
	Addresses []Address `json:"addresses,omitempty"`
}

// VariantInput is one variant of a new product.
type VariantInput struct {
	Title             string  `json:"title,omitempty"`
	Option1           string  `json:"option1,omitempty"`
	Price             Decimal `json:"price,omitempty"`
	SKU               string  `json:"sku,omitempty"`
	Grams             int     `json:"grams,omitempty"`
	InventoryQuantity int     `json:"inventory_quantity,omitempty"`
}

// ProductInput creates or updates a product (products.json, the control
// API). Without variants a product has one "Default Title" variant.
type ProductInput struct {
	Title       string         `json:"title,omitempty"`
	BodyHTML    string         `json:"body_html,omitempty"`
	Vendor      string         `json:"vendor,omitempty"`
	ProductType string         `json:"product_type,omitempty"`
	Tags        string         `json:"tags,omitempty"`
	Status      string         `json:"status,omitempty"`
	Variants    []VariantInput `json:"variants,omitempty"`
}

// LineItemInput is one line of a new order: a variant (its price unless
// Price is given) or a custom item with a title and a price.
type LineItemInput struct {
	VariantID int64   `json:"variant_id,omitempty"`
	ProductID int64   `json:"product_id,omitempty"`
	Title     string  `json:"title,omitempty"`
	Price     Decimal `json:"price,omitempty"`
	Quantity  int     `json:"quantity,omitempty"`
	SKU       string  `json:"sku,omitempty"`
}

// DiscountInput is a discount code on a new order: Type fixed_amount
// (Amount in money) or percentage (Amount in percent).
type DiscountInput struct {
	Code   string  `json:"code"`
	Amount Decimal `json:"amount"`
	Type   string  `json:"type,omitempty"`
}

// ShippingInput is the shipping charged on a new order.
type ShippingInput struct {
	Title string  `json:"title"`
	Price Decimal `json:"price"`
	Code  string  `json:"code,omitempty"`
}

// OrderInput creates an order (orders.json, the control API). Its fields
// are Shopify's; TaxRate is chatsim's (default: the shop's rate).
type OrderInput struct {
	Email           string          `json:"email,omitempty"`
	Phone           string          `json:"phone,omitempty"`
	Customer        *CustomerInput  `json:"customer,omitempty"`
	LineItems       []LineItemInput `json:"line_items"`
	FinancialStatus string          `json:"financial_status,omitempty"` // pending (default), authorized or paid
	DiscountCodes   []DiscountInput `json:"discount_codes,omitempty"`
	ShippingLines   []ShippingInput `json:"shipping_lines,omitempty"`
	ShippingAddress *Address        `json:"shipping_address,omitempty"`
	BillingAddress  *Address        `json:"billing_address,omitempty"`
	Note            string          `json:"note,omitempty"`
	Tags            string          `json:"tags,omitempty"`
	NoteAttributes  []NoteAttribute `json:"note_attributes,omitempty"`
	SourceName      string          `json:"source_name,omitempty"`
	Test            bool            `json:"test,omitempty"`
	TaxRate         *float64        `json:"tax_rate,omitempty"`
}

// FulfillInput is what a fulfilment carries: optional tracking.
type FulfillInput struct {
	TrackingCompany string `json:"tracking_company,omitempty"`
	TrackingNumber  string `json:"tracking_number,omitempty"`
	TrackingURL     string `json:"tracking_url,omitempty"`
}

// CreateCustomer adds a customer and sends customers/create.
func (s *Server) CreateCustomer(in CustomerInput) (Customer, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	c, err := s.createCustomerLocked(in)
	if err != nil {
		return Customer{}, fmt.Errorf("create customer: %w", err)
	}
	return cloneJSON(*c), nil
}

func (s *Server) createCustomerLocked(in CustomerInput) (*Customer, error) {
	if in.Email == "" && in.Phone == "" && in.FirstName == "" && in.LastName == "" {
		return nil, fieldErr("base", "Customer must have a name, phone number or email address")
	}
	if in.Email != "" {
		if !strings.Contains(in.Email, "@") {
			return nil, fieldErr("email", "is invalid")
		}
		if s.customerByEmailLocked(in.Email) != nil {
			return nil, fieldErr("email", "has already been taken")
		}
	}
	now := stamp(s.now())
	id := s.nextIDLocked("customer")
	c := &Customer{
		ID: id, Email: in.Email, CreatedAt: now, UpdatedAt: now, FirstName: in.FirstName, LastName: in.LastName,
		State: "disabled", TotalSpent: "0.00", Tags: in.Tags, Currency: s.cfg.currency,
		Addresses: []Address{}, TaxExemptions: []string{}, AdminGraphqlAPIID: gid("Customer", id),
	}
	if in.Note != "" {
		c.Note = ptr(in.Note)
	}
	if in.Phone != "" {
		c.Phone = ptr(in.Phone)
	}
	for i, a := range in.Addresses {
		a.ID, a.CustomerID, a.Default = s.nextIDLocked("address"), id, i == 0
		fillAddress(&a)
		c.Addresses = append(c.Addresses, a)
	}
	if len(c.Addresses) > 0 {
		c.DefaultAddress = ptr(c.Addresses[0])
	}
	s.customers[id] = c
	s.emitLocked("customers/create", c)
	return c, nil
}

// UpdateCustomer changes the fields of in that are set and sends
// customers/update.
func (s *Server) UpdateCustomer(id int64, in CustomerInput) (Customer, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	c, err := s.updateCustomerLocked(id, in)
	if err != nil {
		return Customer{}, fmt.Errorf("update customer %d: %w", id, err)
	}
	return cloneJSON(*c), nil
}

func (s *Server) updateCustomerLocked(id int64, in CustomerInput) (*Customer, error) {
	c := s.customers[id]
	if c == nil {
		return nil, ErrNotFound
	}
	if in.Email != "" && in.Email != c.Email {
		if !strings.Contains(in.Email, "@") {
			return nil, fieldErr("email", "is invalid")
		}
		if s.customerByEmailLocked(in.Email) != nil {
			return nil, fieldErr("email", "has already been taken")
		}
		c.Email = in.Email
	}
	if in.FirstName != "" {
		c.FirstName = in.FirstName
	}
	if in.LastName != "" {
		c.LastName = in.LastName
	}
	if in.Phone != "" {
		c.Phone = ptr(in.Phone)
	}
	if in.Note != "" {
		c.Note = ptr(in.Note)
	}
	if in.Tags != "" {
		c.Tags = in.Tags
	}
	c.UpdatedAt = stamp(s.now())
	s.emitLocked("customers/update", c)
	return c, nil
}

func (s *Server) customerByEmailLocked(email string) *Customer {
	for _, id := range sortedIDs(s.customers) {
		if c := s.customers[id]; c.Email != "" && strings.EqualFold(c.Email, email) {
			return c
		}
	}
	return nil
}

// CreateProduct adds a product and sends products/create.
func (s *Server) CreateProduct(in ProductInput) (Product, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	p, err := s.createProductLocked(in)
	if err != nil {
		return Product{}, fmt.Errorf("create product: %w", err)
	}
	return cloneJSON(*p), nil
}

func (s *Server) createProductLocked(in ProductInput) (*Product, error) {
	if strings.TrimSpace(in.Title) == "" {
		return nil, fieldErr("title", "can't be blank")
	}
	if countTags(in.Tags) > MaxProductTags {
		return nil, &tagLimitError{fmt.Sprintf("Tags cannot be more than %d.", MaxProductTags)}
	}
	status := in.Status
	switch status {
	case "":
		status = "active"
	case "active", "draft", "archived":
	default:
		return nil, fieldErr("status", "is not included in the list")
	}
	now := stamp(s.now())
	id := s.nextIDLocked("product")
	p := &Product{
		ID: id, Title: in.Title, BodyHTML: in.BodyHTML, Vendor: in.Vendor, ProductType: in.ProductType,
		CreatedAt: now, Handle: handleize(in.Title), UpdatedAt: now, PublishedScope: "web", Tags: in.Tags,
		Status: status, AdminGraphqlAPIID: gid("Product", id), Images: []any{},
	}
	if p.Vendor == "" {
		p.Vendor = s.shop.Name
	}
	if status == "active" {
		p.PublishedAt = ptr(now)
	}
	vs := in.Variants
	if len(vs) == 0 {
		vs = []VariantInput{{}}
	}
	values := []string{}
	for i, vi := range vs {
		title := vi.Option1
		if title == "" {
			title = vi.Title
		}
		if title == "" {
			title = "Default Title"
		}
		price := Money(0)
		if vi.Price != "" {
			m, err := ParseMoney(string(vi.Price))
			switch {
			case err != nil && strings.HasPrefix(strings.TrimSpace(string(vi.Price)), "-"):
				return nil, fieldErr("variants.price", "must be greater than or equal to 0")
			case err != nil:
				return nil, fieldErr("variants.price", fmt.Sprintf("must be a decimal amount of at most %s", MaxMoney))
			case m < 0:
				return nil, fieldErr("variants.price", "must be greater than or equal to 0")
			}
			price = m
		}
		vid := s.nextIDLocked("variant")
		p.Variants = append(p.Variants, Variant{
			ID: vid, ProductID: id, Title: title, Price: price.String(), Position: i + 1, InventoryPolicy: "deny",
			Option1: ptr(title), CreatedAt: now, UpdatedAt: now, Taxable: true, FulfillmentService: "manual",
			Grams: vi.Grams, InventoryManagement: ptr("shopify"), RequiresShipping: true, SKU: vi.SKU,
			Weight: float64(vi.Grams) / 1000, WeightUnit: "kg", InventoryItemID: s.nextIDLocked("inventory_item"),
			InventoryQuantity: vi.InventoryQuantity, OldInventoryQuantity: vi.InventoryQuantity,
			AdminGraphqlAPIID: gid("ProductVariant", vid),
		})
		values = append(values, title)
	}
	p.Options = []ProductOption{{ID: s.nextIDLocked("option"), ProductID: id, Name: "Title", Position: 1, Values: values}}
	s.products[id] = p
	s.emitLocked("products/create", p)
	return p, nil
}

// UpdateProduct changes the fields of in that are set (not variants) and
// sends products/update.
func (s *Server) UpdateProduct(id int64, in ProductInput) (Product, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	p, err := s.updateProductLocked(id, in)
	if err != nil {
		return Product{}, fmt.Errorf("update product %d: %w", id, err)
	}
	return cloneJSON(*p), nil
}

func (s *Server) updateProductLocked(id int64, in ProductInput) (*Product, error) {
	p := s.products[id]
	if p == nil {
		return nil, ErrNotFound
	}
	if in.Title != "" {
		p.Title = in.Title
	}
	if in.BodyHTML != "" {
		p.BodyHTML = in.BodyHTML
	}
	if in.Vendor != "" {
		p.Vendor = in.Vendor
	}
	if in.ProductType != "" {
		p.ProductType = in.ProductType
	}
	if in.Tags != "" {
		if countTags(in.Tags) > MaxProductTags {
			return nil, &tagLimitError{fmt.Sprintf("Tags cannot be added as the product already exceeds the new limit of %d tags.", MaxProductTags)}
		}
		p.Tags = in.Tags
	}
	switch in.Status {
	case "":
	case "active", "draft", "archived":
		p.Status = in.Status
	default:
		return nil, fieldErr("status", "is not included in the list")
	}
	p.UpdatedAt = stamp(s.now())
	s.emitLocked("products/update", p)
	return p, nil
}

// DeleteProduct removes a product and sends products/delete ({"id": …}).
func (s *Server) DeleteProduct(id int64) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if err := s.deleteProductLocked(id); err != nil {
		return fmt.Errorf("delete product %d: %w", id, err)
	}
	return nil
}

func (s *Server) deleteProductLocked(id int64) error {
	if s.products[id] == nil {
		return ErrNotFound
	}
	delete(s.products, id)
	s.emitLocked("products/delete", map[string]int64{"id": id})
	return nil
}

// CreateOrder places an order and sends what a store sends: customers/create
// when the buyer is new, orders/create, and orders/paid when it is paid.
func (s *Server) CreateOrder(in OrderInput) (Order, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	o, err := s.createOrderLocked(in)
	if err != nil {
		return Order{}, fmt.Errorf("create order: %w", err)
	}
	return cloneJSON(*o), nil
}

func (s *Server) variantLocked(id int64) (*Product, *Variant) {
	for _, pid := range sortedIDs(s.products) {
		p := s.products[pid]
		for i := range p.Variants {
			if p.Variants[i].ID == id {
				return p, &p.Variants[i]
			}
		}
	}
	return nil, nil
}

func (s *Server) createOrderLocked(in OrderInput) (*Order, error) {
	if len(in.LineItems) == 0 {
		return nil, fieldErr("line_items", "must have at least one line item")
	}
	fin := in.FinancialStatus
	switch fin {
	case "":
		fin = "pending"
	case "pending", "authorized", "paid":
	default:
		return nil, fieldErr("financial_status", "is not included in the list")
	}
	rate := s.cfg.taxRate
	if in.TaxRate != nil {
		rate = *in.TaxRate
	}
	if rate < 0 || rate >= 1 {
		return nil, fieldErr("tax_rate", "must be between 0 and 1")
	}
	cur := s.cfg.currency
	// Resolve the lines first: nothing changes if any is wrong.
	type line struct {
		p     *Product
		v     *Variant
		title string
		price Money
		qty   int
		sku   string
	}
	var lines []line
	var gross Money
	for i, li := range in.LineItems {
		l := line{qty: li.Quantity, title: li.Title, sku: li.SKU}
		if l.qty == 0 {
			l.qty = 1
		}
		if l.qty < 0 {
			return nil, fieldErr("line_items", fmt.Sprintf("quantity of line %d must be greater than 0", i+1))
		}
		switch {
		case li.VariantID != 0:
			l.p, l.v = s.variantLocked(li.VariantID)
			if l.v == nil {
				return nil, fieldErr("line_items", fmt.Sprintf("variant %d of line %d does not exist", li.VariantID, i+1))
			}
			l.title, l.sku = l.p.Title, l.v.SKU
			l.price, _ = ParseMoney(l.v.Price)
		case li.ProductID != 0:
			l.p = s.products[li.ProductID]
			if l.p == nil || len(l.p.Variants) == 0 {
				return nil, fieldErr("line_items", fmt.Sprintf("product %d of line %d does not exist", li.ProductID, i+1))
			}
			l.v = &l.p.Variants[0]
			l.title, l.sku = l.p.Title, l.v.SKU
			l.price, _ = ParseMoney(l.v.Price)
		case li.Title == "":
			return nil, fieldErr("line_items", fmt.Sprintf("line %d needs a variant_id or a title and a price", i+1))
		}
		if li.Price != "" {
			m, err := ParseMoney(string(li.Price))
			if err != nil || m < 0 {
				return nil, fieldErr("line_items", fmt.Sprintf("price of line %d is invalid", i+1))
			}
			l.price = m
		}
		if l.price > 0 && Money(l.qty) > (MaxMoney-gross)/l.price {
			return nil, fieldErr("line_items", fmt.Sprintf("line %d brings the order's goods to more than %s", i+1, MaxMoney))
		}
		gross += l.price * Money(l.qty)
		lines = append(lines, l)
	}
	// Discounts, allocated across lines in proportion to their amounts.
	var discount Money
	var apps []DiscountApplication
	var codes []DiscountCode
	for _, d := range in.DiscountCodes {
		typ := d.Type
		if typ == "" {
			typ = "fixed_amount"
		}
		var amt Money
		switch typ {
		case "fixed_amount":
			m, err := ParseMoney(string(d.Amount))
			if err != nil || m < 0 {
				return nil, fieldErr("discount_codes", "amount is invalid")
			}
			amt = m
			apps = append(apps, DiscountApplication{TargetType: "line_item", Type: "discount_code", Value: m.String(),
				ValueType: "fixed_amount", AllocationMethod: "across", TargetSelection: "all", Code: d.Code})
		case "percentage":
			pct, err := strconv.ParseFloat(string(d.Amount), 64)
			if err != nil || pct < 0 || pct > 100 {
				return nil, fieldErr("discount_codes", "percentage must be between 0 and 100")
			}
			amt = Money(math.Round(float64(gross-discount) * pct / 100))
			apps = append(apps, DiscountApplication{TargetType: "line_item", Type: "discount_code",
				Value: strconv.FormatFloat(pct, 'f', 1, 64), ValueType: "percentage", AllocationMethod: "across",
				TargetSelection: "all", Code: d.Code})
		default:
			return nil, fieldErr("discount_codes", "type must be fixed_amount or percentage")
		}
		amt = min(amt, gross-discount)
		discount += amt
		codes = append(codes, DiscountCode{Code: d.Code, Amount: amt.String(), Type: typ})
	}
	var shipping Money
	var ships []ShippingInput
	for _, sh := range in.ShippingLines {
		m, err := ParseMoney(string(sh.Price))
		if err != nil || m < 0 {
			return nil, fieldErr("shipping_lines", "price is invalid")
		}
		if m > MaxMoney-shipping {
			return nil, fieldErr("shipping_lines", fmt.Sprintf("shipping comes to more than %s", MaxMoney))
		}
		shipping += m
		ships = append(ships, sh)
	}
	customer, err := s.orderCustomerLocked(in)
	if err != nil {
		return nil, err
	}

	now := stamp(s.now())
	id := s.nextIDLocked("order")
	s.orderNumber++
	num := s.orderNumber
	tok := hashHex(fmt.Sprintf("%s/order-token/%d", s.cfg.domain, id), 32)
	o := &Order{
		ID: id, AdminGraphqlAPIID: gid("Order", id), ConfirmationNumber: strings.ToUpper(hashHex(tok, 9)),
		Confirmed: true, CreatedAt: now, Currency: cur, CustomerLocale: "en", DiscountApplications: apps,
		DiscountCodes: codes, FinancialStatus: fin, Gateway: "manual", Name: fmt.Sprintf("#%d", num),
		NoteAttributes: in.NoteAttributes, Number: num - 1000, OrderNumber: num,
		OrderStatusURL:      fmt.Sprintf("https://%s/%d/orders/%s/authenticate?key=%s", s.cfg.domain, s.shop.ID, tok, hashHex(tok+"/key", 32)),
		PaymentGatewayNames: []string{"manual"}, PresentmentCurrency: cur, ProcessedAt: now,
		SourceName: "web", Tags: in.Tags, Test: in.Test, Token: tok, TotalTipReceived: "0.00",
		UpdatedAt: now, Fulfillments: []Fulfillment{}, Refunds: []any{}, ShippingLines: []ShippingLine{},
		TaxLines: []TaxLine{}, BillingAddress: in.BillingAddress, ShippingAddress: in.ShippingAddress,
	}
	if o.DiscountApplications == nil {
		o.DiscountApplications = []DiscountApplication{}
		o.DiscountCodes = []DiscountCode{}
	}
	if o.NoteAttributes == nil {
		o.NoteAttributes = []NoteAttribute{}
	}
	if in.SourceName != "" {
		o.SourceName = in.SourceName
	}
	if in.Note != "" {
		o.Note = ptr(in.Note)
	}
	if in.Phone != "" {
		o.Phone = ptr(in.Phone)
	}
	fillAddress(o.BillingAddress)
	fillAddress(o.ShippingAddress)
	var tax Money
	var allocated Money
	for i, l := range lines {
		amount := l.price * Money(l.qty)
		share := Money(0)
		if discount > 0 && gross > 0 {
			if i == len(lines)-1 {
				share = discount - allocated
			} else {
				share = Money(math.Round(float64(discount) * float64(amount) / float64(gross)))
				allocated += share
			}
		}
		lid := s.nextIDLocked("line_item")
		li := LineItem{
			ID: lid, AdminGraphqlAPIID: gid("LineItem", lid), FulfillableQuantity: l.qty, FulfillmentService: "manual",
			Name: l.title, Price: l.price.String(), PriceSet: moneySet(l.price, cur), Properties: []NoteAttribute{},
			Quantity: l.qty, RequiresShipping: true, SKU: l.sku, Taxable: true, Title: l.title,
			TotalDiscount: "0.00", TotalDiscountSet: moneySet(0, cur), TaxLines: []TaxLine{}, Duties: []any{},
			DiscountAllocations: []DiscountAllocation{},
		}
		if l.v != nil {
			li.ProductID, li.VariantID, li.ProductExists = ptr(l.p.ID), ptr(l.v.ID), true
			li.VariantInventoryManagement, li.Vendor, li.Grams = ptr("shopify"), ptr(l.p.Vendor), l.v.Grams*l.qty
			if l.v.Title != "Default Title" {
				li.VariantTitle = ptr(l.v.Title)
				li.Name = l.title + " - " + l.v.Title
			}
			l.v.OldInventoryQuantity = l.v.InventoryQuantity
			l.v.InventoryQuantity -= l.qty
		}
		if share > 0 {
			li.DiscountAllocations = append(li.DiscountAllocations, DiscountAllocation{Amount: share.String(), AmountSet: moneySet(share, cur)})
		}
		if rate > 0 {
			t := Money(math.Round(float64(amount-share) * rate))
			tax += t
			li.TaxLines = append(li.TaxLines, TaxLine{Price: t.String(), Rate: rate, Title: "Tax", PriceSet: moneySet(t, cur)})
		}
		o.TotalWeight += li.Grams
		o.LineItems = append(o.LineItems, li)
	}
	if rate > 0 {
		o.TaxLines = append(o.TaxLines, TaxLine{Price: tax.String(), Rate: rate, Title: "Tax", PriceSet: moneySet(tax, cur)})
	}
	for _, sh := range ships {
		m, _ := ParseMoney(string(sh.Price))
		sid := s.nextIDLocked("shipping_line")
		code := sh.Code
		if code == "" {
			code = sh.Title
		}
		o.ShippingLines = append(o.ShippingLines, ShippingLine{ID: sid, Code: code, Price: m.String(), PriceSet: moneySet(m, cur),
			DiscountedPrice: m.String(), DiscountedPriceSet: moneySet(m, cur), Source: "shopify", Title: sh.Title,
			TaxLines: []TaxLine{}, DiscountAllocations: []any{}})
	}
	subtotal := gross - discount
	total := subtotal + tax + shipping
	o.TotalLineItemsPrice, o.TotalLineItemsPriceSet = gross.String(), moneySet(gross, cur)
	o.TotalDiscounts, o.TotalDiscountsSet = discount.String(), moneySet(discount, cur)
	o.CurrentTotalDiscounts, o.CurrentTotalDiscountsSet = discount.String(), moneySet(discount, cur)
	o.SubtotalPrice, o.SubtotalPriceSet = subtotal.String(), moneySet(subtotal, cur)
	o.CurrentSubtotalPrice, o.CurrentSubtotalPriceSet = subtotal.String(), moneySet(subtotal, cur)
	o.TotalTax, o.TotalTaxSet = tax.String(), moneySet(tax, cur)
	o.CurrentTotalTax, o.CurrentTotalTaxSet = tax.String(), moneySet(tax, cur)
	o.TotalShippingPriceSet = moneySet(shipping, cur)
	o.TotalPrice, o.TotalPriceSet = total.String(), moneySet(total, cur)
	o.CurrentTotalPrice, o.CurrentTotalPriceSet = total.String(), moneySet(total, cur)
	o.TotalOutstanding = total.String()
	if fin == "paid" {
		o.TotalOutstanding = "0.00"
	}
	if customer != nil {
		o.Email = customer.Email
		o.ContactEmail = ptr(customer.Email)
		customer.OrdersCount++
		customer.LastOrderID, customer.LastOrderName = ptr(id), ptr(o.Name)
		if fin == "paid" {
			spent, _ := ParseMoney(customer.TotalSpent)
			customer.TotalSpent = (spent + total).String()
		}
		customer.UpdatedAt = now
		o.Customer = ptr(cloneJSON(*customer))
	} else if in.Email != "" {
		o.Email, o.ContactEmail = in.Email, ptr(in.Email)
	}
	s.putOrderLocked(o)
	s.emitLocked("orders/create", o)
	if fin == "paid" {
		s.emitLocked("orders/paid", o)
	}
	return o, nil
}

// orderCustomerLocked finds the buyer of a new order or creates them
// (sending customers/create). A guest order has none.
func (s *Server) orderCustomerLocked(in OrderInput) (*Customer, error) {
	ci := CustomerInput{}
	if in.Customer != nil {
		ci = *in.Customer
	}
	if ci.ID != 0 {
		c := s.customers[ci.ID]
		if c == nil {
			return nil, fieldErr("customer", fmt.Sprintf("%d does not exist", ci.ID))
		}
		return c, nil
	}
	if ci.Email == "" {
		ci.Email = in.Email
	}
	if ci.Email == "" {
		return nil, nil
	}
	if c := s.customerByEmailLocked(ci.Email); c != nil {
		return c, nil
	}
	if ci.Phone == "" {
		ci.Phone = in.Phone
	}
	return s.createCustomerLocked(ci)
}

func fillAddress(a *Address) {
	if a == nil {
		return
	}
	if a.Name == "" {
		a.Name = strings.TrimSpace(a.FirstName + " " + a.LastName)
	}
}

func (s *Server) orderLocked(id int64) (*Order, error) {
	o := s.orders[id]
	if o == nil {
		return nil, ErrNotFound
	}
	return o, nil
}

// PayOrder marks a pending or authorized order paid and sends orders/paid
// then orders/updated.
func (s *Server) PayOrder(id int64) (Order, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	o, err := s.payOrderLocked(id)
	if err != nil {
		return Order{}, fmt.Errorf("pay order %d: %w", id, err)
	}
	return cloneJSON(*o), nil
}

func (s *Server) payOrderLocked(id int64) (*Order, error) {
	o, err := s.orderLocked(id)
	if err != nil {
		return nil, err
	}
	switch {
	case o.CancelledAt != nil:
		return nil, fieldErr("base", "Cannot pay a cancelled order")
	case o.FinancialStatus == "paid":
		return nil, fieldErr("base", "Order is already paid")
	case o.FinancialStatus != "pending" && o.FinancialStatus != "authorized":
		return nil, fieldErr("base", "Cannot pay an order that is "+o.FinancialStatus)
	}
	o.FinancialStatus = "paid"
	o.TotalOutstanding = "0.00"
	o.UpdatedAt = stamp(s.now())
	if o.Customer != nil {
		if c := s.customers[o.Customer.ID]; c != nil {
			spent, _ := ParseMoney(c.TotalSpent)
			total, _ := ParseMoney(o.TotalPrice)
			c.TotalSpent = (spent + total).String()
			o.Customer = ptr(cloneJSON(*c))
		}
	}
	s.emitLocked("orders/paid", o)
	s.emitLocked("orders/updated", o)
	return o, nil
}

// FulfillOrder ships every unfulfilled line of an order and sends
// orders/fulfilled then orders/updated.
func (s *Server) FulfillOrder(id int64, in FulfillInput) (Order, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	o, err := s.fulfillOrderLocked(id, in)
	if err != nil {
		return Order{}, fmt.Errorf("fulfill order %d: %w", id, err)
	}
	return cloneJSON(*o), nil
}

func (s *Server) fulfillOrderLocked(id int64, in FulfillInput) (*Order, error) {
	o, err := s.orderLocked(id)
	if err != nil {
		return nil, err
	}
	switch {
	case o.CancelledAt != nil:
		return nil, fieldErr("base", "Cannot fulfill a cancelled order")
	case o.FulfillmentStatus != nil && *o.FulfillmentStatus == "fulfilled":
		return nil, fieldErr("base", "Order is already fulfilled")
	}
	now := stamp(s.now())
	fid := s.nextIDLocked("fulfillment")
	f := Fulfillment{
		ID: fid, AdminGraphqlAPIID: gid("Fulfillment", fid), CreatedAt: now, LocationID: 90001000001,
		Name: fmt.Sprintf("%s.%d", o.Name, len(o.Fulfillments)+1), OrderID: o.ID, Service: "manual",
		Status: "success", TrackingNumbers: []string{}, TrackingURLs: []string{}, UpdatedAt: now,
	}
	if in.TrackingCompany != "" {
		f.TrackingCompany = ptr(in.TrackingCompany)
	}
	if in.TrackingNumber != "" {
		f.TrackingNumber = ptr(in.TrackingNumber)
		f.TrackingNumbers = []string{in.TrackingNumber}
	}
	if in.TrackingURL != "" {
		f.TrackingURL = ptr(in.TrackingURL)
		f.TrackingURLs = []string{in.TrackingURL}
	}
	for i := range o.LineItems {
		li := &o.LineItems[i]
		if li.FulfillableQuantity == 0 {
			continue
		}
		li.FulfillableQuantity = 0
		li.FulfillmentStatus = ptr("fulfilled")
		f.LineItems = append(f.LineItems, *li)
	}
	o.Fulfillments = append(o.Fulfillments, f)
	o.FulfillmentStatus = ptr("fulfilled")
	o.UpdatedAt = now
	s.emitLocked("orders/fulfilled", o)
	s.emitLocked("orders/updated", o)
	return o, nil
}

// CancelOrder cancels an unfulfilled order (reason customer, fraud,
// inventory, declined or other; empty means other) and sends
// orders/cancelled then orders/updated. A pending order's payment is
// voided; a paid one is refunded.
func (s *Server) CancelOrder(id int64, reason string) (Order, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	o, err := s.cancelOrderLocked(id, reason)
	if err != nil {
		return Order{}, fmt.Errorf("cancel order %d: %w", id, err)
	}
	return cloneJSON(*o), nil
}

func (s *Server) cancelOrderLocked(id int64, reason string) (*Order, error) {
	o, err := s.orderLocked(id)
	if err != nil {
		return nil, err
	}
	switch reason {
	case "":
		reason = "other"
	case "customer", "fraud", "inventory", "declined", "other", "staff":
	default:
		return nil, fieldErr("reason", "is not included in the list")
	}
	switch {
	case o.CancelledAt != nil:
		return nil, fieldErr("base", "Order has already been cancelled")
	case len(o.Fulfillments) > 0:
		return nil, fieldErr("base", "Cannot cancel an order that has fulfillments")
	}
	now := stamp(s.now())
	o.CancelledAt, o.CancelReason, o.UpdatedAt = ptr(now), ptr(reason), now
	if o.ClosedAt == nil {
		o.ClosedAt = ptr(now)
	}
	switch o.FinancialStatus {
	case "pending", "authorized":
		o.FinancialStatus = "voided"
	case "paid":
		o.FinancialStatus = "refunded"
	}
	zero := Money(0)
	o.CurrentTotalPrice, o.CurrentTotalPriceSet = zero.String(), moneySet(0, o.Currency)
	o.CurrentSubtotalPrice, o.CurrentSubtotalPriceSet = zero.String(), moneySet(0, o.Currency)
	o.CurrentTotalTax, o.CurrentTotalTaxSet = zero.String(), moneySet(0, o.Currency)
	o.CurrentTotalDiscounts, o.CurrentTotalDiscountsSet = zero.String(), moneySet(0, o.Currency)
	o.TotalOutstanding = "0.00"
	s.emitLocked("orders/cancelled", o)
	s.emitLocked("orders/updated", o)
	return o, nil
}

// CloseOrder archives an order and sends orders/updated.
func (s *Server) CloseOrder(id int64) (Order, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	o, err := s.closeOrderLocked(id)
	if err != nil {
		return Order{}, fmt.Errorf("close order %d: %w", id, err)
	}
	return cloneJSON(*o), nil
}

func (s *Server) closeOrderLocked(id int64) (*Order, error) {
	o, err := s.orderLocked(id)
	if err != nil {
		return nil, err
	}
	if o.ClosedAt != nil {
		return o, nil
	}
	now := stamp(s.now())
	o.ClosedAt, o.UpdatedAt = ptr(now), now
	s.emitLocked("orders/updated", o)
	return o, nil
}

// Uninstall removes the app from the shop as a merchant does: it sends
// app/uninstalled (the shop object), then deletes the subscriptions made
// through the Admin API and revokes every access token (the Admin API
// answers 401 until the app is installed again through OAuth).
func (s *Server) Uninstall() error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if !s.installed {
		return fmt.Errorf("uninstall: %w", ErrUninstall)
	}
	s.shop.UpdatedAt = stamp(s.now())
	s.emitLocked("app/uninstalled", s.shop)
	for id, w := range s.webhooks {
		if !w.Declared {
			delete(s.webhooks, id)
		}
	}
	s.tokens = map[string]*token{}
	s.installed = false
	return nil
}

// Installed reports whether the app is installed.
func (s *Server) Installed() bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.installed
}

// RequestCompliance sends a mandatory privacy webhook as Shopify does when
// a customer or the merchant asks: customers/data_request and
// customers/redact name a customer (and their orders), shop/redact needs
// none (customerID 0).
func (s *Server) RequestCompliance(topic string, customerID int64) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if !complianceTopic(topic) {
		return fmt.Errorf("request compliance webhook %q: want customers/data_request, customers/redact or shop/redact: %w", topic, ErrBadTopic)
	}
	body := map[string]any{"shop_id": s.shop.ID, "shop_domain": s.cfg.domain}
	if topic != "shop/redact" {
		c := s.customers[customerID]
		if c == nil {
			return fmt.Errorf("request compliance webhook %s: customer %d: %w", topic, customerID, ErrNotFound)
		}
		var orders []int64
		for _, id := range sortedIDs(s.orders) {
			if o := s.orders[id]; o.Customer != nil && o.Customer.ID == customerID {
				orders = append(orders, id)
			}
		}
		if orders == nil {
			orders = []int64{}
		}
		cust := map[string]any{"id": c.ID, "email": c.Email, "phone": c.Phone}
		body["customer"] = cust
		if topic == "customers/redact" {
			body["orders_to_redact"] = orders
		} else {
			s.uuidSeq++
			body["orders_requested"] = orders
			body["data_request"] = map[string]any{"id": 9001000000 + s.uuidSeq}
		}
	}
	s.emitLocked(topic, body)
	return nil
}

// Order returns an order by id.
func (s *Server) Order(id int64) (Order, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	o := s.orders[id]
	if o == nil {
		return Order{}, false
	}
	return cloneJSON(*o), true
}

// Orders returns every order, oldest first.
func (s *Server) Orders() []Order {
	s.mu.Lock()
	defer s.mu.Unlock()
	out := []Order{}
	for _, id := range sortedIDs(s.orders) {
		out = append(out, cloneJSON(*s.orders[id]))
	}
	return out
}

// Customers returns every customer, oldest first.
func (s *Server) Customers() []Customer {
	s.mu.Lock()
	defer s.mu.Unlock()
	out := []Customer{}
	for _, id := range sortedIDs(s.customers) {
		out = append(out, cloneJSON(*s.customers[id]))
	}
	return out
}

// Products returns every product, oldest first.
func (s *Server) Products() []Product {
	s.mu.Lock()
	defer s.mu.Unlock()
	out := []Product{}
	for _, id := range sortedIDs(s.products) {
		out = append(out, cloneJSON(*s.products[id]))
	}
	return out
}

// Shop returns the shop.
func (s *Server) Shop() Shop {
	s.mu.Lock()
	defer s.mu.Unlock()
	return cloneJSON(s.shop)
}

// cloneJSON deep-copies a value through JSON, so callers never share the
// store's slices and pointers.
func cloneJSON[T any](v T) T {
	b, err := json.Marshal(v)
	if err != nil {
		panic(fmt.Sprintf("shopify: clone %T: %v", v, err)) // the store's types always marshal
	}
	var out T
	if err := json.Unmarshal(b, &out); err != nil {
		panic(fmt.Sprintf("shopify: clone %T: %v", v, err))
	}
	return out
}

// errorsAs is errors.As with a typed target, for readability.
func asFieldError(err error) (*FieldError, bool) {
	var fe *FieldError
	ok := errors.As(err, &fe)
	return fe, ok
}
