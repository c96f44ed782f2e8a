package service

import (
	"context"

	"github.com/keyward/keyward/internal/keyward"
)

// useCase is what a management use case asks of its caller: its name, which refusals show; the
// scope a token needs; and the role on the owner account (RoleOwner, or "" for any role).
type useCase struct {
	name  string
	scope string
	role  keyward.Role
}

// Who may call a use case, as refusals say it.
const (
	byUser          = "a user (with a token or a session)"
	byOperator      = "the operator"
	byClientManager = "the operator or a signed-in user"
)

// caller returns the principal in ctx. None, or one of no known kind, is the 401 of a request
// without credentials, so that a principal built by hand is never mistaken for a privileged one.
func caller(ctx context.Context) (*keyward.Principal, error) {
	p := keyward.PrincipalFromContext(ctx)
	if p == nil || !p.Kind.Valid() {
		return nil, keyward.ErrNoToken.WithDetails("the request carries no authenticated caller")
	}
	return p, nil
}

// userCaller returns the caller of a use case that acts with a user's rights: a token, which
// must hold scope (else the seed's 401), or a session, which has no scopes to check. Devices and
// the operator are refused.
func userCaller(ctx context.Context, op, scope string) (*keyward.Principal, error) {
	p, err := actingUser(ctx, op)
	if err != nil {
		return nil, err
	}
	if err := checkScope(p, scope); err != nil {
		return nil, err
	}
	return p, nil
}

// actingUser returns the caller if it acts with a user's rights (a token or a session), and
// refuses devices and the operator.
func actingUser(ctx context.Context, op string) (*keyward.Principal, error) {
	p, err := caller(ctx)
	if err != nil {
		return nil, err
	}
	if !p.ActsForUser() {
		return nil, refuse(p, op, byUser)
	}
	return p, nil
}

// checkScope is the seed's 401 for a token without scope; a session has no scopes to check.
func checkScope(p *keyward.Principal, scope string) error {
	if p.Kind == keyward.PrincipalToken && !p.HasScope(scope) {
		return keyward.InsufficientScope(scope)
	}
	return nil
}

// authorize checks that the caller is a user allowed to run uc on the owner account: a token's
// scope, then the user's role there. An account the user does not administer is 403 whether or
// not it exists, so that account ids cannot be probed.
func (s *Service) authorize(ctx context.Context, ownerID string, uc useCase) error {
	p, err := userCaller(ctx, uc.name, uc.scope)
	if err != nil {
		return err
	}
	role, err := s.role(ctx, p, ownerID)
	if err != nil {
		return err
	}
	switch {
	case role == "":
		return keyward.ErrForbidden.WithDetails("the caller has no permission on owner account %q", ownerID)
	case uc.role == keyward.RoleOwner && role != keyward.RoleOwner:
		return keyward.ErrForbidden.WithDetails("the operation needs the Owner role on owner account %q; the caller is %s", ownerID, role)
	}
	return nil
}

// role is the caller's role on ownerID: the one read with the caller's token for this request
// when there is one (keyward.Principal.RoleOn), else read now.
func (s *Service) role(ctx context.Context, p *keyward.Principal, ownerID string) (keyward.Role, error) {
	if role, ok := p.RoleOn(ownerID); ok {
		return role, nil
	}
	return s.data.FindRole(ctx, ownerID, p.UserID)
}

// requireOperator refuses every caller of an operator use case but the operator.
func requireOperator(ctx context.Context, op string) error {
	p, err := caller(ctx)
	if err != nil {
		return err
	}
	if p.Kind != keyward.PrincipalOperator {
		return refuse(p, op, byOperator)
	}
	return nil
}

// requireClientManager lets a client use case run for the operator, who manages every client,
// and for a user's session, which manages that user's clients; the use case then reads which
// from the principal.
func requireClientManager(ctx context.Context, op string) error {
	p, err := caller(ctx)
	if err != nil {
		return err
	}
	if p.Kind != keyward.PrincipalOperator && p.Kind != keyward.PrincipalSession {
		return refuse(p, op, byClientManager)
	}
	return nil
}

// refuse is the 403 for a caller whose kind the use case is not open to; the details name the
// caller, the use case and who may run it.
func refuse(p *keyward.Principal, op, who string) error {
	if p.Kind == keyward.PrincipalDevice {
		return keyward.ErrForbidden.WithDetails("%s acts only as itself and cannot %s; only %s can", p, op, who)
	}
	return keyward.ErrForbidden.WithDetails("%s cannot %s; only %s can", p, op, who)
}
