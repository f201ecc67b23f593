//go:build !goexperiment.runtimesecret

package ceremony

// SecretErasure says how the toxic waste of a contribution is erased in this build (see eraseAfter).
const SecretErasure = "best effort: the secret exists only inside gnark's Contribute call and no reference to it " +
	"survives the call, but Go does not overwrite freed stack or heap memory (build with " +
	"GOEXPERIMENT=runtimesecret for runtime/secret.Do erasure)"

// eraseAfter runs f. Without the runtimesecret experiment Go offers no way to wipe the registers,
// stack and heap that f's callee (gnark) used: the secret scalars are gnark's local variables, which
// this package cannot reach to zero.
func eraseAfter(f func()) { f() }
