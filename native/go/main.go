//go:build zkmjni

// Package main is zkmargin's native library (libzkmargin.so, -buildmode=c-shared): a C ABI over
// native/go/engine for the JNI glue in jni_glue.c (class io.zkmargin.nativebridge.NativeLib).
//
// ABI rules, the same for every zkm_* function:
//   - inputs are NUL-terminated strings or (pointer, length) byte ranges owned by the caller; Go copies
//     what it keeps, so the caller may free them as soon as the call returns;
//   - outputs are written through out-pointers; buffers are allocated with C malloc and must be freed
//     with free() by the caller (the glue does);
//   - the return value is 0 on success, else an error code (ZKM_E_* below) and *errOut is a malloc'ed
//     NUL-terminated message;
//   - no Go pointer is ever returned; handles are plain integers;
//   - every function recovers Go panics and reports them as ZKM_E_PANIC: a panic never unwinds into C
//     or Java.
//
// The package is behind the build tag zkmjni because cgo needs jni.h (CGO_CFLAGS from the JDK), which
// a plain `go build ./...` does not have; native/build-native.sh sets both.
package main

/*
#include <stdlib.h>
#include <string.h>
*/
import "C"

import (
	"errors"
	"fmt"
	"runtime/debug"
	"strings"
	"unsafe"

	"github.com/consensys/gnark/logger"

	"github.com/zkmargin/zkmargin/native/go/engine"
)

// Error codes (mirrored in io.zkmargin.nativebridge.NativeException).
const (
	codeOK               = 0
	codeInvalidArgument  = 1
	codeUnknownHandle    = 2
	codeUnsatisfied      = 3
	codeVerificationFail = 4
	codeInternal         = 5
	codePanic            = 6
)

func init() {
	// gnark logs compile and prove progress to stdout; a library inside a JVM must stay quiet.
	logger.Disable()
}

func main() {}

func codeOf(err error) C.int {
	switch {
	case errors.Is(err, engine.ErrInvalidArgument):
		return codeInvalidArgument
	case errors.Is(err, engine.ErrUnknownHandle):
		return codeUnknownHandle
	case errors.Is(err, engine.ErrUnsatisfied):
		return codeUnsatisfied
	case errors.Is(err, engine.ErrVerificationFailed):
		return codeVerificationFail
	default:
		return codeInternal
	}
}

// fail stores err's message in *errOut and returns its code.
func fail(errOut **C.char, err error) C.int {
	if errOut != nil {
		*errOut = C.CString(err.Error())
	}
	return codeOf(err)
}

// guard turns a panic into ZKM_E_PANIC with the panic value and the Go stack. Use as
// `defer guard(&rc, errOut)` with a named result rc.
func guard(rc *C.int, errOut **C.char) {
	if r := recover(); r != nil {
		msg := fmt.Sprintf("panic in native library: %v\n%s", r, debug.Stack())
		if errOut != nil {
			*errOut = C.CString(msg)
		}
		*rc = codePanic
	}
}

func goBytes(p *C.uchar, n C.longlong) ([]byte, error) {
	if n < 0 {
		return nil, fmt.Errorf("%w: negative length %d", engine.ErrInvalidArgument, int64(n))
	}
	if n == 0 {
		return nil, nil
	}
	if p == nil {
		return nil, fmt.Errorf("%w: null buffer of length %d", engine.ErrInvalidArgument, int64(n))
	}
	return C.GoBytes(unsafe.Pointer(p), C.int(n)), nil
}

func goString(p *C.char) (string, error) {
	if p == nil {
		return "", fmt.Errorf("%w: null string", engine.ErrInvalidArgument)
	}
	return C.GoString(p), nil
}

// cBytes copies b into a malloc'ed buffer (at least one byte, so that the pointer is never NULL).
func cBytes(b []byte, out **C.uchar, outLen *C.longlong) {
	p := C.malloc(C.size_t(max(len(b), 1)))
	if p == nil {
		panic("malloc failed")
	}
	if len(b) > 0 {
		C.memcpy(p, unsafe.Pointer(&b[0]), C.size_t(len(b)))
	}
	*out = (*C.uchar)(p)
	*outLen = C.longlong(len(b))
}

//export zkm_compile
func zkm_compile(id *C.char, info *C.longlong, errOut **C.char) (rc C.int) {
	defer guard(&rc, errOut)
	sid, err := goString(id)
	if err != nil {
		return fail(errOut, err)
	}
	c, err := engine.Default().Compile(sid)
	if err != nil {
		return fail(errOut, err)
	}
	out := unsafe.Slice(info, 3)
	out[0], out[1], out[2] = C.longlong(c.NbConstraints), C.longlong(c.NbPublic), C.longlong(c.NbWires)
	return codeOK
}

//export zkm_circuit_digest
func zkm_circuit_digest(id *C.char, digest32 *C.uchar, errOut **C.char) (rc C.int) {
	defer guard(&rc, errOut)
	sid, err := goString(id)
	if err != nil {
		return fail(errOut, err)
	}
	d, err := engine.Default().CircuitDigest(sid)
	if err != nil {
		return fail(errOut, err)
	}
	copy(unsafe.Slice((*byte)(unsafe.Pointer(digest32)), 32), d[:])
	return codeOK
}

