// Command exitvector writes the checked-in Solidity verifiers of the test-size exit and liquidation-eligibility
// circuits and real proofs for the forge and anvil tests of Settlement's escape hatch and keeper path:
//
//   - verifier-contracts/keys/<id>.vk, verifier-contracts/src/verifiers/<id>.sol and the circuit's entry in
//     verifier-contracts/verifiers.json, for id = exit-D6-… and liquidation-D6-…, exactly as batchvector writes
//     the batch circuit's (CheckedInVerifierTest checks them the same way);
//   - test-vectors/chain/exit-proof-<k>.json (k = 0, 1, 2) and liquidation-proof.json: zkmargin proof files
//     (docs/ENCODING.md) plus an "escape" object with what the tests need (accountId, l1Address, payout or
//     keeper, the roots (and exitRoots = Compress(stateRoot, riskRoot), the exit's first public input), the
//     genesis account count).
//
// The venue: one genesis state tree with accounts 0, 1, 2 (genesisAccounts = 3) over the risk root of the
// healthtest fixture's instruments and globals. Account 0 is the fixture's healthy account (quote, BTC, a perp
// with unsettled funding, a short put), account 1 holds quote only, account 2 is the fixture's account with its
// quote balance lowered until E * 10^6 < MM but E > 0 (liquidatable, still a positive exit payout). Each
// account has its own L1 address. The liquidation proof names account 2 and keeper KEEPER.
//
// Keys: a single-party development setup, cached in target/vector-keys/<id>/<circuitDigest>/ so that a re-run
// with an unchanged circuit rewrites the same verifier (only the proofs, which are randomized, change).
//
// Run from the repository root: go run ./circuits/exit/exitvector (-exit-only after a change of the exit
// circuit alone, when the liquidation circuit's proving key is not cached here; -liquidation-only, the converse,
// after a change of the liquidation circuit alone; the skipped circuit's manifest entry is rewritten from its
// checked-in key, see resync).
package main

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"log"
	"math/big"
	"os"
	"path/filepath"
	"sort"
	"strconv"
	"strings"

	"github.com/zkmargin/zkmargin/circuits/encoding"
	"github.com/zkmargin/zkmargin/circuits/exit"
	"github.com/zkmargin/zkmargin/circuits/health/healthtest"
	"github.com/zkmargin/zkmargin/circuits/liquidation"
	"github.com/zkmargin/zkmargin/native/go/engine"
)

// The on-chain side of the vectors; the forge tests read them from the JSON, never from here.
const (
	genesisAccounts = 3
	liquidatedID    = 2
	keeper          = 0x4EE9E2 // KEEPER of the forge tests
)

var l1Addresses = []int64{0xA11CE0, 0xB0B0, 0xCA201} // accounts 0, 1, 2

func main() {
	contracts := flag.String("contracts", "verifier-contracts", "verifier-contracts directory")
	vectors := flag.String("vectors", "test-vectors/chain", "test-vectors/chain directory")
	keys := flag.String("keys", "target/vector-keys", "development key cache")
	exitOnly := flag.Bool("exit-only", false, "rewrite only the exit circuit's key, verifier and proofs (the "+
		"liquidation circuit's stay as checked in: without its cached proving key a re-run would make a new key)")
	liqOnly := flag.Bool("liquidation-only", false, "rewrite only the liquidation circuit's key, verifier and "+
		"proof (the exit circuit's stay as checked in)")
	flag.Parse()
	if *exitOnly && *liqOnly {
		log.Fatal("-exit-only and -liquidation-only exclude each other")
	}
	if err := run(*contracts, *vectors, *keys, *exitOnly, *liqOnly); err != nil {
		log.Fatal(err)
	}
}

