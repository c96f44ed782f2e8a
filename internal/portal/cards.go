package portal

import (
	"net/http"
	"net/url"
	"strconv"

	"github.com/keyward/keyward/internal/keyward"
	"github.com/keyward/keyward/internal/odata"
)

// cardRoutes are the pages of an account's NFC cards: the list with the bind form, and a card's
// page with its grants.
func (s *Server) cardRoutes() []Route {
	o := Root + "/owners/{owner}/cards"
	return []Route{
		get(o, s.cardsPage),
		post(o, s.bindCard),
		get(o+"/{card}", s.cardPage),
		post(o+"/{card}/edit", s.editCard),
		get(o+"/{card}/revoke", s.confirmRevokeCardGrants),
		post(o+"/{card}/revoke", s.revokeCardGrants),
	}
}

// cardsView is the data of the card list and its bind form.
type cardsView struct {
	Owner                *keyward.Owner
	Cards                []*keyward.BoundCard
	Pages                inventoryPager
	PhysicalCardID, Name string
	Errors               fieldErrors
}

// cardsPage serves GET .../cards.
func (s *Server) cardsPage(rq *request) error {
	o, err := s.owner(rq)
	if err != nil {
		return err
	}
	return s.showCards(rq, http.StatusOK, o, cardsView{})
}

func (s *Server) showCards(rq *request, status int, o *keyward.Owner, v cardsView) error {
	q, number, err := inventoryQuery(rq, url.Values{"$filter": {"isActive eq true"}})
	if err != nil {
		return err
	}
	cards, err := s.svc.Cards.FindBoundCards(rq.ctx, o.ID, q)
	if err != nil {
		return err
	}
	v.Owner = o
	v.Cards, v.Pages = inventoryPage(cards, number, ownerPath(o.ID, "cards"), nil)
	return s.render(rq, status, "cards", pageData{Title: s.t(rq, "portal.nav.cards"), Owner: o, Section: "cards", View: v})
}

// bindCard serves POST .../cards: the registered card with the id joins the account.
func (s *Server) bindCard(rq *request) error {
	o, err := s.owner(rq)
	if err != nil {
		return err
	}
	v := cardsView{PhysicalCardID: rq.value("physicalCardId"), Name: rq.value("title")}
	c, err := s.svc.Cards.BindCard(rq.ctx, o.ID, keyward.BindCardRequest{PhysicalCardID: &v.PhysicalCardID, Title: emptyAsNil(v.Name)})
	if err != nil {
		fe, ferr := s.formRefusal(rq, err, "physicalCardId", "title")
		if ferr != nil {
			return ferr
		}
		v.Errors = fe.errors
		return s.showCards(rq, fe.status, o, v)
	}
	return redirect(rq, ownerPath(o.ID, "cards", c.ID), "cardBound")
}

// cardView is the data of a card's page.
type cardView struct {
	Owner  *keyward.Owner
	Card   *keyward.BoundCard
	Name   string
	Grants []inventoryGrant
	Errors fieldErrors
}

// ownerCard loads the account and its {card}.
func (s *Server) ownerCard(rq *request) (*keyward.Owner, *keyward.BoundCard, error) {
	o, err := s.owner(rq)
	if err != nil {
		return nil, nil, err
	}
	c, err := s.svc.Cards.FindBoundCard(rq.ctx, o.ID, rq.r.PathValue("card"))
	return o, c, err
}

// cardPage serves GET .../cards/{card}.
func (s *Server) cardPage(rq *request) error {
	o, c, err := s.ownerCard(rq)
	if err != nil {
		return err
	}
	return s.showCard(rq, http.StatusOK, o, c, cardView{Name: deref(c.Title)})
}

func (s *Server) showCard(rq *request, status int, o *keyward.Owner, c *keyward.BoundCard, v cardView) error {
	q, err := odata.Parse(url.Values{"$top": {strconv.Itoa(keyward.MaxTop)}})
	if err != nil {
		return err
	}
	grants, err := s.svc.Grants.FindBoundCardGrants(rq.ctx, o.ID, c.ID, q)
	if err != nil {
		return err
	}
	v.Owner, v.Card, v.Grants = o, c, s.inventoryGrants(rq, o.ID, grants)
	return s.render(rq, status, "cards-card", pageData{Title: nameOfCard(c), Owner: o, Section: "cards", View: v})
}

// editCard serves POST .../cards/{card}/edit: the title.
func (s *Server) editCard(rq *request) error {
	o, c, err := s.ownerCard(rq)
	if err != nil {
		return err
	}
	title := rq.value("title")
	if err := s.svc.Cards.UpdateBoundCard(rq.ctx, o.ID, c.ID, keyward.BoundCardUpdate{Title: &title}); err != nil {
		fe, ferr := s.formRefusal(rq, err, "title")
		if ferr != nil {
			return ferr
		}
		return s.showCard(rq, fe.status, o, c, cardView{Name: title, Errors: fe.errors})
	}
	return redirect(rq, ownerPath(o.ID, "cards", c.ID), "cardSaved")
}

// confirmRevokeCardGrants serves GET .../cards/{card}/revoke, for a lost or stolen card.
func (s *Server) confirmRevokeCardGrants(rq *request) error {
	o, c, err := s.ownerCard(rq)
	if err != nil {
		return err
	}
	return s.confirm(rq, o, "cards", confirmView{
		Question:    s.t(rq, "portal.cards.revokeQuestion", nameOfCard(c)),
		Consequence: s.t(rq, "portal.cards.revokeConsequence"),
		Action:      ownerPath(o.ID, "cards", c.ID, "revoke"),
		Submit:      s.t(rq, "portal.inventory.revokeAll"),
		Cancel:      ownerPath(o.ID, "cards", c.ID),
	})
}

// revokeCardGrants serves POST .../cards/{card}/revoke.
func (s *Server) revokeCardGrants(rq *request) error {
	o, c, err := s.ownerCard(rq)
	if err != nil {
		return err
	}
	if _, err := s.svc.Grants.RevokeBoundCardGrants(rq.ctx, o.ID, c.ID); err != nil {
		return err
	}
	return redirect(rq, ownerPath(o.ID, "cards", c.ID), "cardGrantsRevoked")
}
