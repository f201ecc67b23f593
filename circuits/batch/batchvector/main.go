// Command batchvector writes the checked-in Solidity verifier of the test-size batch circuit and a real batch
// proof for the forge tests, with one fresh development key pair (single-party setup):
//
//   - verifier-contracts/keys/<id>.vk (gnark WriteRawTo), verifier-contracts/src/verifiers/<id>.sol (gnark's
//     ExportSolidity of that key) and the circuit's entry in verifier-contracts/verifiers.json (circuit digest,
//     key hash), exactly as io.zkmargin.chain.VerifierExport writes them for the health circuit, so that
//     CheckedInVerifierTest (chain) checks them the same way;
//   - test-vectors/chain/batch-proof.json: a zkmargin proof file (docs/ENCODING.md: format, circuitId,
//     verifyingKeyHash, publicInputs, the canonical 324-byte proof) plus a "batch" object with everything the
//     forge test needs to rebuild the on-chain state the proof's public inputs name (test/utils/BatchVector.sol);
//   - test-vectors/chain/batch-proof-forced.json: the same with the same key for a second batch from the same
//     genesis whose request slot pays a forced withdrawal (kind 8) instead of the liquidation.
//
// The batch (test size N = 2, Q = 1) starts from the genesis queue (head 0) of a Settlement whose genesis root is
// the builder's venue (accounts 0, 1, 2) plus account 3, under water (20 lots of the perp against a quote debt);
// genesisAccounts = 4, so the first registration gets id 4: slot 0 consumes the registration of account 4 (key
// batchtest.Key(5), DEPOSIT atoms from DEPOSITOR), slot 1 withdraws WITHDRAW of it to WITHDRAW_TO, signed by
// account 4's key at nonce 0, and the liquidation slot liquidates 16 lots of account 3 into account 2 with a
// penalty of 1,000,000 atoms, for the keeper KEEPER (whose share, 100,000, is the batch's second withdrawal).
// The forced batch has the same two generic slots, then pays account 4's forced withdrawal of FORCED atoms to its
// l1Address (DEPOSITOR, who registered it: the on-chain requester), the batch's second withdrawal.
//
// Run from the repository root: go run ./circuits/batch/batchvector
package main

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"flag"
	"fmt"
	"log"
	"os"
	"path/filepath"
	"sort"
	"strings"

	"github.com/consensys/gnark-crypto/ecc/bn254/fr"

	"github.com/zkmargin/zkmargin/circuits/batch"
	"github.com/zkmargin/zkmargin/circuits/batch/batchtest"
	"github.com/zkmargin/zkmargin/circuits/encoding"
	"github.com/zkmargin/zkmargin/native/go/engine"
)

// The on-chain side of the vector; BatchProof.t.sol reads them from the JSON, never from here.
const (
	genesisAccounts = 4
	registeredID    = 4
	liquidatedID    = 3
	keeper          = 0xCAFE
	liqTake         = 16
	liqPenalty      = 1_000_000
	depositor       = 0xA11CE0 // address(0xA11CE0), ALICE of the forge tests
	depositAmount   = 2_000_000
	withdrawTo      = 0xB0B0 // BOB
	withdrawAmount  = 750_000
	forcedAmount    = 500_000
	batchTime       = 1_700_000_000
)

func main() {
	contracts := flag.String("contracts", "verifier-contracts", "verifier-contracts directory")
	vectors := flag.String("vectors", "test-vectors/chain", "test-vectors/chain directory")
	flag.Parse()
	if err := run(*contracts, *vectors); err != nil {
		log.Fatal(err)
	}
}

