//go:build zkmjni

package main

// C ABI over native/go/ceremony (multi-party Groth16 setup), for the JNI glue in jni_ceremony.c
// (class io.zkmargin.nativebridge.CeremonyLib). Same rules as main.go: inputs are copied, outputs are
// malloc'ed and freed by the caller, 0 or a ZKM_E_* code with a malloc'ed message, panics recovered.
//
// A chain of files is passed as (files, lens, count): count pointers to buffers and their lengths.
// Hash outputs are caller buffers of 32 bytes per hash: contribute writes received||produced (64
// bytes); verify, seal and finalize write one hash per contribution (32*count bytes).

/*
#include <stdlib.h>
#include <string.h>
*/
import "C"

import (
	"fmt"
	"unsafe"

	"github.com/zkmargin/zkmargin/native/go/ceremony"
	"github.com/zkmargin/zkmargin/native/go/engine"
)

// maxChain bounds the number of contributions passed in one call (a sanity limit, not a protocol one).
const maxChain = 1 << 16

func goChain(files **C.uchar, lens *C.longlong, count C.int) ([][]byte, error) {
	if count <= 0 || count > maxChain {
		return nil, fmt.Errorf("%w: chain of %d files (need 1..%d)", engine.ErrInvalidArgument, int(count), maxChain)
	}
	if files == nil || lens == nil {
		return nil, fmt.Errorf("%w: null chain", engine.ErrInvalidArgument)
	}
	ps := unsafe.Slice(files, int(count))
	ns := unsafe.Slice(lens, int(count))
	out := make([][]byte, int(count))
	for i := range out {
		b, err := goBytes(ps[i], ns[i])
		if err != nil {
			return nil, fmt.Errorf("file %d: %w", i+1, err)
		}
		out[i] = b
	}
	return out, nil
}

// goEntropy copies the optional user entropy of a contribution (null or length 0: none).
func goEntropy(p *C.uchar, n C.longlong) ([]byte, error) {
	if p == nil || n == 0 {
		return nil, nil
	}
	if n < 0 || n > ceremony.MaxEntropy {
		return nil, fmt.Errorf("%w: %d bytes of entropy (at most %d)", engine.ErrInvalidArgument, int64(n), ceremony.MaxEntropy)
	}
	return goBytes(p, n)
}

func putHashes(dst *C.uchar, hs ...ceremony.Hash) {
	if dst == nil {
		return
	}
	out := unsafe.Slice((*byte)(unsafe.Pointer(dst)), 32*len(hs))
	for i, h := range hs {
		copy(out[32*i:], h[:])
	}
}

//export zkm_ceremony_circuit_power
func zkm_ceremony_circuit_power(id *C.char, power *C.int, errOut **C.char) (rc C.int) {
	defer guard(&rc, errOut)
	sid, err := goString(id)
	if err != nil {
		return fail(errOut, err)
	}
	c, err := ceremony.ResolveCircuit(sid)
	if err != nil {
		return fail(errOut, err)
	}
	*power = C.int(c.Power)
	return codeOK
}

//export zkm_ceremony_p1_init
func zkm_ceremony_p1_init(power C.int, out **C.uchar, outLen *C.longlong, errOut **C.char) (rc C.int) {
	defer guard(&rc, errOut)
	b, err := ceremony.Phase1Init(int(power))
	if err != nil {
		return fail(errOut, err)
	}
	cBytes(b, out, outLen)
	return codeOK
}

//export zkm_ceremony_p1_contribute
func zkm_ceremony_p1_contribute(power C.int, prev *C.uchar, n C.longlong, entropy *C.uchar, entropyLen C.longlong, out **C.uchar, outLen *C.longlong, hashes64 *C.uchar, errOut **C.char) (rc C.int) {
	defer guard(&rc, errOut)
	p, err := goBytes(prev, n)
	if err != nil {
		return fail(errOut, err)
	}
	e, err := goEntropy(entropy, entropyLen)
	if err != nil {
		return fail(errOut, err)
	}
	next, rec, prod, err := ceremony.Phase1ContributeEntropy(int(power), p, e)
	clear(e) // the Go copy of the contributor's entropy (the C copy is zeroed by the JNI glue)
	if err != nil {
		return fail(errOut, err)
	}
	cBytes(next, out, outLen)
	putHashes(hashes64, rec, prod)
	return codeOK
}

