//go:build zkmjni

package main

/*
#include <stdlib.h>
*/
import "C"

import (
	"fmt"
	"unsafe"

	"github.com/zkmargin/zkmargin/native/go/engine"
	"github.com/zkmargin/zkmargin/native/go/sigverify"
)

// zkm_eddsa_verify verifies one EdDSA signature (sigverify.Verify, the verdict of the Java
// io.zkmargin.commit.EdDSA.verify). The input is exactly 192 bytes: pkX, pkY, message, R.x, R.y, S as
// 32-byte big-endian integers. Returns 0 if the signature is valid, ZKM_E_VERIFY (4) if it is not,
// ZKM_E_INVALID_ARGUMENT if the input has another length or a coordinate or the message is not a
// canonical field element. Go does not keep the buffer.
//
//export zkm_eddsa_verify
func zkm_eddsa_verify(in *C.uchar, n C.longlong, errOut **C.char) (rc C.int) {
	defer guard(&rc, errOut)
	if in == nil || n != sigverify.InputSize {
		return fail(errOut, fmt.Errorf("%w: an EdDSA verification input has %d bytes, got %d",
			engine.ErrInvalidArgument, sigverify.InputSize, int64(n)))
	}
	ok, err := sigverify.Verify(unsafe.Slice((*byte)(unsafe.Pointer(in)), sigverify.InputSize))
	if err != nil {
		return fail(errOut, fmt.Errorf("%w: %v", engine.ErrInvalidArgument, err))
	}
	if !ok {
		return codeVerificationFail
	}
	return codeOK
}