func run(contracts, vectors string) error {
	s := batch.TestSizes
	id := s.ID()
	e := engine.Default()
	digest, err := e.CircuitDigest(id)
	if err != nil {
		return err
	}
	pk, vk, err := e.Setup(id)
	if err != nil {
		return err
	}
	vkHandle, err := e.LoadVerifyingKey(id, vk)
	if err != nil {
		return err
	}
	sol, err := e.ExportSolidity(vkHandle)
	if err != nil {
		return err
	}
	pkHandle, err := e.LoadProvingKey(id, pk)
	if err != nil {
		return err
	}

	b, pkX, pkY := genesis(s)
	b.Start().Deposit().Withdraw(registeredID, withdrawAmount, withdrawTo)
	liq := b.Liq(liquidatedID, 2, []int64{liqTake, 0}, []int64{0, 0}, liqPenalty)
	liq.Keeper = keeper
	c := b.Liquidate(liq).Build()
	keeperShare := liqPenalty * b.Globals.KeeperSharePpm / 1_000_000
	proof, publics, err := prove(e, pkHandle, vkHandle, c)
	if err != nil {
		return err
	}
	fb, _, _ := genesis(s)
	fb.Start().Deposit().Withdraw(registeredID, withdrawAmount, withdrawTo)
	fc := fb.ForcedWithdrawal(fb.Forced(batch.KindForcedPaid, registeredID, forcedAmount)).Build()
	fproof, fpublics, err := prove(e, pkHandle, vkHandle, fc)
	if err != nil {
		return err
	}
	vkHash := sha256.Sum256(vk)
	entry := map[string]string{
		"circuitId":        id,
		"circuitDigest":    hex.EncodeToString(digest[:]),
		"verifyingKeyHash": hex.EncodeToString(vkHash[:]),
		"verifierFile":     "src/verifiers/" + id + ".sol",
		"verifyingKeyFile": "keys/" + id + ".vk",
	}
	if err := os.WriteFile(filepath.Join(contracts, entry["verifierFile"]), []byte(sol), 0o644); err != nil {
		return err
	}
	if err := os.WriteFile(filepath.Join(contracts, entry["verifyingKeyFile"]), vk, 0o644); err != nil {
		return err
	}
	if err := writeManifest(filepath.Join(contracts, "verifiers.json"), entry); err != nil {
		return err
	}

	str := func(v any) string { return fmt.Sprint(v) }
	deposits := []map[string]string{{"accountId": str(registeredID), "amount": str(depositAmount), "pkX": pkX.String(), "pkY": pkY.String(), "depositor": str(depositor)}}
	write := func(name string, proof []byte, publics []string, withdrawals, requests []map[string]string) error {
		vec := map[string]any{
			"format":           "zkmargin-proof-v1",
			"circuitId":        id,
			"verifyingKeyHash": entry["verifyingKeyHash"],
			"publicInputs":     publics,
			"proof":            hex.EncodeToString(proof),
			"batch": map[string]any{
				"note": "written by go run ./circuits/batch/batchvector; the Settlement state the public inputs name: " +
					"genesis root = oldRoot with genesisAccounts, the deposits registered in order from an empty queue, " +
					"riskRoot posted by the oracles, withdrawals in slot order (a request slot's withdrawal after the generic slots' " +
					"withdrawals), requests (Settlement.Request: kind 6 liquidation, 8 forced withdrawal paid, 9 refused; " +
					"party the keeper or the requester) in slot order; every number a decimal string",
				"oldRoot":         publics[0],
				"newRoot":         publics[1],
				"riskRoot":        publics[2],
				"depositsBefore":  "0",
				"deposits":        deposits,
				"withdrawals":     withdrawals,
				"requests":        requests,
				"requestsHash":    publics[8],
				"withdrawalsHash": publics[5],
				"dataHash":        publics[6],
				"batchTime":       publics[7],
				"genesisAccounts": str(genesisAccounts),
			},
		}
		out, err := json.MarshalIndent(vec, "", "  ")
		if err != nil {
			return err
		}
		return os.WriteFile(filepath.Join(vectors, name), append(out, '\n'), 0o644)
	}
	if err := write("batch-proof.json", proof, publics,
		[]map[string]string{{"to": str(withdrawTo), "amount": str(withdrawAmount)}, {"to": str(keeper), "amount": str(keeperShare)}},
		[]map[string]string{{"kind": str(6), "accountId": str(liquidatedID), "party": str(keeper), "amount": "0"}}); err != nil {
		return err
	}
	if err := write("batch-proof-forced.json", fproof, fpublics,
		[]map[string]string{{"to": str(withdrawTo), "amount": str(withdrawAmount)}, {"to": str(depositor), "amount": str(forcedAmount)}},
		[]map[string]string{{"kind": str(batch.KindForcedPaid), "accountId": str(registeredID), "party": str(depositor), "amount": str(forcedAmount)}}); err != nil {
		return err
	}
	fmt.Printf("exported %s (verifying key %s), wrote batch-proof.json and batch-proof-forced.json (%d-byte proofs)\n",
		entry["verifierFile"], entry["verifyingKeyHash"], len(proof))
	return nil
}