//export zkm_ceremony_p1_verify
func zkm_ceremony_p1_verify(power C.int, files **C.uchar, lens *C.longlong, count C.int, hashesOut *C.uchar, errOut **C.char) (rc C.int) {
	defer guard(&rc, errOut)
	chain, err := goChain(files, lens, count)
	if err != nil {
		return fail(errOut, err)
	}
	hs, err := ceremony.Phase1Verify(int(power), chain)
	if err != nil {
		return fail(errOut, err)
	}
	putHashes(hashesOut, hs...)
	return codeOK
}

//export zkm_ceremony_p1_seal
func zkm_ceremony_p1_seal(power C.int, files **C.uchar, lens *C.longlong, count C.int, beacon *C.uchar, beaconLen C.longlong, out **C.uchar, outLen *C.longlong, hashesOut *C.uchar, errOut **C.char) (rc C.int) {
	defer guard(&rc, errOut)
	chain, err := goChain(files, lens, count)
	if err != nil {
		return fail(errOut, err)
	}
	bc, err := goBytes(beacon, beaconLen)
	if err != nil {
		return fail(errOut, err)
	}
	commons, hs, err := ceremony.Phase1Seal(int(power), chain, bc)
	if err != nil {
		return fail(errOut, err)
	}
	cBytes(commons, out, outLen)
	putHashes(hashesOut, hs...)
	return codeOK
}

//export zkm_ceremony_p2_init
func zkm_ceremony_p2_init(id *C.char, commons *C.uchar, n C.longlong, out **C.uchar, outLen *C.longlong, errOut **C.char) (rc C.int) {
	defer guard(&rc, errOut)
	sid, err := goString(id)
	if err != nil {
		return fail(errOut, err)
	}
	cm, err := goBytes(commons, n)
	if err != nil {
		return fail(errOut, err)
	}
	b, err := ceremony.Phase2Init(sid, cm)
	if err != nil {
		return fail(errOut, err)
	}
	cBytes(b, out, outLen)
	return codeOK
}

//export zkm_ceremony_p2_contribute
func zkm_ceremony_p2_contribute(id *C.char, prev *C.uchar, n C.longlong, entropy *C.uchar, entropyLen C.longlong, out **C.uchar, outLen *C.longlong, hashes64 *C.uchar, errOut **C.char) (rc C.int) {
	defer guard(&rc, errOut)
	sid, err := goString(id)
	if err != nil {
		return fail(errOut, err)
	}
	p, err := goBytes(prev, n)
	if err != nil {
		return fail(errOut, err)
	}
	e, err := goEntropy(entropy, entropyLen)
	if err != nil {
		return fail(errOut, err)
	}
	next, rec, prod, err := ceremony.Phase2ContributeEntropy(sid, p, e)
	clear(e) // the Go copy of the contributor's entropy (the C copy is zeroed by the JNI glue)
	if err != nil {
		return fail(errOut, err)
	}
	cBytes(next, out, outLen)
	putHashes(hashes64, rec, prod)
	return codeOK
}

//export zkm_ceremony_p2_verify
func zkm_ceremony_p2_verify(id *C.char, commons *C.uchar, n C.longlong, files **C.uchar, lens *C.longlong, count C.int, hashesOut *C.uchar, errOut **C.char) (rc C.int) {
	defer guard(&rc, errOut)
	sid, cm, chain, err := goPhase2Chain(id, commons, n, files, lens, count)
	if err != nil {
		return fail(errOut, err)
	}
	hs, err := ceremony.Phase2Verify(sid, cm, chain)
	if err != nil {
		return fail(errOut, err)
	}
	putHashes(hashesOut, hs...)
	return codeOK
}

