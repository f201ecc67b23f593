//go:build goexperiment.runtimesecret

package ceremony

import "runtime/secret"

// SecretErasure says how the toxic waste of a contribution is erased in this build (see eraseAfter).
const SecretErasure = "runtime/secret.Do: registers and stack of the contributing goroutine are erased before it " +
	"returns and the heap it allocated once the garbage collector finds it unreachable; NOT covered: the " +
	"stacks of the worker goroutines gnark starts for its parallel scalar multiplications, and objects " +
	"allocated before the call that gnark writes into (e.g. pooled values)"

// eraseAfter runs f under runtime/secret.Do (Go 1.26, GOEXPERIMENT=runtimesecret, linux/amd64 and
// arm64), which erases the registers and stack f used before returning and f's heap allocations once
// they are unreachable. Goroutines started by f are not covered (see runtime/secret).
func eraseAfter(f func()) { secret.Do(f) }
