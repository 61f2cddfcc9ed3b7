package features

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strconv"
	"strings"

	"github.com/chatsim/chatsim/fakes/shopify"
	"github.com/chatsim/chatsim/sim"
)

// shopifyAdapter makes the scenario's Shopify adapter when the World
// simulates Shopify.
func shopifyAdapter(s *Scenario, w *sim.World) Platform {
	if w.Shopify == nil {
		return nil
	}
	return newShopifyPlatform(w.Shopify)
}

// shopifyPlatform is the Shopify fake behind the shared vocabulary. People
// are shoppers: "ada" (Ada Lovelace) is ada@example.com, who becomes a
// customer of the store when she signs up or first orders. Products are
// named by their titles; orders by the names the scenario gives them
// ("#1001"), which must be the names the store gives them when they look
// like one.
type shopifyPlatform struct {
	srv      *shopify.Server
	people   map[string]*shopper
	products map[string]int64 // title → the variant an order line buys
	orders   map[string]int64 // the scenario's name → order id
}

// shopper is one person of the scenario on Shopify.
type shopper struct {
	first, last, email string
	customer           int64 // the store's customer id, once they are one
}

func newShopifyPlatform(srv *shopify.Server) *shopifyPlatform {
	return &shopifyPlatform{srv: srv, people: map[string]*shopper{}, products: map[string]int64{}, orders: map[string]int64{}}
}

func (p *shopifyPlatform) Name() string { return "Shopify" }

func (p *shopifyPlatform) Has(person string) bool { _, ok := p.people[person]; return ok }

// addShopper registers a person: "Ada Lovelace" gives first name Ada, last
// name Lovelace; no name gives the handle capitalised. The email is
// <handle>@example.com.
func (p *shopifyPlatform) addShopper(handle, name string) error {
	if _, ok := p.people[handle]; ok {
		return fmt.Errorf("shopper %q is already set up", handle)
	}
	if handle == "" || strings.ContainsAny(handle, " @") {
		return fmt.Errorf("shopper %q: want a handle without spaces or @, such as \"ada\"", handle)
	}
	first, last, _ := strings.Cut(strings.TrimSpace(name), " ")
	if first == "" {
		first = strings.ToUpper(handle[:1]) + handle[1:]
	}
	p.people[handle] = &shopper{first: first, last: last, email: strings.ToLower(handle) + "@example.com"}
	return nil
}

func (p *shopifyPlatform) person(handle string) (*shopper, error) {
	sh, ok := p.people[handle]
	if !ok {
		return nil, fmt.Errorf("shopper %q: %w on Shopify (shoppers: %s)", handle, ErrNotFound, quoteAll(sortedKeys(p.people)))
	}
	return sh, nil
}

// product returns the variant id of the product with that title.
func (p *shopifyPlatform) product(title string) (int64, error) {
	id, ok := p.products[title]
	if !ok {
		return 0, fmt.Errorf("product %q: %w in the store (it sells: %s; add it with Given the Shopify store sells:)", title, ErrNotFound, quoteAll(sortedKeys(p.products)))
	}
	return id, nil
}

// order returns the id of the order the scenario calls name.
func (p *shopifyPlatform) order(name string) (int64, error) {
	id, ok := p.orders[name]
	if !ok {
		return 0, fmt.Errorf("order %q: %w in the store (orders: %s)", name, ErrNotFound, quoteAll(sortedKeys(p.orders)))
	}
	return id, nil
}

func sortedKeys[V any](m map[string]V) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	slices.Sort(out)
	return out
}

// signUp makes the person a customer of the store (customers/create).
func (p *shopifyPlatform) signUp(handle string) error {
	sh, err := p.person(handle)
	if err != nil {
		return err
	}
	if sh.customer != 0 {
		return fmt.Errorf("%q is already a customer of the store (%d)", handle, sh.customer)
	}
	c, err := p.srv.CreateCustomer(shopify.CustomerInput{Email: sh.email, FirstName: sh.first, LastName: sh.last})
	if err != nil {
		return err
	}
	sh.customer = c.ID
	return nil
}

