package shopify

import (
	"context"
	"errors"
	"fmt"
	"strings"

	"github.com/chatsim/chatsim/fakes"
)

// withPersons runs a step on the scenario's Shopify fake, holding its
// people, products and orders.
func withPersons(run func(ctx context.Context, sc fakes.Scene, p *persons, a fakes.StepArgs) error) func(ctx context.Context, sc fakes.Scene, a fakes.StepArgs) error {
	return fakes.Bind(func(ctx context.Context, sc fakes.Scene, s *Server, a fakes.StepArgs) error {
		s.persons.mu.Lock()
		defer s.persons.mu.Unlock()
		return run(ctx, sc, s.persons, a)
	})
}

// productFields are the product fields a step may change, as Shopify
// names them.
const productFields = "title, status, vendor, product_type, tags, body_html"

// steps are Shopify's own steps: its shoppers, products and merchant, and
// its delivery knobs (Kind.Steps).
func steps() []fakes.Step {
	with := withPersons
	return []fakes.Step{
		{
			Pattern: `^a Shopify customer "([^"]*)"(?: \(([^)]*)\))?$`,
			Doc: "A shopper with this handle and an optional full name; their email is <handle>@example.com. The store makes them a " +
				"customer (customers/create) when they sign up or place their first order.",
			Example: `Given a Shopify customer "ada" (Ada Lovelace)`,
			Run: with(func(ctx context.Context, sc fakes.Scene, p *persons, a fakes.StepArgs) error {
				return p.addShopper(a.Groups[0], a.Groups[1])
			}),
		},
		{
			Pattern: `^the Shopify store sells:$`, Arg: fakes.TableArg,
			Doc: "Products in the store, one variant each (a two-column table: title | price as a decimal, \"12.00\"). They are " +
				"created before the scenario acts, as a setup step of the journal.",
			Example: "Given the Shopify store sells:\n  | Earl Grey Tea  | 12.00 |\n  | Ceramic Teapot | 35.00 |",
			Run: with(func(ctx context.Context, sc fakes.Scene, p *persons, a fakes.StepArgs) error {
				if len(a.Table) == 0 {
					return errors.New("the store sells nothing: give a table of title | price")
				}
				type row struct{ title, price string }
				var rows []row
				var names []string
				for i, r := range a.Table {
					if len(r) != 2 {
						return fmt.Errorf("table row %d: want 2 cells (title | price), got %d", i+1, len(r))
					}
					t, pr := strings.TrimSpace(r[0]), strings.TrimSpace(r[1])
					if _, err := ParseMoney(pr); err != nil {
						return fmt.Errorf("table row %d: price of %q: want a decimal such as 12.00, got %q", i+1, t, pr)
					}
					if _, dup := p.products[t]; dup {
						return fmt.Errorf("table row %d: the store already sells %q", i+1, t)
					}
					rows = append(rows, row{t, pr})
					names = append(names, t+" "+pr)
				}
				return sc.Setup(ctx, "the Shopify store sells "+strings.Join(names, ", "), func(ctx context.Context) error {
					for _, r := range rows {
						pr, err := p.srv.CreateProduct(ProductInput{Title: r.title, Variants: []VariantInput{{Price: Decimal(r.price)}}})
						if err != nil {
							return err
						}
						p.products[r.title] = pr.Variants[0].ID
					}
					return nil
				})
			}),
		},
		{
			Pattern: `^"([^"]*)" signs up at the store$`,
			Doc:     "The shopper creates a customer account: the store sends customers/create.",
			Example: `When "ada" signs up at the store`,
			Run: with(func(ctx context.Context, sc fakes.Scene, p *persons, a fakes.StepArgs) error {
				return sc.Act(ctx, func(ctx context.Context) (string, error) {
					return a.Groups[0] + "  ▸ (signs up)", p.signUp(a.Groups[0])
				})
			}),
		},
		{
			Pattern: `^the store fulfils the order "([^"]*)"(?: with the tracking number "([^"]*)")?$`,
			Doc:     "The merchant ships every line of the order, with an optional tracking number: orders/fulfilled, then orders/updated.",
			Example: `When the store fulfils the order "#1001" with the tracking number "1Z999AA10123456784"`,
			Run: with(func(ctx context.Context, sc fakes.Scene, p *persons, a fakes.StepArgs) error {
				return sc.Act(ctx, func(ctx context.Context) (string, error) {
					id, err := p.order(a.Groups[0])
					if err != nil {
						return "", err
					}
					_, err = p.srv.FulfillOrder(id, FulfillInput{TrackingNumber: a.Groups[1]})
					return "store  ▸ (fulfils " + a.Groups[0] + ")", err
				})
			}),
		},
		{
			Pattern: `^the store changes the product "([^"]*)":$`, Arg: fakes.TableArg,
			Doc: "The merchant edits a product (a two-column table: field | value, the fields title, status, vendor, product_type, " +
				"tags, body_html): products/update.",
			Example: "When the store changes the product \"Earl Grey Tea\":\n  | title | Earl Grey Supreme |",
			Run: with(func(ctx context.Context, sc fakes.Scene, p *persons, a fakes.StepArgs) error {
				vals, err := fakes.TableValues(a.Table)
				if err != nil {
					return err
				}
				var in ProductInput
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
						return fmt.Errorf("product field %q: %w (fields: %s)", k, fakes.ErrNotFound, productFields)
					}
				}
				return sc.Act(ctx, func(ctx context.Context) (string, error) {
					vid, err := p.product(a.Groups[0])
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
					if in.Title != "" && in.Title != a.Groups[0] {
						delete(p.products, a.Groups[0])
						p.products[in.Title] = vid
					}
					return "store  ▸ (changes " + a.Groups[0] + ")", nil
				})
			}),
		},
		{
			Pattern: `^the app is uninstalled from the store$`,
			Doc: "The merchant removes the app: app/uninstalled is sent, then the app's Admin API subscriptions are deleted and its " +
				"access token stops working (401).",
			Example: `When the app is uninstalled from the store`,
			Run: with(func(ctx context.Context, sc fakes.Scene, p *persons, a fakes.StepArgs) error {
				return sc.Act(ctx, func(ctx context.Context) (string, error) {
					return "store  ▸ (uninstalls the app)", p.srv.Uninstall()
				})
			}),
		},
		{
			Pattern: `^Shopify delivers (every webhook twice|the newest webhook first|webhooks once, in order)$`,
			Doc: "A delivery knob: every successful delivery is made again with the same ids (a duplicate the integration must not " +
				"fire twice), the webhooks of one change arrive newest first (out of order), or back to normal.",
			Example: `Given Shopify delivers every webhook twice`,
			Run: with(func(ctx context.Context, sc fakes.Scene, p *persons, a fakes.StepArgs) error {
				k := p.srv.Knobs()
				switch a.Groups[0] {
				case "every webhook twice":
					k.Duplicate = true
				case "the newest webhook first":
					k.Reverse = true
				default:
					k = Knobs{}
				}
				p.srv.SetKnobs(k)
				return nil
			}),
		},
	}
}