// genesis is the builder at the vectors' genesis: the builder's venue (accounts 0, 1, 2) plus account 3 under
// water, account 4's registration queued (key batchtest.Key(5), DEPOSIT atoms from DEPOSITOR), at batchTime.
func genesis(s batch.Sizes) (*batchtest.Builder, fr.Element, fr.Element) {
	b := batchtest.New(s)
	delete(b.Leaves, 4) // genesis accounts 0..3 only: the contract's next id is 4
	b.Keys[registeredID] = batchtest.Key(5)
	under := &encoding.Leaf{OwnerPkX: b.Keys[3].PublicKey.A.X, OwnerPkY: b.Keys[3].PublicKey.A.Y, Balances: make([]int64, s.A),
		Slots: make([]encoding.Slot, s.P)}
	under.Balances[0] = -1_150_000_000 // equity 49,998,000 atoms, maintenance 120,000,020: liquidatable
	under.Slots[0] = batchtest.SlotOf(1, 20, 900)
	b.Leaves[liquidatedID] = under
	var dep, pkX, pkY fr.Element
	dep.SetUint64(depositor)
	pkX, pkY = b.Keys[registeredID].PublicKey.A.X, b.Keys[registeredID].PublicKey.A.Y
	b.Queue = []batchtest.DepositEntry{{AccountID: registeredID, Amount: depositAmount, PkX: pkX, PkY: pkY, Depositor: dep}}
	b.SetDepositHeadBefore(fr.Element{})
	b.BatchTime = batchTime
	return b, pkX, pkY
}

// prove proves the batch with the key and checks the proof against the verifying key.
func prove(e *engine.Engine, pk, vk uint64, c *batch.Circuit) ([]byte, []string, error) {
	wj, err := batch.MarshalWitness(c)
	if err != nil {
		return nil, nil, err
	}
	proof, publics, err := e.Prove(pk, wj)
	if err != nil {
		return nil, nil, err
	}
	if err := e.Verify(vk, proof, publics); err != nil {
		return nil, nil, fmt.Errorf("the fresh proof does not verify: %w", err)
	}
	return proof, publics, nil
}

// writeManifest replaces the circuit's entry of verifiers.json, in the layout Jackson's pretty printer gives it
// (VerifierExport writes the same file), entries sorted by circuit id.
func writeManifest(path string, e map[string]string) error {
	var m struct {
		Format    string              `json:"format"`
		Note      string              `json:"note"`
		Verifiers []map[string]string `json:"verifiers"`
	}
	raw, err := os.ReadFile(path)
	if err != nil {
		return err
	}
	if err := json.Unmarshal(raw, &m); err != nil {
		return err
	}
	if m.Format != "zkmargin-verifiers-v1" {
		return fmt.Errorf("%s: unknown format %q", path, m.Format)
	}
	vs := m.Verifiers[:0]
	for _, v := range m.Verifiers {
		if v["circuitId"] != e["circuitId"] {
			vs = append(vs, v)
		}
	}
	vs = append(vs, e)
	sort.Slice(vs, func(i, j int) bool { return vs[i]["circuitId"] < vs[j]["circuitId"] })
	q := func(s string) string { b, _ := json.Marshal(s); return string(b) }
	var w bytes.Buffer
	fmt.Fprintf(&w, "{\n  \"format\" : %s,\n  \"note\" : %s,\n  \"verifiers\" : [ ", q(m.Format), q(m.Note))
	parts := make([]string, len(vs))
	for i, v := range vs {
		var f []string
		for _, k := range []string{"circuitId", "circuitDigest", "verifyingKeyHash", "verifierFile", "verifyingKeyFile"} {
			f = append(f, fmt.Sprintf("    %s : %s", q(k), q(v[k])))
		}
		// the other entries' setup provenance (VerifierExport writes them; keep them as they are)
		for _, k := range []string{"setup", "transcriptFile"} {
			if x, ok := v[k]; ok {
				f = append(f, fmt.Sprintf("    %s : %s", q(k), q(x)))
			}
		}
		parts[i] = "{\n" + strings.Join(f, ",\n") + "\n  }"
	}
	w.WriteString(strings.Join(parts, ", "))
	w.WriteString(" ]\n}\n")
	return os.WriteFile(path, w.Bytes(), 0o644)
}