// venue returns the fixture whose state tree holds the three accounts; f.AccountID / f.Leaf select the
// account a witness opens (the others go to f.Others).
func venue() (*healthtest.Fixture, []*encoding.Leaf) {
	s := encoding.TestSizes
	base := healthtest.New(s)
	leaves := make([]*encoding.Leaf, 3)
	a0 := *base.Leaf
	a0.Balances = append([]int64(nil), base.Leaf.Balances...)
	a0.Slots = append([]encoding.Slot(nil), base.Leaf.Slots...)
	leaves[0] = &a0

	a1 := a0
	a1.Balances = make([]int64, s.A)
	a1.Balances[0] = 5_000_000_000 // 5,000 quote (6 decimals), no position
	a1.Slots = make([]encoding.Slot, s.P)
	a1.Nonce = 0
	a1.OwnerPkX, a1.OwnerPkY = base.Leaf.OwnerPkY, base.Leaf.OwnerPkX
	leaves[1] = &a1

	a2 := a0
	a2.Balances = append([]int64(nil), a0.Balances...)
	a2.Slots = append([]encoding.Slot(nil), a0.Slots...)
	leaves[2] = &a2
	for i, l := range leaves {
		l.L1Address.SetInt64(l1Addresses[i])
	}
	// lower account 2's quote balance until it is liquidatable (E * 10^6 < MM)
	f := open(base, leaves, liquidatedID)
	for !f.Margin().Liquidatable() {
		a2.Balances[0] -= 100_000_000
	}
	if f.Margin().E.Sign() <= 0 {
		panic("exitvector: account 2 should keep a positive equity")
	}
	return base, leaves
}

// open points the fixture at account id of the three-account tree.
func open(f *healthtest.Fixture, leaves []*encoding.Leaf, id uint64) *healthtest.Fixture {
	f.AccountID, f.Leaf = id, leaves[id]
	f.Others = map[uint64]*encoding.Leaf{}
	for j, l := range leaves {
		if uint64(j) != id {
			f.Others[uint64(j)] = l
		}
	}
	return f
}

type circuitKeys struct {
	id     string
	vk     []byte
	vkHash string
	pk     uint64
	vkh    uint64
}

func run(contracts, vectors, keyDir string, exitOnly, liqOnly bool) error {
	s := encoding.TestSizes
	e := engine.Default()
	var exitKeys *circuitKeys
	var err error
	if !liqOnly {
		if exitKeys, err = prepare(e, contracts, keyDir, exit.ID(s)); err != nil {
			return err
		}
	} else if err = resync(e, contracts, exit.ID(s)); err != nil {
		return err
	}
	var liqKeys *circuitKeys
	if !exitOnly {
		if liqKeys, err = prepare(e, contracts, keyDir, liquidation.ID(s)); err != nil {
			return err
		}
	} else if err = resync(e, contracts, liquidation.ID(s)); err != nil {
		return err
	}
	f, leaves := venue()
	var stateRoot, riskRoot string
	for id := uint64(0); id < genesisAccounts; id++ {
		w, _ := open(f, leaves, id).Build()
		ew := &exit.Witness{CircuitID: exit.ID(s), Account: w}
		wj, err := ew.MarshalJSON()
		if err != nil {
			return err
		}
		payout, _, err := ew.Payout(s)
		if err != nil {
			return err
		}
		stateRoot, riskRoot = w.StateRoot.String(), w.RiskRoot.String()
		if liqOnly {
			continue // the roots only: the exit proofs stay as checked in
		}
		exitRoots := exit.Roots(w.StateRoot, w.RiskRoot).String()
		err = prove(e, exitKeys, wj, filepath.Join(vectors, fmt.Sprintf("exit-proof-%d.json", id)), map[string]any{
			"accountId": strconv.FormatUint(id, 10), "l1Address": w.L1Address.String(), "payout": payout.String(),
			"exitRoots": exitRoots,
		}, stateRoot, riskRoot, exitRoots)
		if err != nil {
			return err
		}
		fmt.Printf("exit proof of account %d: payout %s quote atoms to %s\n", id, payout, w.L1Address.Text(16))
	}
	if exitOnly {
		return nil
	}
	w, _ := open(f, leaves, liquidatedID).Build()
	m := f.Margin()
	sc := liquidation.Scenario(s, m)
	if sc < 0 {
		return errors.New("account 2 is not liquidatable")
	}
	lw := &liquidation.Witness{CircuitID: liquidation.ID(s), Account: w, Keeper: big.NewInt(keeper), Scenario: sc}
	wj, err := lw.MarshalJSON()
	if err != nil {
		return err
	}
	err = prove(e, liqKeys, wj, filepath.Join(vectors, "liquidation-proof.json"), map[string]any{
		"accountId": strconv.Itoa(liquidatedID), "keeper": strconv.Itoa(keeper), "scenario": strconv.Itoa(sc),
	}, stateRoot, riskRoot, stateRoot, riskRoot)
	if err != nil {
		return err
	}
	fmt.Printf("liquidation proof of account %d (scenario %d, E %s, MM %s)\n", liquidatedID, sc, m.E, m.MM)
	return nil
}

