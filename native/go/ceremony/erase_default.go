//go:build !goexperiment.runtimesecret

package ceremony

// SecretErasure says how the toxic waste of a contribution is erased in this build (see eraseAfter).
const SecretErasure = "not erased: the secrets exist only inside gnark's Contribute call (locals, big.Int " +
	"temporaries, the powers-of-tau slice, stacks of gnark's worker goroutines) and no reference survives it, " +
	"but Go does not overwrite freed memory, so they stay in this process's memory until reused or until the " +
	"process exits (build with GOEXPERIMENT=runtimesecret for runtime/secret.Do erasure; native/README.md)"

// eraseAfter runs f. Without the runtimesecret experiment Go offers no way to wipe the registers,
// stack and heap that f's callee (gnark) used: the secret scalars are gnark's local variables, which
// this package cannot reach to zero.
func eraseAfter(f func()) { f() }
