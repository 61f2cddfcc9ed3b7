package shopify

import (
	"context"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"sync"

	"github.com/chatsim/chatsim/fakes"
)

// persons is the Shopify fake behind the shared vocabulary. People
// are shoppers: "ada" (Ada Lovelace) is ada@example.com, who becomes a
// customer of the store when she signs up or first orders. Products are
// named by their titles; orders by the names the scenario gives them
// ("#1001"), which must be the names the store gives them when they look
// like one.
type persons struct {
	mu       sync.Mutex // held through an action or a setup step
	srv      *Server
	people   map[string]*shopper
	products map[string]int64 // title → the variant an order line buys
	orders   map[string]int64 // the scenario's name → order id
}

// shopper is one person of the scenario on Shopify.
type shopper struct {
	first, last, email string
	customer           int64 // the store's customer id, once they are one
}

func newPersons(srv *Server) *persons {
	return &persons{srv: srv, people: map[string]*shopper{}, products: map[string]int64{}, orders: map[string]int64{}}
}

// Has reports whether the person was set up on the fake as a shopper
// (fakes.People).
func (p *persons) Has(person string) bool {
	p.mu.Lock()
	defer p.mu.Unlock()
	_, ok := p.people[person]
	return ok
}

// Do performs a as a shopper (fakes.People): they create, pay and cancel
// orders. A store has no chat: every other action is fakes.ErrUnsupported.
func (p *persons) Do(ctx context.Context, a fakes.Action) (string, error) {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.do(ctx, a)
}

// Seen is fakes.ErrUnsupported: a store has no chat to look at
// (fakes.People).
func (p *persons) Seen(person, place string) ([]fakes.Shown, error) {
	return nil, fmt.Errorf("what %q sees: %w: a Shopify store has no chat; assert on the platform's events instead", person, fakes.ErrUnsupported)
}

// addShopper registers a person: "Ada Lovelace" gives first name Ada, last
// name Lovelace; no name gives the handle capitalised. The email is
// <handle>@example.com.
func (p *persons) addShopper(handle, name string) error {
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

func (p *persons) person(handle string) (*shopper, error) {
	sh, ok := p.people[handle]
	if !ok {
		return nil, fmt.Errorf("shopper %q: %w on Shopify (shoppers: %s)", handle, fakes.ErrNotFound, fakes.QuoteAll(sortedKeys(p.people)))
	}
	return sh, nil
}

// product returns the variant id of the product with that title.
func (p *persons) product(title string) (int64, error) {
	id, ok := p.products[title]
	if !ok {
		return 0, fmt.Errorf("product %q: %w in the store (it sells: %s; add it with Given the Shopify store sells:)", title, fakes.ErrNotFound, fakes.QuoteAll(sortedKeys(p.products)))
	}
	return id, nil
}

// order returns the id of the order the scenario calls name.
func (p *persons) order(name string) (int64, error) {
	id, ok := p.orders[name]
	if !ok {
		return 0, fmt.Errorf("order %q: %w in the store (orders: %s)", name, fakes.ErrNotFound, fakes.QuoteAll(sortedKeys(p.orders)))
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
func (p *persons) signUp(handle string) error {
	sh, err := p.person(handle)
	if err != nil {
		return err
	}
	if sh.customer != 0 {
		return fmt.Errorf("%q is already a customer of the store (%d)", handle, sh.customer)
	}
	c, err := p.srv.CreateCustomer(CustomerInput{Email: sh.email, FirstName: sh.first, LastName: sh.last})
	if err != nil {
		return err
	}
	sh.customer = c.ID
	return nil
}

// createOrder places the order name: lines are product title → quantity,
// in the order of their titles; the order is pending until it is paid.
func (p *persons) createOrder(sh *shopper, name string, lines map[string]string) (Order, error) {
	if _, taken := p.orders[name]; taken {
		return Order{}, fmt.Errorf("order %q already exists: name each order once", name)
	}
	if len(lines) == 0 {
		return Order{}, fmt.Errorf("order %q: no lines: give a table of product | quantity", name)
	}
	in := OrderInput{}
	for _, title := range sortedKeys(lines) {
		vid, err := p.product(title)
		if err != nil {
			return Order{}, err
		}
		qty, err := strconv.Atoi(strings.TrimSpace(lines[title]))
		if err != nil || qty < 1 {
			return Order{}, fmt.Errorf("order %q: quantity of %q: want a whole number from 1, got %q", name, title, lines[title])
		}
		in.LineItems = append(in.LineItems, LineItemInput{VariantID: vid, Quantity: qty})
	}
	if sh.customer != 0 {
		in.Customer = &CustomerInput{ID: sh.customer}
	} else {
		in.Customer = &CustomerInput{Email: sh.email, FirstName: sh.first, LastName: sh.last}
	}
	o, err := p.srv.CreateOrder(in)
	if err != nil {
		return Order{}, err
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

func (p *persons) do(ctx context.Context, a fakes.Action) (string, error) {
	sh, err := p.person(a.Person)
	if err != nil {
		return "", err
	}
	line := a.Person + "  ▸ "
	switch a.Kind {
	case fakes.ActCreateOrder:
		var items []string
		for _, title := range sortedKeys(a.Values) {
			items = append(items, strings.TrimSpace(a.Values[title])+" × "+title)
		}
		_, err := p.createOrder(sh, a.Target, a.Values)
		return line + "(orders " + a.Target + ": " + strings.Join(items, ", ") + ")", err
	case fakes.ActPayOrder:
		id, err := p.order(a.Target)
		if err != nil {
			return "", err
		}
		_, err = p.srv.PayOrder(id)
		return line + "(pays " + a.Target + ")", err
	case fakes.ActCancelOrder:
		id, err := p.order(a.Target)
		if err != nil {
			return "", err
		}
		_, err = p.srv.CancelOrder(id, "customer")
		return line + "(cancels " + a.Target + ")", err
	case fakes.ActSend, fakes.ActSendPhoto, fakes.ActEdit, fakes.ActDelete, fakes.ActReact, fakes.ActMention, fakes.ActReply, fakes.ActCommand, fakes.ActClick, fakes.ActPick, fakes.ActPickDate, fakes.ActSubmit, fakes.ActJoin, fakes.ActLeave:
		return "", fmt.Errorf("%s: %w: a Shopify store has no chat (shoppers order, pay and cancel)", a.Kind, fakes.ErrUnsupported)
	}
	return "", fmt.Errorf("%s: %w", a.Kind, fakes.ErrUnsupported)
}
