package keyward

import (
	"encoding/json"
	"fmt"
	"sort"
)

// Plan features (decisions §3): what an owner account's plan may include.
const (
	FeatureTimeRestrictions  = "timeRestrictions"
	FeatureLockGroups        = "lockGroups"
	FeatureIdentityProviders = "identityProviders"
)

// Plan is one subscription level: how many smartphone users an account may have (0 for no
// limit) and which features it includes.
type Plan struct {
	Name                string   `json:"name"`
	SmartphoneUserLimit int      `json:"smartphoneUserLimit"`
	Features            []string `json:"features"`
}

// Includes reports whether the plan has feature f.
func (p Plan) Includes(f string) bool { return contains(p.Features, f) }

// Plans is the operator's plan catalog. An owner account without a plan has the default plan.
type Plans struct {
	Default string `json:"default"`
	Plans   []Plan `json:"plans"`
}

// BuiltinPlans is the catalog used when the operator configures none: the default plan is
// unlimited, so that a self-hoster meets no 402 until they configure plans.
func BuiltinPlans() *Plans {
	all := []string{FeatureTimeRestrictions, FeatureLockGroups, FeatureIdentityProviders}
	return &Plans{Default: "unlimited", Plans: []Plan{
		{Name: "free", SmartphoneUserLimit: 5, Features: []string{}},
		{Name: "standard", SmartphoneUserLimit: 50, Features: []string{FeatureTimeRestrictions, FeatureLockGroups}},
		{Name: "unlimited", SmartphoneUserLimit: 0, Features: all},
	}}
}

// ParsePlans reads a catalog in JSON and checks it: unique names, known features, a default
// that exists, and no negative limits.
func ParsePlans(data []byte) (*Plans, error) {
	var p Plans
	if err := json.Unmarshal(data, &p); err != nil {
		return nil, fmt.Errorf("plans: %w", err)
	}
	seen := map[string]bool{}
	for _, plan := range p.Plans {
		if plan.Name == "" || seen[plan.Name] {
			return nil, fmt.Errorf("plans: plan names must be unique and not empty, got %q", plan.Name)
		}
		seen[plan.Name] = true
		if plan.SmartphoneUserLimit < 0 {
			return nil, fmt.Errorf("plans: plan %q: smartphoneUserLimit must be 0 (no limit) or more", plan.Name)
		}
		for _, f := range plan.Features {
			if f != FeatureTimeRestrictions && f != FeatureLockGroups && f != FeatureIdentityProviders {
				return nil, fmt.Errorf("plans: plan %q: unknown feature %q", plan.Name, f)
			}
		}
	}
	if !seen[p.Default] {
		return nil, fmt.Errorf("plans: the default plan %q is not in the catalog", p.Default)
	}
	return &p, nil
}

// Lookup returns the named plan; "" is the default plan. ok is false for an unknown name.
func (p *Plans) Lookup(name string) (Plan, bool) {
	if name == "" {
		name = p.Default
	}
	for _, plan := range p.Plans {
		if plan.Name == name {
			return plan, true
		}
	}
	return Plan{}, false
}

// Names lists the plan names, sorted.
func (p *Plans) Names() []string {
	names := make([]string, len(p.Plans))
	for i, plan := range p.Plans {
		names[i] = plan.Name
	}
	sort.Strings(names)
	return names
}