//export zkm_setup
func zkm_setup(id *C.char, pk **C.uchar, pkLen *C.longlong, vk **C.uchar, vkLen *C.longlong, errOut **C.char) (rc C.int) {
	defer guard(&rc, errOut)
	sid, err := goString(id)
	if err != nil {
		return fail(errOut, err)
	}
	pkb, vkb, err := engine.Default().Setup(sid)
	if err != nil {
		return fail(errOut, err)
	}
	cBytes(pkb, pk, pkLen)
	cBytes(vkb, vk, vkLen)
	return codeOK
}

//export zkm_load_proving_key
func zkm_load_proving_key(id *C.char, data *C.uchar, n C.longlong, handle *C.ulonglong, errOut **C.char) (rc C.int) {
	defer guard(&rc, errOut)
	sid, err := goString(id)
	if err != nil {
		return fail(errOut, err)
	}
	b, err := goBytes(data, n)
	if err != nil {
		return fail(errOut, err)
	}
	h, err := engine.Default().LoadProvingKey(sid, b)
	if err != nil {
		return fail(errOut, err)
	}
	*handle = C.ulonglong(h)
	return codeOK
}

//export zkm_load_verifying_key
func zkm_load_verifying_key(id *C.char, data *C.uchar, n C.longlong, handle *C.ulonglong, errOut **C.char) (rc C.int) {
	defer guard(&rc, errOut)
	sid, err := goString(id)
	if err != nil {
		return fail(errOut, err)
	}
	b, err := goBytes(data, n)
	if err != nil {
		return fail(errOut, err)
	}
	h, err := engine.Default().LoadVerifyingKey(sid, b)
	if err != nil {
		return fail(errOut, err)
	}
	*handle = C.ulonglong(h)
	return codeOK
}

//export zkm_release
func zkm_release(handle C.ulonglong, errOut **C.char) (rc C.int) {
	defer guard(&rc, errOut)
	if err := engine.Default().Release(uint64(handle)); err != nil {
		return fail(errOut, err)
	}
	return codeOK
}

//export zkm_live_handles
func zkm_live_handles() C.longlong {
	return C.longlong(engine.Default().LiveHandles())
}

// zkm_prove writes the proof bytes to (*proof, *proofLen) and the public inputs, decimal, joined by
// '\n', as a NUL-terminated string to *publics.
//
//export zkm_prove
func zkm_prove(handle C.ulonglong, witness *C.uchar, n C.longlong, proof **C.uchar, proofLen *C.longlong, publics **C.char, errOut **C.char) (rc C.int) {
	defer guard(&rc, errOut)
	w, err := goBytes(witness, n)
	if err != nil {
		return fail(errOut, err)
	}
	p, pub, err := engine.Default().Prove(uint64(handle), w)
	if err != nil {
		return fail(errOut, err)
	}
	cBytes(p, proof, proofLen)
	*publics = C.CString(strings.Join(pub, "\n"))
	return codeOK
}

// zkm_verify verifies a proof against public inputs given as decimal strings joined by '\n'. It
// returns 0 if the proof verifies, ZKM_E_VERIFY if it is well formed but does not verify.
//
//export zkm_verify
func zkm_verify(handle C.ulonglong, proof *C.uchar, n C.longlong, publics *C.char, errOut **C.char) (rc C.int) {
	defer guard(&rc, errOut)
	p, err := goBytes(proof, n)
	if err != nil {
		return fail(errOut, err)
	}
	s, err := goString(publics)
	if err != nil {
		return fail(errOut, err)
	}
	var pub []string
	if s != "" {
		pub = strings.Split(s, "\n")
	}
	if err := engine.Default().Verify(uint64(handle), p, pub); err != nil {
		return fail(errOut, err)
	}
	return codeOK
}

//export zkm_export_solidity
func zkm_export_solidity(handle C.ulonglong, src **C.char, errOut **C.char) (rc C.int) {
	defer guard(&rc, errOut)
	s, err := engine.Default().ExportSolidity(uint64(handle))
	if err != nil {
		return fail(errOut, err)
	}
	*src = C.CString(s)
	return codeOK
}

var nilTarget *[64]byte

// zkm_self_test_panic panics inside Go on purpose; the tests use it to check that a panic comes back
// as an error (ZKM_E_PANIC) instead of killing the JVM. kind 0: a plain Go panic (nil map write);
// kind 1: a nil pointer dereference, i.e. a real SIGSEGV in Go code that must travel through the
// JVM's and Go's chained signal handlers and come back as a Go panic.
//
//export zkm_self_test_panic
func zkm_self_test_panic(kind C.int, errOut **C.char) (rc C.int) {
	defer guard(&rc, errOut)
	switch kind {
	case 0:
		var m map[string]int
		m["boom"] = 1
	case 1:
		nilTarget[7] = 1
	default:
		return fail(errOut, fmt.Errorf("%w: self test kind %d", engine.ErrInvalidArgument, int(kind)))
	}
	return codeOK
}