// createOrder places the order name: lines are product title → quantity,
// in the order of their titles; the order is pending until it is paid.
func (p *shopifyPlatform) createOrder(sh *shopper, name string, lines map[string]string) (shopify.Order, error) {
	if _, taken := p.orders[name]; taken {
		return shopify.Order{}, fmt.Errorf("order %q already exists: name each order once", name)
	}
	if len(lines) == 0 {
		return shopify.Order{}, fmt.Errorf("order %q: no lines: give a table of product | quantity", name)
	}
	in := shopify.OrderInput{}
	for _, title := range sortedKeys(lines) {
		vid, err := p.product(title)
		if err != nil {
			return shopify.Order{}, err
		}
		qty, err := strconv.Atoi(strings.TrimSpace(lines[title]))
		if err != nil || qty < 1 {
			return shopify.Order{}, fmt.Errorf("order %q: quantity of %q: want a whole number from 1, got %q", name, title, lines[title])
		}
		in.LineItems = append(in.LineItems, shopify.LineItemInput{VariantID: vid, Quantity: qty})
	}
	if sh.customer != 0 {
		in.Customer = &shopify.CustomerInput{ID: sh.customer}
	} else {
		in.Customer = &shopify.CustomerInput{Email: sh.email, FirstName: sh.first, LastName: sh.last}
	}
	o, err := p.srv.CreateOrder(in)
	if err != nil {
		return shopify.Order{}, err
	}
	if o.Customer != nil {
		sh.customer = o.Customer.ID
	}
	p.orders[name] = o.ID
	if strings.HasPrefix(name, "#") && name != o.Name {
		return o, fmt.Errorf("the store named the order %s, not %s: Shopify numbers orders from #1001 in the order they are placed", o.Name, name)
	}
	return o, nil
}

func (p *shopifyPlatform) Do(ctx context.Context, a Action) (string, error) {
	sh, err := p.person(a.Person)
	if err != nil {
		return "", err
	}
	line := a.Person + "  ▸ "
	switch a.Kind {
	case CreateOrder:
		var items []string
		for _, title := range sortedKeys(a.Values) {
			items = append(items, strings.TrimSpace(a.Values[title])+" × "+title)
		}
		_, err := p.createOrder(sh, a.Target, a.Values)
		return line + "(orders " + a.Target + ": " + strings.Join(items, ", ") + ")", err
	case PayOrder:
		id, err := p.order(a.Target)
		if err != nil {
			return "", err
		}
		_, err = p.srv.PayOrder(id)
		return line + "(pays " + a.Target + ")", err
	case CancelOrder:
		id, err := p.order(a.Target)
		if err != nil {
			return "", err
		}
		_, err = p.srv.CancelOrder(id, "customer")
		return line + "(cancels " + a.Target + ")", err
	case Send, SendPhoto, Edit, Delete, React, Mention, Reply, Command, Click, Pick, PickDate, Submit, Join, Leave:
		return "", fmt.Errorf("%s: %w: a Shopify store has no chat (shoppers order, pay and cancel)", a.Kind, ErrUnsupported)
	}
	return "", fmt.Errorf("%s: %w", a.Kind, ErrUnsupported)
}

// Seen is not supported: a store has no chat to look at.
func (p *shopifyPlatform) Seen(person, place string) ([]Shown, error) {
	return nil, fmt.Errorf("what %q sees: %w: a Shopify store has no chat; assert on the platform's events instead", person, ErrUnsupported)
}