// prepare loads (or makes and caches) the development key pair of id and writes the checked-in key, verifier
// and manifest entry.
func prepare(e *engine.Engine, contracts, keyDir, id string) (*circuitKeys, error) {
	digest, err := e.CircuitDigest(id)
	if err != nil {
		return nil, err
	}
	dir := filepath.Join(keyDir, id, hex.EncodeToString(digest[:]))
	pk, err1 := os.ReadFile(filepath.Join(dir, "proving.key"))
	vk, err2 := os.ReadFile(filepath.Join(dir, "verifying.key"))
	if err1 != nil || err2 != nil {
		fmt.Printf("%s: development setup (cached in %s)\n", id, dir)
		if pk, vk, err = e.Setup(id); err != nil {
			return nil, err
		}
		if err := os.MkdirAll(dir, 0o755); err != nil {
			return nil, err
		}
		if err := os.WriteFile(filepath.Join(dir, "proving.key"), pk, 0o644); err != nil {
			return nil, err
		}
		if err := os.WriteFile(filepath.Join(dir, "verifying.key"), vk, 0o644); err != nil {
			return nil, err
		}
	}
	k := &circuitKeys{id: id, vk: vk}
	if k.vkh, err = e.LoadVerifyingKey(id, vk); err != nil {
		return nil, err
	}
	if k.pk, err = e.LoadProvingKey(id, pk); err != nil {
		return nil, err
	}
	sol, err := e.ExportSolidity(k.vkh)
	if err != nil {
		return nil, err
	}
	h := sha256.Sum256(vk)
	k.vkHash = hex.EncodeToString(h[:])
	entry := map[string]string{
		"circuitId":        id,
		"circuitDigest":    hex.EncodeToString(digest[:]),
		"verifyingKeyHash": k.vkHash,
		"verifierFile":     "src/verifiers/" + id + ".sol",
		"verifyingKeyFile": "keys/" + id + ".vk",
	}
	if err := os.WriteFile(filepath.Join(contracts, entry["verifierFile"]), []byte(sol), 0o644); err != nil {
		return nil, err
	}
	if err := os.WriteFile(filepath.Join(contracts, entry["verifyingKeyFile"]), vk, 0o644); err != nil {
		return nil, err
	}
	return k, writeManifest(filepath.Join(contracts, "verifiers.json"), entry)
}

