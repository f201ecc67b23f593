package health

import "github.com/zkmargin/zkmargin/circuits/gadget/account"

// AccountVars returns the account-opening inputs of an assigned health circuit (leaf, state path, entries,
// globals) as the account gadget's Vars, so that the liquidation and exit circuits are assigned from a
// health witness (the same opening data) without a second witness format. The health circuit itself does
// not use the gadget (its constraint system stays unchanged).
func (c *Circuit) AccountVars() account.Vars {
	return account.Vars{
		OwnerPkX: c.OwnerPkX, OwnerPkY: c.OwnerPkY, L1Address: c.L1Address, OrdersRoot: c.OrdersRoot,
		Leaf: c.Leaf, StatePath: c.StatePath, InstrumentsRoot: c.InstrumentsRoot,
		Entries: c.Entries, EntryPaths: c.EntryPaths, Globals: c.Globals,
	}
}