// shopifyOf returns the scenario's Shopify adapter, starting the World.
func (s *Scenario) shopifyOf(ctx context.Context) (*shopifyPlatform, error) {
	if _, err := s.world(ctx); err != nil {
		return nil, err
	}
	if p, ok := s.adapter("Shopify").(*shopifyPlatform); ok {
		return p, nil
	}
	return nil, errors.New("shopify is not simulated in this world: choose a Shopify integration, such as Given the integration \"examples/shopify\" with its definition")
}

// storeAct runs a merchant's or Shopify's own action as a numbered World
// step, with a line for the transcript.
func (s *Scenario) storeAct(ctx context.Context, do func(p *shopifyPlatform) (string, error)) error {
	p, err := s.shopifyOf(ctx)
	if err != nil {
		return err
	}
	return s.act(ctx, func(ctx context.Context, _ *sim.World) (string, error) { return do(p) })
}

// productFields are the product fields a step may change, as Shopify
// names them.
const productFields = "title, status, vendor, product_type, tags, body_html"

func shopifySteps() []Step {
	return []Step{
		{
			Group: "shopify", Pattern: `^a Shopify customer "([^"]*)"(?: \(([^)]*)\))?$`,
			Doc: "A shopper with this handle and an optional full name; their email is <handle>@example.com. The store makes them a " +
				"customer (customers/create) when they sign up or place their first order.",
			Example: `Given a Shopify customer "ada" (Ada Lovelace)`,
			run: func(ctx context.Context, s *Scenario, a args) error {
				p, err := s.shopifyOf(ctx)
				if err != nil {
					return err
				}
				return p.addShopper(a.s[0], a.s[1])
			},
		},
		{
			Group: "shopify", Pattern: `^the Shopify store sells:$`, arg: argTable,
			Doc: "Products in the store, one variant each (a two-column table: title | price as a decimal, \"12.00\"). They are " +
				"created before the scenario acts, as a setup step of the journal.",
			Example: "Given the Shopify store sells:\n  | Earl Grey Tea  | 12.00 |\n  | Ceramic Teapot | 35.00 |",
			run: func(ctx context.Context, s *Scenario, a args) error {
				p, err := s.shopifyOf(ctx)
				if err != nil {
					return err
				}
				if a.table == nil || len(a.table.Rows) == 0 {
					return errors.New("the store sells nothing: give a table of title | price")
				}
				type row struct{ title, price string }
				var rows []row
				var names []string
				for i, r := range a.table.Rows {
					if len(r.Cells) != 2 {
						return fmt.Errorf("table row %d: want 2 cells (title | price), got %d", i+1, len(r.Cells))
					}
					t, pr := strings.TrimSpace(r.Cells[0].Value), strings.TrimSpace(r.Cells[1].Value)
					if _, err := shopify.ParseMoney(pr); err != nil {
						return fmt.Errorf("table row %d: price of %q: want a decimal such as 12.00, got %q", i+1, t, pr)
					}
					if _, dup := p.products[t]; dup {
						return fmt.Errorf("table row %d: the store already sells %q", i+1, t)
					}
					rows = append(rows, row{t, pr})
					names = append(names, t+" "+pr)
				}
				w := s.world0()
				return w.Step(ctx, "setup  the Shopify store sells "+strings.Join(names, ", "), func(ctx context.Context) error {
					for _, r := range rows {
						pr, err := p.srv.CreateProduct(shopify.ProductInput{Title: r.title, Variants: []shopify.VariantInput{{Price: shopify.Decimal(r.price)}}})
						if err != nil {
							return err
						}
						p.products[r.title] = pr.Variants[0].ID
					}
					return nil
				})
			},
		},
		{
			Group: "shopify", Pattern: `^"([^"]*)" signs up at the store$`,
			Doc:     "The shopper creates a customer account: the store sends customers/create.",
			Example: `When "ada" signs up at the store`,
			run: func(ctx context.Context, s *Scenario, a args) error {
				return s.storeAct(ctx, func(p *shopifyPlatform) (string, error) {
					return a.s[0] + "  ▸ (signs up)", p.signUp(a.s[0])
				})
			},
		},
		{
			Group: "shopify", Pattern: `^the store fulfils the order "([^"]*)"(?: with the tracking number "([^"]*)")?$`,
			Doc:     "The merchant ships every line of the order, with an optional tracking number: orders/fulfilled, then orders/updated.",
			Example: `When the store fulfils the order "#1001" with the tracking number "1Z999AA10123456784"`,
			run: func(ctx context.Context, s *Scenario, a args) error {
				return s.storeAct(ctx, func(p *shopifyPlatform) (string, error) {
					id, err := p.order(a.s[0])
					if err != nil {
						return "", err
					}
					_, err = p.srv.FulfillOrder(id, shopify.FulfillInput{TrackingNumber: a.s[1]})
					return "store  ▸ (fulfils " + a.s[0] + ")", err
				})
			},
		},
		{
			Group: "shopify", Pattern: `^the store changes the product "([^"]*)":$`, arg: argTable,
			Doc: "The merchant edits a product (a two-column table: field | value, the fields title, status, vendor, product_type, " +
				"tags, body_html): products/update.",
			Example: "When the store changes the product \"Earl Grey Tea\":\n  | title | Earl Grey Supreme |",
			run: func(ctx context.Context, s *Scenario, a args) error {
				vals, err := tableValues(a)
				if err != nil {
					return err
				}
				var in shopify.ProductInput
				for _, k := range sortedKeys(vals) {
					v := vals[k]
					switch k {
					case "title":
						in.Title = v
					case "status":
						in.Status = v
					case "vendor":
						in.Vendor = v
					case "product_type":
						in.ProductType = v
					case "tags":
						in.Tags = v
					case "body_html":
						in.BodyHTML = v
					default:
						return fmt.Errorf("product field %q: %w (fields: %s)", k, ErrNotFound, productFields)
					}
				}
				return s.storeAct(ctx, func(p *shopifyPlatform) (string, error) {
					vid, err := p.product(a.s[0])
					if err != nil {
						return "", err
					}
					var pid int64
					for _, pr := range p.srv.Products() {
						for _, v := range pr.Variants {
							if v.ID == vid {
								pid = pr.ID
							}
						}
					}
					if _, err := p.srv.UpdateProduct(pid, in); err != nil {
						return "", err
					}
					if in.Title != "" && in.Title != a.s[0] {
						delete(p.products, a.s[0])
						p.products[in.Title] = vid
					}
					return "store  ▸ (changes " + a.s[0] + ")", nil
				})
			},
		},
		{
			Group: "shopify", Pattern: `^the app is uninstalled from the store$`,
			Doc: "The merchant removes the app: app/uninstalled is sent, then the app's Admin API subscriptions are deleted and its " +
				"access token stops working (401).",
			Example: `When the app is uninstalled from the store`,
			run: func(ctx context.Context, s *Scenario, a args) error {
				return s.storeAct(ctx, func(p *shopifyPlatform) (string, error) {
					return "store  ▸ (uninstalls the app)", p.srv.Uninstall()
				})
			},
		},
		{
			Group: "shopify", Pattern: `^Shopify delivers (every webhook twice|the newest webhook first|webhooks once, in order)$`,
			Doc: "A delivery knob: every successful delivery is made again with the same ids (a duplicate the integration must not " +
				"fire twice), the webhooks of one change arrive newest first (out of order), or back to normal.",
			Example: `Given Shopify delivers every webhook twice`,
			run: func(ctx context.Context, s *Scenario, a args) error {
				p, err := s.shopifyOf(ctx)
				if err != nil {
					return err
				}
				k := p.srv.Knobs()
				switch a.s[0] {
				case "every webhook twice":
					k.Duplicate = true
				case "the newest webhook first":
					k.Reverse = true
				default:
					k = shopify.Knobs{}
				}
				p.srv.SetKnobs(k)
				return nil
			},
		},
	}
}