// resync rewrites the manifest entry of a circuit whose key, verifier and proofs stay as checked in (the one
// -exit-only or -liquidation-only skips) from its checked-in key: the key's hash and the current circuit's
// digest, after checking that the checked-in verifier is the key's export (else the key must be remade: run
// without the flag). So a manifest entry left behind by a merge is made to match its key again.
func resync(e *engine.Engine, contracts, id string) error {
	digest, err := e.CircuitDigest(id)
	if err != nil {
		return err
	}
	entry := map[string]string{
		"circuitId":        id,
		"circuitDigest":    hex.EncodeToString(digest[:]),
		"verifierFile":     "src/verifiers/" + id + ".sol",
		"verifyingKeyFile": "keys/" + id + ".vk",
	}
	vk, err := os.ReadFile(filepath.Join(contracts, entry["verifyingKeyFile"]))
	if err != nil {
		return err
	}
	vkh, err := e.LoadVerifyingKey(id, vk)
	if err != nil {
		return fmt.Errorf("%s: the checked-in key does not load for the current circuit (run without the flag): %w", id, err)
	}
	sol, err := e.ExportSolidity(vkh)
	if err != nil {
		return err
	}
	checkedIn, err := os.ReadFile(filepath.Join(contracts, entry["verifierFile"]))
	if err != nil {
		return err
	}
	if !bytes.Equal(checkedIn, []byte(sol)) {
		return fmt.Errorf("%s: the checked-in verifier is not the export of its key (run without the flag)", id)
	}
	h := sha256.Sum256(vk)
	entry["verifyingKeyHash"] = hex.EncodeToString(h[:])
	return writeManifest(filepath.Join(contracts, "verifiers.json"), entry)
}

// prove writes a proof vector whose leading public inputs must be rootInputs (the liquidation circuit's
// stateRoot, riskRoot; the exit circuit's Compress(stateRoot, riskRoot)).
func prove(e *engine.Engine, k *circuitKeys, witnessJSON []byte, out string, extra map[string]any, stateRoot, riskRoot string,
	rootInputs ...string) error {
	proof, publics, err := e.Prove(k.pk, witnessJSON)
	if err != nil {
		return err
	}
	if err := e.Verify(k.vkh, proof, publics); err != nil {
		return fmt.Errorf("the fresh proof does not verify: %w", err)
	}
	for i, want := range rootInputs {
		if publics[i] != want {
			return fmt.Errorf("%s: public input %d is not the venue's roots", out, i)
		}
	}
	extra["note"] = "written by go run ./circuits/exit/exitvector: genesis state root with genesisAccounts accounts, " +
		"risk root posted by the oracles; every number a decimal string"
	extra["stateRoot"] = stateRoot
	extra["riskRoot"] = riskRoot
	extra["genesisAccounts"] = strconv.Itoa(genesisAccounts)
	vec := map[string]any{
		"format":           "zkmargin-proof-v1",
		"circuitId":        k.id,
		"verifyingKeyHash": k.vkHash,
		"publicInputs":     publics,
		"proof":            hex.EncodeToString(proof),
		"escape":           extra,
	}
	b, err := json.MarshalIndent(vec, "", "  ")
	if err != nil {
		return err
	}
	return os.WriteFile(out, append(b, '\n'), 0o644)
}

// writeManifest replaces the circuit's entry of verifiers.json, in the layout Jackson's pretty printer gives it
// (VerifierExport and batchvector write the same file), entries sorted by circuit id; other entries' fields
// (e.g. a ceremony's transcript) are kept as they are.
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
	order := []string{"circuitId", "circuitDigest", "verifyingKeyHash", "verifierFile", "verifyingKeyFile"}
	var w bytes.Buffer
	fmt.Fprintf(&w, "{\n  \"format\" : %s,\n  \"note\" : %s,\n  \"verifiers\" : [ ", q(m.Format), q(m.Note))
	parts := make([]string, len(vs))
	for i, v := range vs {
		var f []string
		seen := map[string]bool{}
		for _, k := range order {
			if val, ok := v[k]; ok {
				f = append(f, fmt.Sprintf("    %s : %s", q(k), q(val)))
				seen[k] = true
			}
		}
		var rest []string
		for k := range v {
			if !seen[k] {
				rest = append(rest, k)
			}
		}
		sort.Strings(rest)
		for _, k := range rest {
			f = append(f, fmt.Sprintf("    %s : %s", q(k), q(v[k])))
		}
		parts[i] = "{\n" + strings.Join(f, ",\n") + "\n  }"
	}
	w.WriteString(strings.Join(parts, ", "))
	w.WriteString(" ]\n}\n")
	return os.WriteFile(path, w.Bytes(), 0o644)
}
