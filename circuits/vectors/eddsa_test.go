package vectors

import (
	"encoding/hex"
	"strconv"
	"testing"

	"github.com/consensys/gnark-crypto/ecc/bn254/fr/poseidon2"
	"github.com/consensys/gnark-crypto/ecc/bn254/twistededwards/eddsa"
)

// TestEdDSAVectors checks that gnark-crypto's EdDSA (BN254 twisted Edwards, Poseidon2 Merkle-Damgard
// challenge hash) accepts exactly the Java signatures marked valid, and that the public key bytes decode
// to the Java coordinates.
func TestEdDSAVectors(t *testing.T) {
	var v struct {
		Cases []struct {
			PublicKeyX     string `json:"publicKeyX"`
			PublicKeyY     string `json:"publicKeyY"`
			PublicKeyBytes string `json:"publicKeyBytes"`
			Message        string `json:"message"`
			SignatureBytes string `json:"signatureBytes"`
			Valid          bool   `json:"valid"`
		} `json:"cases"`
	}
	load(t, "test-vectors/commit/eddsa.json", &v)
	if len(v.Cases) == 0 {
		t.Fatal("no cases")
	}
	for i, c := range v.Cases {
		t.Run(strconv.Itoa(i), func(t *testing.T) {
			pkBytes, err := hex.DecodeString(c.PublicKeyBytes)
			if err != nil {
				t.Fatal(err)
			}
			var pk eddsa.PublicKey
			if _, err := pk.SetBytes(pkBytes); err != nil {
				t.Fatalf("public key bytes: %v", err)
			}
			x, y := el(t, c.PublicKeyX), el(t, c.PublicKeyY)
			if !pk.A.X.Equal(&x) || !pk.A.Y.Equal(&y) {
				t.Fatal("public key bytes do not decode to the Java coordinates")
			}
			sig, err := hex.DecodeString(c.SignatureBytes)
			if err != nil {
				t.Fatal(err)
			}
			msg := el(t, c.Message)
			mb := msg.Bytes()
			ok, err := pk.Verify(sig, mb[:], poseidon2.NewMerkleDamgardHasher())
			if ok != c.Valid {
				t.Fatalf("gnark-crypto verify = %v (%v), Java says valid = %v", ok, err, c.Valid)
			}
		})
	}
}
