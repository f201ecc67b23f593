//go:build goexperiment.runtimesecret

package ceremony

import "runtime/secret"

// SecretErasure says how the toxic waste of a contribution is erased in this build (see eraseAfter).
const SecretErasure = "runtime/secret.Do: registers and stack used by the contribution are erased before it " +
	"returns and its heap allocations once the garbage collector finds them unreachable; memory of " +
	"goroutines that gnark starts inside the contribution (parallel scalar multiplication) is not covered"

// eraseAfter runs f under runtime/secret.Do (Go 1.26, GOEXPERIMENT=runtimesecret, linux/amd64 and
// arm64), which erases the registers and stack f used before returning and f's heap allocations once
// they are unreachable. Goroutines started by f are not covered (see runtime/secret).
func eraseAfter(f func()) { secret.Do(f) }