// zkm_ceremony_p2_finalize verifies the chain, applies the beacon and writes the proving and verifying
// keys (engine format), the 32-byte transcript hash and the contribution hashes.
//
//export zkm_ceremony_p2_finalize
func zkm_ceremony_p2_finalize(id *C.char, commons *C.uchar, n C.longlong, files **C.uchar, lens *C.longlong, count C.int, beacon *C.uchar, beaconLen C.longlong,
	pk **C.uchar, pkLen *C.longlong, vk **C.uchar, vkLen *C.longlong, transcript32 *C.uchar, hashesOut *C.uchar, errOut **C.char) (rc C.int) {
	defer guard(&rc, errOut)
	sid, cm, chain, err := goPhase2Chain(id, commons, n, files, lens, count)
	if err != nil {
		return fail(errOut, err)
	}
	bc, err := goBytes(beacon, beaconLen)
	if err != nil {
		return fail(errOut, err)
	}
	f, err := ceremony.Phase2Finalize(sid, cm, chain, bc)
	if err != nil {
		return fail(errOut, err)
	}
	cBytes(f.ProvingKey, pk, pkLen)
	cBytes(f.VerifyingKey, vk, vkLen)
	putHashes(transcript32, f.Transcript)
	putHashes(hashesOut, f.Contributions...)
	return codeOK
}

// goPhase2Chain copies the arguments that phase-2 verify and finalize share: the circuit id, the phase-1
// result (commons) and the chain of contributions.
func goPhase2Chain(id *C.char, commons *C.uchar, n C.longlong, files **C.uchar, lens *C.longlong, count C.int) (string, []byte, [][]byte, error) {
	sid, err := goString(id)
	if err != nil {
		return "", nil, nil, err
	}
	cm, err := goBytes(commons, n)
	if err != nil {
		return "", nil, nil, err
	}
	chain, err := goChain(files, lens, count)
	if err != nil {
		return "", nil, nil, err
	}
	return sid, cm, chain, nil
}

// zkm_ceremony_p1_verify_next verifies one phase-1 contribution against its predecessor (trusted:
// see ceremony.Phase1VerifyNext) and writes its 32-byte hash.
//
//export zkm_ceremony_p1_verify_next
func zkm_ceremony_p1_verify_next(power C.int, prev *C.uchar, n C.longlong, next *C.uchar, m C.longlong, hash32 *C.uchar, errOut **C.char) (rc C.int) {
	defer guard(&rc, errOut)
	p, err := goBytes(prev, n)
	if err != nil {
		return fail(errOut, err)
	}
	x, err := goBytes(next, m)
	if err != nil {
		return fail(errOut, err)
	}
	h, err := ceremony.Phase1VerifyNext(int(power), p, x)
	if err != nil {
		return fail(errOut, err)
	}
	putHashes(hash32, h)
	return codeOK
}

// zkm_ceremony_p2_verify_next verifies one phase-2 contribution of circuit id against its predecessor
// (trusted: see ceremony.Phase2VerifyNext) and writes its 32-byte hash.
//
//export zkm_ceremony_p2_verify_next
func zkm_ceremony_p2_verify_next(id *C.char, prev *C.uchar, n C.longlong, next *C.uchar, m C.longlong, hash32 *C.uchar, errOut **C.char) (rc C.int) {
	defer guard(&rc, errOut)
	sid, err := goString(id)
	if err != nil {
		return fail(errOut, err)
	}
	p, err := goBytes(prev, n)
	if err != nil {
		return fail(errOut, err)
	}
	x, err := goBytes(next, m)
	if err != nil {
		return fail(errOut, err)
	}
	h, err := ceremony.Phase2VerifyNext(sid, p, x)
	if err != nil {
		return fail(errOut, err)
	}
	putHashes(hash32, h)
	return codeOK
}

// zkm_ceremony_ptau_import converts the snarkjs .ptau file at path into the phase-1 final file at
// power (ceremony.ImportPtauFile) and writes the file's power and ceremony power into powers2.
//
//export zkm_ceremony_ptau_import
func zkm_ceremony_ptau_import(path *C.char, power C.int, out **C.uchar, outLen *C.longlong, powers2 *C.int, errOut **C.char) (rc C.int) {
	defer guard(&rc, errOut)
	p, err := goString(path)
	if err != nil {
		return fail(errOut, err)
	}
	b, info, err := ceremony.ImportPtauFile(p, int(power))
	if err != nil {
		return fail(errOut, err)
	}
	cBytes(b, out, outLen)
	if powers2 != nil {
		ps := unsafe.Slice(powers2, 2)
		ps[0], ps[1] = C.int(info.FilePower), C.int(info.CeremonyPower)
	}
	return codeOK
}
