package engine

import (
	"github.com/zkmargin/zkmargin/circuits/registry"
)

// registryResolver resolves the bridge's self-test circuits itself and every other id with the shared
// circuit registry.
func registryResolver(id string) (registry.Definition, error) {
	if isSelfTest(id) {
		return selfTestResolver(id)
	}
	return registry.Lookup(id)
}
