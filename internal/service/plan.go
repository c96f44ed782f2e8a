package service

import (
	"context"

	"github.com/keyward/keyward/internal/keyward"
)

// planOf returns the plan of an owner account; an account naming a plan the catalog no longer
// has gets the default plan, so that a catalog edit cannot lock an account out.
func (s *Service) planOf(o *keyward.Owner) keyward.Plan {
	if p, ok := s.plans.Lookup(o.Plan); ok {
		return p
	}
	p, _ := s.plans.Lookup("")
	return p
}

// requireFeature answers 402 InsufficientAccountLevel when the account's plan lacks feature.
func (s *Service) requireFeature(ctx context.Context, tx keyward.Tx, ownerID, feature string) error {
	o, err := s.findOwner(ctx, tx, ownerID)
	if err != nil {
		return err
	}
	return planIncludes(s.planOf(o), ownerID, feature)
}

// planIncludes answers 402 InsufficientAccountLevel when plan lacks feature.
func planIncludes(p keyward.Plan, ownerID, feature string) error {
	if !p.Includes(feature) {
		return keyward.ErrInsufficientAccountLevel.WithDetails("the plan %q of owner account %q does not include %s", p.Name, ownerID, feature)
	}
	return nil
}

// checkPlanName refuses a plan the catalog does not have.
func (s *Service) checkPlanName(plan string) error {
	if _, ok := s.plans.Lookup(plan); !ok {
		return keyward.Invalidf("unknown plan %q; the catalog has %v", plan, s.plans.Names())
	}
	return nil
}

// SetOwnerPlan changes the plan of an owner account.
func (s *Service) SetOwnerPlan(ctx context.Context, ownerID, plan string) error {
	if err := requireOperator(ctx, "change an owner account's plan"); err != nil {
		return err
	}
	if err := s.checkPlanName(plan); err != nil {
		return err
	}
	return s.store.InOwnerTx(ctx, ownerID, func(tx keyward.OwnerTx) error { return tx.SetOwnerPlan(ctx, plan) })
}
